package io.hotconnpool.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.hotconnpool.actuate.HotConnPoolHealthIndicator.HostHealth;
import io.hotconnpool.pool.AllBlacklistedPolicy;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolSettings;
import io.hotconnpool.test.LoopbackTlsOrigins;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The health indicator over a real pool and real TLS origins.
 */
class HotConnPoolHealthIndicatorTests {

	private static final Duration WITHIN = Duration.ofSeconds(15);

	private LoopbackTlsOrigins origins;

	private HotConnPool pool;

	@AfterEach
	void tearDown() {
		if (this.pool != null) {
			this.pool.close();
		}
		if (this.origins != null) {
			this.origins.close();
		}
	}

	private HotConnPool pool(HotConnPoolSettings.Builder settings) {
		this.pool = HotConnPool.builder(settings.build()).resolver(this.origins.resolver()).build();
		return this.pool;
	}

	@SuppressWarnings("unchecked")
	private HostHealth host(Health health) {
		return ((Map<String, HostHealth>) health.getDetails().get("hosts")).get(this.origins.target());
	}

	@Test
	void upWithDetailsWhenEveryHostHasEnoughHealthyConnections() throws Exception {
		this.origins = LoopbackTlsOrigins.start(3);
		pool(ActuatorTestApplication.settings(this.origins)).start();

		Health health = new HotConnPoolHealthIndicator(this.pool, 1).health();

		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("minHealthyPerHost", 1).containsEntry("successRate", 1.0);
		assertThat(host(health)).isEqualTo(new HostHealth("UP", 6, 6, List.of()));
	}

	@Test
	void downWhenAHostHasFewerHealthyConnectionsThanTheMinimum() throws Exception {
		this.origins = LoopbackTlsOrigins.start(3);
		pool(ActuatorTestApplication.settings(this.origins)).start();

		Health health = new HotConnPoolHealthIndicator(this.pool, 7).health();

		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(host(health)).isEqualTo(new HostHealth("DOWN", 6, 6, List.of()));
	}

	@Test
	void downWhenEveryIpOfAHostIsBlacklisted() throws Exception {
		this.origins = LoopbackTlsOrigins.start(1);
		pool(ActuatorTestApplication.settings(this.origins).allBlacklisted(AllBlacklistedPolicy.FAIL)).start();
		HotConnPoolHealthIndicator indicator = new HotConnPoolHealthIndicator(this.pool, 1);
		assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

		this.origins.origin(0).answer(403);

		await().atMost(WITHIN).untilAsserted(() -> {
			Health health = indicator.health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(host(health)).isEqualTo(new HostHealth("DOWN", 0, 0, List.of(this.origins.origin(0).ip())));
		});
	}

	@Test
	void outOfServiceBeforeStartAndAfterClose() throws Exception {
		this.origins = LoopbackTlsOrigins.start(1);
		HotConnPoolHealthIndicator indicator = new HotConnPoolHealthIndicator(
				pool(ActuatorTestApplication.settings(this.origins)), 1);
		assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);

		this.pool.start();
		assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

		this.pool.close();
		assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
	}

	@Test
	void theMinimumIsAtLeastOne() throws Exception {
		this.origins = LoopbackTlsOrigins.start(1);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new HotConnPoolHealthIndicator(pool(ActuatorTestApplication.settings(this.origins)), 0))
			.withMessageContaining("hotconnpool.health.min-healthy-per-host");
	}

}
