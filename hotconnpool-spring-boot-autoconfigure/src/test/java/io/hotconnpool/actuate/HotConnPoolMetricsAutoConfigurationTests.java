package io.hotconnpool.actuate;

import java.util.stream.Stream;

import io.hotconnpool.pool.HotConnPoolListener;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class HotConnPoolMetricsAutoConfigurationTests extends BackOffTests {

	HotConnPoolMetricsAutoConfigurationTests() {
		// Listed before Boot's: the ordering must come from afterName, not from this list.
		super(HotConnPoolMetrics.class, new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(HotConnPoolMetricsAutoConfiguration.class,
						MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
						SimpleMetricsExportAutoConfiguration.class)));
	}

	@Test
	void metricsAreAListenerAndBoundToTheRegistry() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class).run((context) -> {
			assertThat(context).hasSingleBean(HotConnPoolMetrics.class);
			assertThat(context.getBeansOfType(HotConnPoolListener.class)).hasSize(1);
			assertThat(context.getBean(MeterRegistry.class).find("hotconnpool.connections.dns.new").functionCounter())
				.isNotNull();
		});
	}

	@Test
	void metersAreRemovedWhenThePoolStops() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.find("hotconnpool.connections.dns.new").meters()).hasSize(1);
			context.close();
			assertThat(registry.getMeters()).noneMatch((meter) -> meter.getId().getName().startsWith("hotconnpool."));
		});
	}

	@Test
	void theIpTagCanBeSwitchedOff() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class)
			.withPropertyValues("hotconnpool.metrics.ip-tag=false")
			.run((context) -> assertThat(context.getBean(HotConnPoolMetrics.class)).extracting("ipTag")
				.isEqualTo(false));
	}

	static Stream<Arguments> backOffs() {
		return Stream.of(withoutAPool(),
				when("without a meter registry", (runner) -> withPool(new ApplicationContextRunner()
					.withConfiguration(AutoConfigurations.of(HotConnPoolMetricsAutoConfiguration.class)))),
				without("Micrometer", new FilteredClassLoader("io.micrometer.core")));
	}

}
