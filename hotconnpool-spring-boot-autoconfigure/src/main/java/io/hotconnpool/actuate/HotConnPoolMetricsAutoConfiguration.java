package io.hotconnpool.actuate;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the pool's {@link HotConnPoolMetrics Micrometer metrics}. The bean is a
 * {@link io.hotconnpool.pool.HotConnPoolListener}: the core auto-configuration registers it on the pool it builds.
 */
@AutoConfiguration(afterName = { "io.hotconnpool.autoconfigure.HotConnPoolAutoConfiguration",
		HotConnPoolMetricsAutoConfiguration.METRICS + "MetricsAutoConfiguration",
		HotConnPoolMetricsAutoConfiguration.METRICS + "CompositeMeterRegistryAutoConfiguration",
		HotConnPoolMetricsAutoConfiguration.METRICS + "export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnSingleCandidate(HotConnPool.class)
@ConditionalOnBean(MeterRegistry.class)
public final class HotConnPoolMetricsAutoConfiguration {

	/** Boot's metrics auto-configurations, named so that this module needs no spring-boot-micrometer-metrics. */
	static final String METRICS = "org.springframework.boot.micrometer.metrics.autoconfigure.";

	// Lazy: the pool is built with this bean among its listeners, so it cannot be a constructor argument.
	@Bean
	@ConditionalOnMissingBean
	HotConnPoolMetrics hotConnPoolMetrics(ObjectProvider<HotConnPool> pool, Environment environment) {
		// Read from the environment: a user's own pool comes without the pool's properties bean.
		boolean ipTag = Binder.get(environment)
			.bindOrCreate("hotconnpool.metrics", HotConnPoolConfig.Metrics.class)
			.isIpTag();
		return new HotConnPoolMetrics(pool::getObject, ipTag);
	}

}
