package io.hotconnpool.pool;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import io.hotconnpool.test.LoopbackTlsOrigins;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * A lease observer that throws: its exception is the caller's, and the pool loses nothing to it. One origin and a
 * single connection, so that a lease not given back, or an exchange left open on the connection, shows.
 */
class LeaseObserverTests {

	@AutoClose
	private LoopbackTlsOrigins origins;

	private final FaultyObserver observer = new FaultyObserver();

	@AutoClose
	private HotConnPool pool;

	/** Starts the pool; on HTTP/1.1, GET /cut meets a server that closes the socket as the response starts. */
	private void start(Protocol protocol) throws Exception {
		this.origins = LoopbackTlsOrigins.start(1, List.of(protocol, Protocol.HTTP_1_1));
		this.origins.origin(0)
			.answer((request) -> request.getUrl().encodedPath().equals("/cut")
					? new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build()
					: LoopbackTlsOrigins.Origin.ok(request));
		this.pool = HotConnPool.builder(this.origins.config((host) -> {
			host.setConnectionsPerIp(1);
			host.setMaxConnections(1);
		}, (config) -> config.setRetryOnConnectionFailure(false)))
			.resolver(this.origins.resolver())
			.leaseObserver(this.observer)
			.build();
		this.pool.start();
	}

	@ParameterizedTest
	@EnumSource(value = Protocol.class, names = { "HTTP_2", "HTTP_1_1" })
	void anObserverFailingAtTheEndOfAnAcquireLeavesTheLeaseInThePool(Protocol protocol) throws Exception {
		start(protocol);
		this.observer.failAcquire.set(true);

		assertThatIllegalStateException().isThrownBy(() -> this.pool.acquire(this.origins.target()))
			.withMessage("observer failed");

		this.observer.failAcquire.set(false);
		assertThat(this.pool.stats().streamsInFlight()).as("given back").isZero();
		try (Lease lease = this.pool.acquireExclusive(this.origins.target(), Duration.ofSeconds(1));
				Response response = lease.execute(get("/"))) {
			assertThat(response.code()).isEqualTo(200);
		}
	}

	@Test
	void anObserverFailingWhenTheResponseArrivesLeavesNoExchangeOpenOnTheConnection() throws Exception {
		start(Protocol.HTTP_1_1);
		this.observer.failResponse.set(true);

		assertThatIllegalStateException().isThrownBy(() -> this.pool.execute(get("/"))).withMessage("observer failed");

		this.observer.failResponse.set(false);
		assertThat(this.pool.stats().activeConnections()).as("given back").isZero();
		this.origins.assertServedHot(this.pool, () -> {
			try (Response response = this.pool.execute(get("/"))) {
				assertThat(response.code()).isEqualTo(200);
			}
			catch (IOException ex) {
				throw new AssertionError(ex);
			}
		});
	}

	@Test
	void anObserverFailingAfterAFailedExchangeLeavesTheFailureCounted() throws Exception {
		start(Protocol.HTTP_1_1);
		this.observer.failResponse.set(true);

		assertThatIllegalStateException().isThrownBy(() -> this.pool.execute(get("/cut")))
			.withMessage("observer failed");

		PoolStats stats = this.pool.stats();
		assertThat(stats.failedRequests()).isEqualTo(1);
		assertThat(stats.retiredByReason()).containsEntry(RetireReason.BROKEN, 1L);
		assertThat(stats.activeConnections()).isZero();
	}

	private Request get(String path) {
		return new Request.Builder().url("https://" + this.origins.target() + path).build();
	}

	/** Throws when an acquire or an exchange ends, while told to. */
	private static final class FaultyObserver implements LeaseObserver {

		final AtomicBoolean failAcquire = new AtomicBoolean();

		final AtomicBoolean failResponse = new AtomicBoolean();

		@Override
		public Acquire acquireStarted(String host) {
			return (acquired) -> failIf(this.failAcquire);
		}

		@Override
		public Exchange requestStarted(String host, String ip, Request.Builder request) {
			return (response, failure, hot) -> failIf(this.failResponse);
		}

		private static void failIf(AtomicBoolean fail) {
			if (fail.get()) {
				throw new IllegalStateException("observer failed");
			}
		}

	}

}
