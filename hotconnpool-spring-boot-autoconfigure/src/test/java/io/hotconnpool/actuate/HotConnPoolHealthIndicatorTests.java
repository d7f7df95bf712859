package io.hotconnpool.actuate;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.hotconnpool.actuate.HotConnPoolHealthIndicator.HostHealth;
import io.hotconnpool.actuate.HotConnPoolHealthIndicator.Thresholds;
import io.hotconnpool.pool.AcquireTimeoutException;
import io.hotconnpool.pool.AllBlacklistedPolicy;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.pool.Lease;
import io.hotconnpool.pool.InvalidSettingException;
import io.hotconnpool.pool.Reliability;
import io.hotconnpool.test.LoopbackTlsOrigins;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static io.hotconnpool.test.LoopbackTlsOrigins.sizes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The health indicator over a real pool and real TLS origins: connections missing, and what callers experienced
 * over the window (failures, 5xx, resets mid-body, acquire timeouts).
 */
class HotConnPoolHealthIndicatorTests {

	private static final Duration WITHIN = Duration.ofSeconds(15);

	/** Short, so that failures leave it within the test. */
	private static final Duration WINDOW = Duration.ofSeconds(2);

	@AutoClose
	private LoopbackTlsOrigins origins;

	@AutoClose
	private HotConnPool pool;

	private HotConnPoolRecentOutcomes recent;

	/** The actuator tests' pool (two connections per IP) over three origins, started. */
	private void startPoolOverThreeOrigins() throws IOException {
		this.origins = LoopbackTlsOrigins.start(3);
		pool(ActuatorTestApplication.config(this.origins)).start();
	}

	private HotConnPool pool(HotConnPoolConfig config) {
		this.recent = new HotConnPoolRecentOutcomes(WINDOW);
		this.pool = HotConnPool.builder(config)
			.resolver(this.origins.resolver())
			.listener(this.recent)
			.build();
		return this.pool;
	}

	private HotConnPoolHealthIndicator indicator(int minHealthyPerHost, boolean allowToFail) {
		return new HotConnPoolHealthIndicator(this.pool, this.recent,
				new Thresholds(minHealthyPerHost, 5, 50, allowToFail));
	}

	@SuppressWarnings("unchecked")
	private HostHealth host(Health health) {
		return ((Map<String, HostHealth>) health.getDetails().get("hosts")).get(this.origins.target());
	}

	/** Every origin answers {@code /api} so; probes (HEAD /) still succeed. */
	private void api(Function<RecordedRequest, MockResponse> answer) {
		this.origins.all()
			.forEach((origin) -> origin.answer((request) -> request.getUrl().encodedPath().equals("/api")
					? answer.apply(request) : LoopbackTlsOrigins.Origin.ok(request)));
	}

	private int get() throws IOException {
		try (Response response = this.pool.execute(new Request.Builder().url(this.origins.url("/api")).build())) {
			response.body().string();
			return response.code();
		}
	}

	@Test
	void upWithDetailsWhenEveryHostHasEnoughHealthyConnections() throws Exception {
		startPoolOverThreeOrigins();

		Health health = indicator(1, false).health();

		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("minHealthyPerHost", 1)
			.containsEntry("failureRateThreshold", 50)
			.containsEntry("minimumNumberOfCalls", 5)
			.containsEntry("window", "PT2S")
			.containsEntry("successRate", 1.0);
		assertThat(host(health)).isEqualTo(new HostHealth("UP", 6, 6, List.of(), 0, 0, List.of()));
	}

	@Test
	void aHostWithFewerHealthyConnectionsThanTheMinimumIsDownAndTheIndicatorDegraded() throws Exception {
		startPoolOverThreeOrigins();

		Health health = indicator(7, false).health();

		assertThat(health.getStatus()).isEqualTo(HotConnPoolHealthIndicator.DEGRADED);
		assertThat(host(health)).isEqualTo(new HostHealth("DOWN", 6, 6, List.of(), 0, 0,
				List.of("6 healthy connections, fewer than 7")));
		assertThat(indicator(7, true).health().getStatus()).as("allow-to-fail").isEqualTo(Status.DOWN);
	}

	@Test
	void downWhenEveryIpOfAHostIsBlacklisted() throws Exception {
		this.origins = LoopbackTlsOrigins.start(1);
		pool(ActuatorTestApplication.config(this.origins,
				(config) -> config.getBlacklist().setAllBlacklisted(AllBlacklistedPolicy.FAIL))).start();
		HotConnPoolHealthIndicator indicator = indicator(1, true);
		assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

		this.origins.origin(0).answer(403);

		await().atMost(WITHIN).untilAsserted(() -> {
			Health health = indicator.health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(host(health).healthy()).isZero();
			assertThat(host(health).blacklistedIps()).containsExactly(this.origins.origin(0).ip());
		});
	}

