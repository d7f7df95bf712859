package io.hotconnpool.fleet;

import java.time.Duration;

import io.hotconnpool.autoconfigure.HotConnPoolAutoConfiguration;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.InvalidSettingException;
import io.hotconnpool.test.LoopbackRedis;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;

/**
 * When fleet mode is on, and what it brings: the fleet (a listener and re-probe gate of the pool), its health
 * contributor, which never fails the application, and its meters.
 */
class FleetAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(HotConnPoolAutoConfiguration.class, FleetAutoConfiguration.class))
		.withPropertyValues("hotconnpool.tls.self-test=false");

	/** A Redis that never answers: nothing listens on port 1. */
	private final ApplicationContextRunner withoutRedis = this.runner.withBean(RedisConnectionFactory.class,
			() -> new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 1),
					LettuceClientConfiguration.builder().commandTimeout(Duration.ofMillis(200)).build()));

	@Test
	void offByDefault() {
		this.withoutRedis.run((context) -> assertThat(context).hasSingleBean(HotConnPool.class)
			.hasSingleBean(RedisConnectionFactory.class)
			.doesNotHaveBean(RedisFleet.class));
	}

	@Test
	void offWithoutSpringDataRedis() {
		this.withoutRedis.withClassLoader(new FilteredClassLoader(RedisConnectionFactory.class))
			.withPropertyValues("hotconnpool.fleet.enabled=true")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(HotConnPool.class)
				.doesNotHaveBean(RedisFleet.class));
	}

	@Test
	void anotherRedisDriverFailsStartUpNamingTheProperty() {
		this.runner.withBean(RedisConnectionFactory.class, () -> mock(RedisConnectionFactory.class))
			.withPropertyValues("hotconnpool.fleet.enabled=true")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidSettingException.class)
				.hasMessageContaining("hotconnpool.fleet.enabled")
				.hasMessageContaining("Lettuce"));
	}

	@Test
	void onWhenEnabledAndWithoutARedisThatAnswersTheApplicationStillStartsAndIsHealthy() {
		this.withoutRedis
			.withPropertyValues("hotconnpool.fleet.enabled=true", "hotconnpool.fleet.instance-id=pod-1",
					"hotconnpool.fleet.command-timeout=100ms", "hotconnpool.fleet.heartbeat-interval=50ms")
			.run((context) -> {
				assertThat(context).hasSingleBean(RedisFleet.class).hasSingleBean(FleetMetrics.class);
				RedisFleet fleet = context.getBean(RedisFleet.class);
				assertThat(fleet.isRunning()).isTrue();
				await().atMost(Duration.ofSeconds(5)).until(() -> fleet.status().link() == FleetStatus.Link.DOWN);
				Health health = context.getBean("hotconnpoolFleetHealthIndicator", FleetHealthIndicator.class)
					.health(true);
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).containsEntry("link", FleetStatus.Link.DOWN)
					.containsEntry("instanceId", "pod-1")
					.containsKey("lastFailure");
			});
	}

	@Test
	void linksUpWithTheApplicationsConnectionFactory() throws Exception {
		try (LoopbackRedis redis = LoopbackRedis.start()) {
			this.runner.withBean(RedisConnectionFactory.class, () -> redis.connectionFactory(Duration.ofMillis(500)))
				.withPropertyValues("hotconnpool.fleet.enabled=true", "hotconnpool.fleet.prefix=boot")
				.run((context) -> {
					RedisFleet fleet = context.getBean(RedisFleet.class);
					await().atMost(Duration.ofSeconds(10)).until(() -> fleet.status().link() == FleetStatus.Link.UP);
					assertThat(fleet.status().prefix()).isEqualTo("boot");
				});
		}
	}

	@Test
	void linksUpAgainWhenTheContextIsStoppedAndStarted() throws Exception {
		try (LoopbackRedis redis = LoopbackRedis.start()) {
			this.runner.withBean(RedisConnectionFactory.class, () -> redis.connectionFactory(Duration.ofMillis(500)))
				.withPropertyValues("hotconnpool.fleet.enabled=true")
				.run((context) -> {
					RedisFleet fleet = context.getBean(RedisFleet.class);
					await().atMost(Duration.ofSeconds(10)).until(() -> fleet.status().link() == FleetStatus.Link.UP);

					context.stop();
					assertThat(fleet.isRunning()).isFalse();
					context.start();

					assertThat(fleet.isRunning()).isTrue();
					await().atMost(Duration.ofSeconds(10)).until(() -> fleet.status().link() == FleetStatus.Link.UP);
				});
		}
	}

}
