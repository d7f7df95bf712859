package io.hotconnpool.actuate;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolListener;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class HotConnPoolHealthContributorAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(HotConnPoolHealthContributorAutoConfiguration.class));

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
		this.runner.withUserConfiguration(PoolWithoutHosts.class).run((context) -> {
			assertThat(context.getBean(HotConnPoolHealthIndicator.class).health().getDetails())
				.containsEntry("minHealthyPerHost", 1)
				.containsEntry("failureRateThreshold", 50)
				.containsEntry("minimumNumberOfCalls", 10)
				.containsEntry("window", "PT1M");
			assertThat(context.getBean(HotConnPoolHealthIndicator.class)).extracting("thresholds.allowToFail")
				.isEqualTo(false);
		});
	}

	@Test
	void thresholdsAreConfigurable() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class)
			.withPropertyValues("hotconnpool.health.min-healthy-per-host=3", "hotconnpool.health.window=30s",
					"hotconnpool.health.minimum-number-of-calls=20", "hotconnpool.health.failure-rate-threshold=25",
					"hotconnpool.health.allow-to-fail=true")
			.run((context) -> {
				assertThat(context.getBean(HotConnPoolHealthIndicator.class).health().getDetails())
					.containsEntry("minHealthyPerHost", 3)
					.containsEntry("failureRateThreshold", 25)
					.containsEntry("minimumNumberOfCalls", 20)
					.containsEntry("window", "PT30S");
				assertThat(context.getBean(HotConnPoolHealthIndicator.class)).extracting("thresholds.allowToFail")
					.isEqualTo(true);
			});
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

	@Test
	void noIndicatorWithoutAPool() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(HotConnPoolHealthIndicator.class));
	}

	@Test
	void noIndicatorWhenSwitchedOff() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class)
			.withPropertyValues("management.health.hotconnpool.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(HotConnPoolHealthIndicator.class));
	}

	@Test
	void noIndicatorWithoutSpringBootHealth() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class)
			.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).doesNotHaveBean(HotConnPoolHealthIndicator.class));
	}

}
