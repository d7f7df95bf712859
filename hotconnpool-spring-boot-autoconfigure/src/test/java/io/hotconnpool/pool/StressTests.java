package io.hotconnpool.pool;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.hotconnpool.test.LoopbackTlsOrigins;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

import static io.hotconnpool.test.LoopbackTlsOrigins.sizes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * 64 threads of acquire / execute / release with faults injected, bounded in time, with the pool's invariants
 * checked all along; a DNS answer that changes under load; then a stop in the middle of such a load.
 */
class StressTests {

	private static final int THREADS = 64;

	private static final Duration LOAD = Duration.ofSeconds(4);

	/** Three IPs over HTTP/1.1; the first cuts about one response in ten mid-way. */
	private static LoopbackTlsOrigins faultyOrigins() throws IOException {
		LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(3, List.of(Protocol.HTTP_1_1));
		origins.origin(0)
			.answer((request) -> (!"HEAD".equals(request.getMethod()) && ThreadLocalRandom.current().nextInt(10) == 0)
					? new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build()
					: LoopbackTlsOrigins.Origin.ok(request));
		return origins;
	}

	private static HotConnPoolConfig config(LoopbackTlsOrigins origins, Consumer<HotConnPoolConfig> pool) {
		return origins.config(sizes(2, 12), (config) -> {
			config.setAcquireTimeout(Duration.ofSeconds(10));
			config.setHealthCheckInterval(Duration.ofMillis(200));
			// keep the faulty IP in play: this test is about concurrency
			config.getBlacklist().setFailureThreshold(1_000);
			pool.accept(config);
		});
	}

	@Test
	void invariantsHoldUnderLoadWithFaults() throws Exception {
		try (LoopbackTlsOrigins origins = faultyOrigins(); HotConnPool pool = origins.pool(config(origins, (settings) -> {
		}))) {
			pool.start();
			Request request = new Request.Builder().url("https://" + origins.target() + "/load").build();
			AtomicInteger succeeded = new AtomicInteger();
			AtomicInteger failed = new AtomicInteger();
			PoolLoad load = new PoolLoad(pool);
			load.run(THREADS, 2_000, LOAD, () -> {
				try (Lease lease = pool.acquire(origins.target())) {
					load.holding(lease, (held) -> {
						try (Response response = held.execute(request)) {
							response.body().string();
							succeeded.incrementAndGet();
						}
						catch (IOException ex) {
							failed.incrementAndGet(); // an injected fault
						}
					});
				}
			});
			load.awaitEnd(LOAD.plusSeconds(30));

			PoolStats stats = pool.stats();
			assertThat(failed.get()).as("faults were injected").isPositive();
			assertThat(succeeded.get()).isGreaterThan(10 * failed.get());
			assertThat(stats.totalRequests()).isEqualTo(succeeded.get() + failed.get());
			assertThat(stats.failedRequests()).isEqualTo(failed.get());
			assertThat(stats.activeConnections()).as("every lease returned").isZero();
			assertThat(stats.connectionsCreated() - PoolLoad.retired(stats)).isEqualTo(stats.totalConnections());
			Reliability.report("64 threads, one IP cutting 1 response in 10", succeeded + " requests served, "
					+ failed + " failed in flight on a cut connection; invariants held");
		}
	}

