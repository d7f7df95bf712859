package io.hotconnpool.actuate;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the pool's {@link HotConnPoolObservations observations} when the application has an
 * {@link ObservationRegistry}. The bean is a {@link io.hotconnpool.pool.LeaseObserver}: the core auto-configuration
 * sets it on the pool it builds.
 */
@AutoConfiguration(
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean(ObservationRegistry.class)
public final class HotConnPoolObservationAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	HotConnPoolObservations hotConnPoolObservations(ObservationRegistry registry) {
		return new HotConnPoolObservations(registry);
	}

}
