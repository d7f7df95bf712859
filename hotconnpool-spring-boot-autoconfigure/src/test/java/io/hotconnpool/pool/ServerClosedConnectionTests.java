package io.hotconnpool.pool;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.hotconnpool.test.LoopbackProxy;
import io.hotconnpool.test.LoopbackTlsOrigins;
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
 * A server (here a proxy in front of it) closes idle HTTP/2 connections. OkHttp closes their sockets but its pool
 * still counts them idle; the pool learns it from the closing socket, retires them at once and re-warms in the
 * background, with its health check out of the picture (hours away), so requests keep finding hot connections.
 */
class ServerClosedConnectionTests {

	private static final Duration WITHIN = Duration.ofSeconds(15);

	private LoopbackTlsOrigins origins;

	private LoopbackProxy proxy;

	private HotConnPool pool;

	private final HeldTasksExecutor executor = new HeldTasksExecutor();

	@BeforeEach
	void startOriginAndProxy() throws Exception {
		this.origins = LoopbackTlsOrigins.start(1, List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
		this.proxy = new LoopbackProxy(InetAddress.getByName("127.0.0.9"), this.origins.port(),
				new InetSocketAddress(this.origins.origin(0).address(), this.origins.port()));
		this.pool = HotConnPool.builder(this.origins.config((host) -> host.setConnectionsPerIp(2),
				(config) -> config.setHealthCheckInterval(Duration.ofHours(1))))
			.resolver((host) -> List.of(this.proxy.address())).executor(this.executor).build();
		this.pool.start();
		assertThat(host().idle()).isEqualTo(2);
		assertThat(host().connections()).extracting(ConnectionStats::protocol).containsOnly("h2");
	}

	@AfterEach
	void tearDown() throws Exception {
		this.pool.close();
		this.proxy.close();
		this.origins.close();
		this.executor.threads.shutdownNow();
	}

	@Test
	void idleConnectionsTheServerClosesAreReplacedInTheBackgroundAndRequestsStayHot() throws Exception {
		for (int round = 1; round <= 3; round++) {
			this.proxy.dropAll();

			int closedSoFar = round * 2;
			await().atMost(WITHIN).untilAsserted(() -> {
				assertThat(this.pool.stats().retiredByReason()).containsEntry(RetireReason.BROKEN, (long) closedSoFar);
				assertThat(host().idle()).as("refilled").isEqualTo(2);
			});
			PoolStats before = this.pool.stats();
			assertThat(before.handshakes()).as("one handshake per replacement").isEqualTo(2 + closedSoFar);
			for (int i = 0; i < 4; i++) {
				try (Response response = this.pool.execute(get())) {
					assertThat(response.code()).isEqualTo(200);
				}
			}
			PoolStats after = this.pool.stats();
			assertThat(after.hotHits() - before.hotHits()).as("every request hot").isEqualTo(4);
			assertThat(after.handshakes()).as("no handshake on the request path").isEqualTo(before.handshakes());
			assertThat(after.failedRequests()).isZero();
		}
	}

	@Test
	void aConnectionWhoseSocketClosedIsNeverHandedOutEvenBeforeItsRetirementRuns() throws Exception {
		this.executor.hold();
		this.proxy.dropAll();
		// Each closed socket's report to the pool waits in the executor: the pool has retired nothing yet.
		await().atMost(WITHIN).until(() -> this.executor.held() == 2);
		assertThat(host().idle()).isEqualTo(2);

		assertThatExceptionOfType(AcquireTimeoutException.class)
			.isThrownBy(() -> this.pool.acquire(this.origins.target(), Duration.ZERO));
		assertThat(this.pool.stats().retiredByReason()).containsEntry(RetireReason.BROKEN, 2L);
		assertThat(host().warming()).as("replacements created, waiting for the executor").isEqualTo(2);

		this.executor.release();
		await().atMost(WITHIN).until(() -> host().idle() == 2);
		long handshakes = this.pool.stats().handshakes();
		try (Response response = this.pool.execute(get())) {
			assertThat(response.code()).isEqualTo(200);
		}
		assertThat(this.pool.stats().handshakes()).isEqualTo(handshakes);
		assertThat(this.pool.stats().failedRequests()).isZero();
	}

	private HostStats host() {
		return this.pool.stats().hosts().get(0);
	}

	private Request get() {
		return new Request.Builder().url("https://" + this.origins.target() + "/").build();
	}

	/** Runs tasks on a thread each, or holds them until released. */
	private static final class HeldTasksExecutor implements Executor {

		final ExecutorService threads = Executors.newCachedThreadPool();

		private final List<Runnable> held = new ArrayList<>();

		private boolean holding;

		@Override
		public synchronized void execute(Runnable task) {
			if (this.holding) {
				this.held.add(task);
			}
			else {
				this.threads.execute(task);
			}
		}

		synchronized void hold() {
			this.holding = true;
		}

		synchronized int held() {
			return this.held.size();
		}

		synchronized void release() {
			this.holding = false;
			this.held.forEach(this.threads::execute);
			this.held.clear();
		}

	}

}
