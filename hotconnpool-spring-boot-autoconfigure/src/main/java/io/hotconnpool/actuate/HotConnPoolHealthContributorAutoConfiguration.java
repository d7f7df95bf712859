package io.hotconnpool.actuate;

import io.hotconnpool.pool.HotConnPool;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code hotconnpool} {@link HotConnPoolHealthIndicator health indicator}, switched by
 * {@code management.health.hotconnpool.enabled}.
 */
@AutoConfiguration(afterName = "io.hotconnpool.autoconfigure.HotConnPoolAutoConfiguration")
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnSingleCandidate(HotConnPool.class)
@ConditionalOnEnabledHealthIndicator("hotconnpool")
public final class HotConnPoolHealthContributorAutoConfiguration {

	// The bean name makes the contributor's name "hotconnpool", the name readiness groups include.
	@Bean
	@ConditionalOnMissingBean(name = "hotconnpoolHealthIndicator")
	HotConnPoolHealthIndicator hotconnpoolHealthIndicator(HotConnPool pool,
			@Value("${hotconnpool.health.min-healthy-per-host:1}") int minHealthyPerHost) {
		return new HotConnPoolHealthIndicator(pool, minHealthyPerHost);
	}

}
