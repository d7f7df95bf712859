package io.hotconnpool.actuate;

import java.util.stream.Stream;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class HotConnPoolHealthContributorAutoConfigurationTests extends BackOffTests {

	HotConnPoolHealthContributorAutoConfigurationTests() {
		super(HotConnPoolHealthIndicator.class, new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(HotConnPoolHealthContributorAutoConfiguration.class)));
	}

	@Test
	void indicatorNamedHotconnpoolWithAPool() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class).run((context) -> {
			assertThat(context).hasSingleBean(HotConnPoolHealthIndicator.class)
				.hasBean("hotconnpoolHealthIndicator");
			assertThat(context.getBean(HotConnPoolHealthIndicator.class).health().getDetails())
				.containsEntry("minHealthyPerHost", 1);
		});
	}

	@Test
	void defaultsDoNotFailTheApplicationOnAnUpstreamHost() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class)
			.run((context) -> assertThresholds(context, 1, 50, 10, "PT1M", false));
	}

	@Test
	void thresholdsAreConfigurable() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class)
			.withPropertyValues("hotconnpool.health.min-healthy-per-host=3", "hotconnpool.health.window=30s",
					"hotconnpool.health.minimum-number-of-calls=20", "hotconnpool.health.failure-rate-threshold=25",
					"hotconnpool.health.allow-to-fail=true")
			.run((context) -> assertThresholds(context, 3, 25, 20, "PT30S", true));
	}

	private static void assertThresholds(AssertableApplicationContext context, int minHealthyPerHost,
			int failureRateThreshold, int minimumNumberOfCalls, String window, boolean allowToFail) {
		HotConnPoolHealthIndicator indicator = context.getBean(HotConnPoolHealthIndicator.class);
		assertThat(indicator.health().getDetails()).containsEntry("minHealthyPerHost", minHealthyPerHost)
			.containsEntry("failureRateThreshold", failureRateThreshold)
			.containsEntry("minimumNumberOfCalls", minimumNumberOfCalls)
			.containsEntry("window", window);
		assertThat(indicator).extracting("thresholds.allowToFail").isEqualTo(allowToFail);
	}

	@Test
	void recentOutcomesAreAListenerBeanForThePool() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class)
			.run((context) -> assertThat(context).getBeans(HotConnPoolListener.class)
				.containsOnlyKeys("hotConnPoolRecentOutcomes"));
	}

	@Test
	void aPoolThatIsNotRunningIsOutOfService() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class).run((context) -> {
			HotConnPoolHealthIndicator indicator = context.getBean(HotConnPoolHealthIndicator.class);
			context.getBean(HotConnPool.class).close();
			assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
		});
	}

	static Stream<Arguments> backOffs() {
		return Stream.of(withoutAPool(), withProperty("management.health.hotconnpool.enabled=false"),
				without("Spring Boot's health", new FilteredClassLoader(HealthIndicator.class)));
	}

}
