package io.hotconnpool.fleet;

import io.hotconnpool.autoconfigure.HotConnPoolAutoConfiguration;
import io.hotconnpool.autoconfigure.HotConnPoolLifecycle;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.InvalidSettingException;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Auto-configuration of {@link RedisFleet fleet mode}: on when Spring Data Redis is on the classpath, the
 * application has a {@link RedisConnectionFactory} (Lettuce's: another driver's fails start-up) and
 * {@code hotconnpool.fleet.enabled} is true. The fleet is a {@link io.hotconnpool.pool.HotConnPoolListener} and a
 * {@link io.hotconnpool.pool.ReprobeGate}: the core auto-configuration registers it on the pool it builds. With the actuator, a {@code hotconnpoolFleet} health
 * contributor; with Micrometer, the fleet's meters.
 */
@AutoConfiguration(after = HotConnPoolAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass(RedisConnectionFactory.class)
@ConditionalOnBean({ RedisConnectionFactory.class, HotConnPool.class })
@Conditional(OnFleetEnabledCondition.class)
@EnableConfigurationProperties(FleetProperties.class)
public final class FleetAutoConfiguration {

	// Lazy: the pool is built with this bean among its listeners, so it cannot be a constructor argument.
	@Bean
	@ConditionalOnMissingBean
	RedisFleet hotConnPoolFleet(ObjectProvider<HotConnPool> pool, ObjectProvider<HotConnPoolLifecycle> lifecycle,
			RedisConnectionFactory connectionFactory, FleetProperties properties) {
		if (!(connectionFactory instanceof LettuceConnectionFactory lettuce)) {
			throw new InvalidSettingException("hotconnpool.fleet.enabled", true,
					"a Lettuce RedisConnectionFactory (Spring Boot's default Redis driver), not "
							+ connectionFactory.getClass().getName());
		}
		return new RedisFleet(pool::getObject, () -> lifecycle.getObject().getPhase(), lettuce, properties);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(HealthIndicator.class)
	@ConditionalOnEnabledHealthIndicator("hotconnpool-fleet")
	static final class FleetHealthConfiguration {

		// The bean name makes the contributor's name "hotconnpoolFleet".
		@Bean
		@ConditionalOnMissingBean(name = "hotconnpoolFleetHealthIndicator")
		FleetHealthIndicator hotconnpoolFleetHealthIndicator(RedisFleet fleet) {
			return new FleetHealthIndicator(fleet);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterBinder.class)
	static final class FleetMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		FleetMetrics hotConnPoolFleetMetrics(RedisFleet fleet) {
			return new FleetMetrics(fleet);
		}

	}

}
