package io.hotconnpool.pool;

import java.io.IOException;
import java.time.Duration;

import io.hotconnpool.test.LoopbackTlsOrigins;
import java.util.List;

import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Connections that fail, answer a blacklist status or are closed by the server are retired on release and replaced
 * in the background, without deadlock.
 */
class RetirementTests {

	private LoopbackTlsOrigins origins;

	private HotConnPool pool;

	@BeforeEach
	void startPool() throws Exception {
		startPool(Protocol.HTTP_2);
	}

	private void startPool(Protocol protocol) throws Exception {
		this.origins = LoopbackTlsOrigins.start(1, List.of(protocol, Protocol.HTTP_1_1));
		this.pool = this.origins.pool(this.origins.config((host) -> host.setConnectionsPerIp(2)));
		this.pool.start();
	}

	/** mockwebserver3 applies socket effects (abrupt close, Connection: close) to HTTP/1.1 exchanges only. */
	private void restartOverHttp1() throws Exception {
		tearDown();
		startPool(Protocol.HTTP_1_1);
	}

	@AfterEach
	void tearDown() {
		this.pool.close();
		this.origins.close();
	}

	private Request get(String path) {
		return new Request.Builder().url("https://" + this.origins.target() + path).build();
	}

	private void awaitWarmAgain() {
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			PoolStats stats = this.pool.stats();
			assertThat(stats.idleConnections()).isEqualTo(2);
			assertThat(stats.totalConnections()).isEqualTo(2);
		});
	}

	@Test
	void aBlacklistStatusRetiresTheConnectionOnReleaseAndAReplacementIsWarmed() throws Exception {
		this.origins.origin(0)
			.answer((request) -> request.getUrl().encodedPath().equals("/blocked")
					? LoopbackTlsOrigins.Origin.status(request, 403, "go away") : LoopbackTlsOrigins.Origin.ok(request));
		long blockedId;
		try (Lease lease = this.pool.acquire(this.origins.target());
				Response response = lease.execute(get("/blocked"))) {
			assertThat(response.code()).isEqualTo(403);
			blockedId = lease.stats().id();
		}

		awaitWarmAgain();
		assertThat(this.pool.stats().retiredByReason()).containsEntry(RetireReason.BLACKLISTED, 1L);
		assertThat(this.pool.stats().hosts().get(0).connections()).noneMatch((c) -> c.id() == blockedId);
		assertThat(this.origins.connections()).isEqualTo(3);
	}

	@Test
	void anIoErrorRetiresTheConnectionAndTheNextRequestStillSucceeds() throws Exception {
		restartOverHttp1();
		this.origins.origin(0)
			.answer((request) -> request.getUrl().encodedPath().equals("/drop")
					? new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build()
					: LoopbackTlsOrigins.Origin.ok(request));
		try (Lease lease = this.pool.acquire(this.origins.target())) {
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> lease.execute(get("/drop")).close());
		}

		awaitWarmAgain();
		try (Response response = this.pool.execute(get("/after"))) {
			assertThat(response.code()).isEqualTo(200);
		}
		PoolStats stats = this.pool.stats();
		assertThat(stats.retiredByReason()).containsEntry(RetireReason.BROKEN, 1L);
		assertThat(stats.failedRequests()).isEqualTo(1);
		assertThat(stats.totalRequests()).isEqualTo(2);
		assertThat(stats.successRate()).isEqualTo(0.5);
	}

	@Test
	void aConnectionTheServerClosesAfterTheResponseIsReplaced() throws Exception {
		restartOverHttp1();
		MockResponse last = new MockResponse.Builder().code(200).setHeader("Connection", "close").body("bye").build();
		this.origins.origin(0)
			.answer((request) -> request.getUrl().encodedPath().equals("/last") ? last : LoopbackTlsOrigins.Origin.ok(request));
		try (Response response = this.pool.execute(get("/last"))) {
			assertThat(response.body().string()).isEqualTo("bye");
		}

		awaitWarmAgain();
		assertThat(this.pool.stats().retiredByReason()).containsEntry(RetireReason.BROKEN, 1L);
		assertThat(this.pool.stats().failedRequests()).isZero();
		try (Response response = this.pool.execute(get("/next"))) {
			assertThat(response.code()).isEqualTo(200);
		}
		assertThat(this.pool.stats().hotHits()).as("the replacement was warm before it was needed").isEqualTo(2);
	}

	@Test
	void aProbeAnsweringABlacklistStatusNeverMakesTheConnectionAvailable() throws Exception {
		this.origins.origin(0).answer((request) -> LoopbackTlsOrigins.Origin.status(request, 403, "blocked"));

		this.pool.forceCleanup();

		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.pool.stats().retiredByReason().get(RetireReason.BLACKLISTED) == 2);
		assertThat(this.pool.stats().idleConnections()).isZero();
		assertThatExceptionOfType(AcquireTimeoutException.class)
			.isThrownBy(() -> this.pool.acquire(this.origins.target(), Duration.ofMillis(300)))
			.withMessageContaining("probe answered 403");
	}

}