	@Test
	void theDnsAnswerChangesUnderLoadWithoutFailingARequest() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(4)) {
			List<InetAddress> all = origins.addresses();
			AtomicReference<List<InetAddress>> answer = new AtomicReference<>(all.subList(0, 2));
			HotConnPoolConfig settings = origins.config(sizes(2, 4), (config) -> {
				config.setAcquireTimeout(Duration.ofSeconds(10));
				config.setDnsUpdateInterval(Duration.ofMillis(200));
			});
			try (HotConnPool pool = HotConnPool.builder(settings).resolver((host) -> answer.get()).build()) {
				pool.start();
				Request request = new Request.Builder().url("https://" + origins.target() + "/dns").build();
				AtomicInteger succeeded = new AtomicInteger();
				PoolLoad load = new PoolLoad(pool).run(16, 100_000, Duration.ofSeconds(40), () -> {
					try (Response response = pool.execute(request)) {
						assertThat(response.body().string()).isEqualTo("hot"); // any failure ends the test
						succeeded.incrementAndGet();
					}
				});
				await().atMost(Duration.ofSeconds(10)).until(() -> succeeded.get() > 200);

				long switched = System.nanoTime();
				answer.set(all.subList(2, 4));

				await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
					HostStats host = pool.stats().hosts().get(0);
					assertThat(host.addresses()).containsExactly("127.0.0.4", "127.0.0.5");
					assertThat(host.draining()).isEmpty();
					assertThat(host.connections()).extracting(ConnectionStats::ip)
						.hasSize(4)
						.allMatch((ip) -> ip.equals("127.0.0.4") || ip.equals("127.0.0.5"));
				});
				Duration drained = Duration.ofNanos(System.nanoTime() - switched);
				int onOldIps = origins.origin(0).requests() + origins.origin(1).requests();
				int afterDrain = succeeded.get();
				await().atMost(Duration.ofSeconds(10)).until(() -> succeeded.get() > afterDrain + 200);
				load.stop();
				load.awaitEnd(Duration.ofSeconds(30));

				PoolStats stats = pool.stats();
				assertThat(origins.origin(0).requests() + origins.origin(1).requests()).as("no request to a drained IP")
					.isEqualTo(onOldIps);
				assertThat(stats.totalRequests()).isEqualTo(succeeded.get());
				assertThat(stats.failedRequests()).isZero();
				assertThat(stats.retries()).isZero();
				assertThat(stats.newConnectionsFromDns()).isEqualTo(4);
				assertThat(stats.retiredByReason()).containsEntry(RetireReason.DNS_REMOVED, 4L);
				assertThat(stats.connectionsCreated() - PoolLoad.retired(stats)).isEqualTo(stats.totalConnections());
				Reliability.report("DNS answer changes under 16 threads", "old IPs drained and new ones warm "
						+ drained.toMillis() + " ms after the switch; " + stats.totalRequests() + " requests, 0 failed");
			}
		}
	}

	@Test
	void stopUnderLoadEndsInTimeAnswersEveryCallerAndLeavesNoSocketOpen() throws Exception {
		assumeThat(Path.of("/proc/self/fd")).as("counting sockets needs Linux /proc").isDirectory();
		try (LoopbackTlsOrigins origins = faultyOrigins()) {
			long socketsBefore = PoolLoad.openSockets();
			Duration drain = Duration.ofSeconds(1);
			HotConnPool pool = origins.pool(config(origins, (settings) -> settings.getShutdown().setDrainTimeout(drain)));
			pool.start();
			Request request = new Request.Builder().url("https://" + origins.target() + "/load").build();
			AtomicInteger unexpected = new AtomicInteger();
			AtomicInteger closedRefusals = new AtomicInteger();
			long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
			ExecutorService workers = Executors.newFixedThreadPool(THREADS);
			for (int i = 0; i < THREADS; i++) {
				workers.execute(() -> {
					for (int n = 0; n < 100_000 && System.nanoTime() < deadline; n++) {
						try (Response response = pool.execute(request)) {
							response.body().string();
						}
						catch (PoolClosedException ex) {
							closedRefusals.incrementAndGet();
							return;
						}
						catch (IOException ex) {
							// an injected fault, or a lease cut by the stop
						}
						catch (RuntimeException ex) {
							unexpected.incrementAndGet();
						}
					}
				});
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().totalRequests() > 500);

			long start = System.nanoTime();
			pool.stop();
			Duration took = Duration.ofNanos(System.nanoTime() - start);

			workers.shutdown();
			PoolLoad.awaitOrDumpThreads(workers, Duration.ofSeconds(30));
			assertThat(took).isLessThan(drain.plusSeconds(3));
			assertThat(closedRefusals).as("every worker was told the pool closed").hasValue(THREADS);
			assertThat(unexpected).hasValue(0);
			assertThat(pool.stats().totalConnections()).isZero();
			await().atMost(Duration.ofSeconds(10)).until(() -> PoolLoad.openSockets() <= socketsBefore);
			Reliability.report("stop under 64 threads", "stopped in " + took.toMillis() + " ms (drain timeout 1 s); "
					+ "every worker told PoolClosedException; no TCP socket left open");
		}
	}

}
