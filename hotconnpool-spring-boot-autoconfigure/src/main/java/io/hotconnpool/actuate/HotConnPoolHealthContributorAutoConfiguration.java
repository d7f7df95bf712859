package io.hotconnpool.actuate;

import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.pool.HotConnPool;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration of the {@code hotconnpool} {@link HotConnPoolHealthIndicator health indicator}, switched by
 * {@code management.health.hotconnpool.enabled}, and of the {@link HotConnPoolRecentOutcomes} it judges recent
 * calls by: a {@link io.hotconnpool.pool.HotConnPoolListener} the core auto-configuration registers on the pool.
 */
@AutoConfiguration(afterName = "io.hotconnpool.autoconfigure.HotConnPoolAutoConfiguration")
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnSingleCandidate(HotConnPool.class)
@ConditionalOnEnabledHealthIndicator("hotconnpool")
public final class HotConnPoolHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	HotConnPoolRecentOutcomes hotConnPoolRecentOutcomes(Environment environment) {
		return new HotConnPoolRecentOutcomes(health(environment).getWindow());
	}

	// The bean name makes the contributor's name "hotconnpool", the name readiness groups include.
	@Bean
	@ConditionalOnMissingBean(name = "hotconnpoolHealthIndicator")
	HotConnPoolHealthIndicator hotconnpoolHealthIndicator(HotConnPool pool, HotConnPoolRecentOutcomes recent,
			Environment environment) {
		HotConnPoolConfig.Health health = health(environment);
		return new HotConnPoolHealthIndicator(pool, recent,
				new HotConnPoolHealthIndicator.Thresholds(health.getMinHealthyPerHost(),
						health.getMinimumNumberOfCalls(), health.getFailureRateThreshold(), health.isAllowToFail()));
	}

	/** Bound here too: the pool may be the application's own, without the core auto-configuration's properties. */
	private static HotConnPoolConfig.Health health(Environment environment) {
		return Binder.get(environment).bindOrCreate("hotconnpool.health", HotConnPoolConfig.Health.class);
	}

}
