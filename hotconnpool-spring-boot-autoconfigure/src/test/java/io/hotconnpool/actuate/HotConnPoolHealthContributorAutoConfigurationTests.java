package io.hotconnpool.actuate;

import io.hotconnpool.pool.HotConnPool;
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
	void minHealthyPerHostIsConfigurable() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class)
			.withPropertyValues("hotconnpool.health.min-healthy-per-host=3")
			.run((context) -> assertThat(context.getBean(HotConnPoolHealthIndicator.class).health().getDetails())
				.containsEntry("minHealthyPerHost", 3));
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
