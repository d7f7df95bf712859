package io.hotconnpool.actuate;

import io.hotconnpool.pool.HotConnPool;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link HotConnPoolEndpoint hotconnpool endpoint}, when the actuator is present and the
 * endpoint is exposed.
 */
@AutoConfiguration(afterName = "io.hotconnpool.autoconfigure.HotConnPoolAutoConfiguration")
@ConditionalOnClass(Endpoint.class)
@ConditionalOnSingleCandidate(HotConnPool.class)
@ConditionalOnAvailableEndpoint(HotConnPoolEndpoint.class)
public final class HotConnPoolEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	HotConnPoolEndpoint hotConnPoolEndpoint(HotConnPool pool) {
		return new HotConnPoolEndpoint(pool);
	}

}