	@Test
	void downWhenRecentRequestsAnswer500AndUpAgainWhenTheySucceed() throws Exception {
		startPoolOverThreeOrigins();
		HotConnPoolHealthIndicator indicator = indicator(1, true);
		api((request) -> LoopbackTlsOrigins.Origin.status(request, 500, "broken"));

		for (int i = 0; i < 5; i++) {
			assertThat(get()).isEqualTo(500);
		}

		Health down = indicator.health();
		assertThat(down.getStatus()).isEqualTo(Status.DOWN);
		assertThat(host(down).healthy()).as("every connection works: only the answers are bad").isEqualTo(6);
		assertThat(host(down).reasons()).containsExactly("5 of the last 5 calls failed, at least 50% in PT2S");

		api(LoopbackTlsOrigins.Origin::ok);
		long healed = System.nanoTime();
		await().atMost(WITHIN).untilAsserted(() -> {
			assertThat(get()).isEqualTo(200);
			assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
		});
		Reliability.report("a host answers 500", "health DOWN after 5 calls, UP "
				+ Duration.ofNanos(System.nanoTime() - healed).toMillis() + " ms after it answered 200 again");
	}

	@Test
	void downWhenResponsesAreResetMidBody() throws Exception {
		// mockwebserver3 applies socket effects to HTTP/1.1 only
		this.origins = LoopbackTlsOrigins.start(3, List.of(Protocol.HTTP_1_1));
		pool(ActuatorTestApplication.config(this.origins)).start();
		HotConnPoolHealthIndicator indicator = indicator(1, false);
		api((request) -> new MockResponse.Builder().body("x".repeat(64 * 1024))
			.onResponseBody(new SocketEffect.CloseSocket())
			.build());

		for (int i = 0; i < 5; i++) {
			assertThatExceptionOfType(IOException.class).isThrownBy(this::get);
		}

		Health health = indicator.health();
		assertThat(health.getStatus()).isEqualTo(HotConnPoolHealthIndicator.DEGRADED);
		assertThat(host(health).recentFailures()).isEqualTo(5);
		assertThat(host(health).reasons()).contains("5 of the last 5 calls failed, at least 50% in PT2S");
		assertThat(this.pool.stats().failedRequests()).isEqualTo(5);
	}

	@Test
	void downWhenAcquiresTimeOutWhileEveryConnectionIsHeld() throws Exception {
		this.origins = LoopbackTlsOrigins.start(1);
		pool(this.origins.config(sizes(16, 16))).start();
		HotConnPoolHealthIndicator indicator = indicator(1, true);
		List<Lease> held = new ArrayList<>();
		for (int i = 0; i < 16; i++) {
			held.add(this.pool.acquireExclusive(this.origins.target()));
		}

		for (int i = 0; i < 5; i++) {
			assertThatExceptionOfType(AcquireTimeoutException.class)
				.isThrownBy(() -> this.pool.acquire(this.origins.target(), Duration.ofMillis(10)));
		}

		Health health = indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.DOWN);
		assertThat(host(health).healthy()).as("held connections still count healthy").isEqualTo(16);
		assertThat(host(health).reasons()).containsExactly("5 of the last 5 calls failed, at least 50% in PT2S");

		held.forEach(Lease::close);
		long returned = System.nanoTime();
		await().atMost(WITHIN).untilAsserted(() -> assertThat(indicator.health().getStatus()).isEqualTo(Status.UP));
		Reliability.report("16 of 16 connections leased and never returned", "5 acquire timeouts: health DOWN; UP "
				+ Duration.ofNanos(System.nanoTime() - returned).toMillis() + " ms after the leases came back"
				+ " (the timeouts left the " + WINDOW.toSeconds() + " s window)");
	}

	@Test
	void outOfServiceBeforeStartAndAfterClose() throws Exception {
		this.origins = LoopbackTlsOrigins.start(1);
		pool(ActuatorTestApplication.config(this.origins));
		HotConnPoolHealthIndicator indicator = indicator(1, false);
		assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);

		this.pool.start();
		assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

		this.pool.close();
		assertThat(indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
	}

	@Test
	void thresholdsOutOfRangeNameTheirProperty() {
		assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> new Thresholds(0, 10, 50, false))
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo("hotconnpool.health.min-healthy-per-host"));
		assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> new Thresholds(1, 0, 50, false))
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo("hotconnpool.health.minimum-number-of-calls"));
		assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> new Thresholds(1, 10, 0, false))
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo("hotconnpool.health.failure-rate-threshold"));
		assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> new Thresholds(1, 10, 101, false))
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo("hotconnpool.health.failure-rate-threshold"));
	}

}
