package io.hotconnpool.pool;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * 64 threads of acquire / execute / release with faults injected, bounded in time, with the pool's invariants
 * checked all along; then a stop in the middle of such a load.
 */
class StressTest {

	private static final int THREADS = 64;

	private static final Duration LOAD = Duration.ofSeconds(4);

	/** Three IPs over HTTP/1.1; the first cuts about one response in ten mid-way. */
	private static TlsOrigins faultyOrigins() throws IOException {
		TlsOrigins origins = TlsOrigins.start(3, TlsOrigins.HOST, List.of(Protocol.HTTP_1_1));
		origins.origin(0)
			.answer((request) -> (!"HEAD".equals(request.getMethod()) && ThreadLocalRandom.current().nextInt(10) == 0)
					? new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build()
					: TlsOrigins.Origin.ok(request));
		return origins;
	}

	private static HotConnPoolSettings.Builder settings(TlsOrigins origins) {
		return origins.settings((host) -> host.connectionsPerIp(2).maxConnections(12))
			.acquireTimeout(Duration.ofSeconds(10))
			.healthCheckInterval(Duration.ofMillis(200))
			.blacklistFailureThreshold(1_000); // keep the faulty IP in play: this test is about concurrency
	}

	@Test
	void invariantsHoldUnderLoadWithFaults() throws Exception {
		try (TlsOrigins origins = faultyOrigins(); HotConnPool pool = origins.pool(settings(origins).build())) {
			pool.start();
			Request request = new Request.Builder().url("https://" + origins.target() + "/load").build();
			Map<Long, Thread> holders = new ConcurrentHashMap<>();
			AtomicInteger doubleLeases = new AtomicInteger();
			AtomicInteger succeeded = new AtomicInteger();
			AtomicInteger failed = new AtomicInteger();
			AtomicReference<String> violation = new AtomicReference<>();
			AtomicBoolean running = new AtomicBoolean(true);
			long deadline = System.nanoTime() + LOAD.toNanos();

			ExecutorService checker = Executors.newSingleThreadExecutor();
			Future<?> invariants = checker.submit(() -> {
				long lastRequests = 0;
				long lastHandshakes = 0;
				while (running.get()) {
					PoolStats stats = pool.stats();
					HostStats host = stats.hosts().get(0);
					int reserved = (int) host.connections().stream().filter((c) -> c.state() == ConnectionState.RESERVED).count();
					if (host.idle() + host.leased() + host.warming() + reserved != host.total()) {
						violation.compareAndSet(null, "states do not add up: " + host.summary());
					}
					if (host.total() > host.maxConnections()) {
						violation.compareAndSet(null, "above the maximum: " + host.summary());
					}
					if (stats.totalRequests() < lastRequests || stats.handshakes() < lastHandshakes) {
						violation.compareAndSet(null, "a counter went down");
					}
					lastRequests = stats.totalRequests();
					lastHandshakes = stats.handshakes();
				}
			});
			ExecutorService workers = Executors.newFixedThreadPool(THREADS);
			List<Future<?>> results = new ArrayList<>();
			for (int i = 0; i < THREADS; i++) {
				results.add(workers.submit(() -> {
					for (int n = 0; n < 2_000 && System.nanoTime() < deadline; n++) { // bounded in count and time
						try (HotConnection lease = pool.acquire(origins.target())) {
							long id = lease.stats().id();
							if (holders.putIfAbsent(id, Thread.currentThread()) != null) {
								doubleLeases.incrementAndGet();
							}
							try (Response response = lease.execute(request)) {
								response.body().string();
								succeeded.incrementAndGet();
							}
							catch (IOException ex) {
								failed.incrementAndGet(); // an injected fault
							}
							finally {
								holders.remove(id, Thread.currentThread());
							}
						}
					}
					return null;
				}));
			}
			workers.shutdown();
			awaitOrDumpThreads(workers, LOAD.plusSeconds(30));
			running.set(false);
			checker.shutdown();
			invariants.get(10, TimeUnit.SECONDS);
			for (Future<?> result : results) {
				result.get();
			}

			PoolStats stats = pool.stats();
			assertThat(violation.get()).isNull();
			assertThat(doubleLeases).hasValue(0);
			assertThat(failed.get()).as("faults were injected").isPositive();
			assertThat(succeeded.get()).isGreaterThan(10 * failed.get());
			assertThat(stats.totalRequests()).isEqualTo(succeeded.get() + failed.get());
			assertThat(stats.failedRequests()).isEqualTo(failed.get());
			assertThat(stats.activeConnections()).as("every lease returned").isZero();
			long retired = stats.retiredByReason().values().stream().mapToLong(Long::longValue).sum();
			assertThat(stats.connectionsCreated() - retired).isEqualTo(stats.totalConnections());
		}
	}

	@Test
	void stopUnderLoadEndsInTimeAnswersEveryCallerAndLeavesNoSocketOpen() throws Exception {
		assumeThat(Path.of("/proc/self/fd")).as("counting sockets needs Linux /proc").isDirectory();
		try (TlsOrigins origins = faultyOrigins()) {
			long socketsBefore = openSockets();
			Duration drain = Duration.ofSeconds(1);
			HotConnPool pool = origins.pool(settings(origins).drainTimeout(drain).build());
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
			pool.stop(() -> {
			});
			Duration took = Duration.ofNanos(System.nanoTime() - start);

			workers.shutdown();
			awaitOrDumpThreads(workers, Duration.ofSeconds(30));
			assertThat(took).isLessThan(drain.plusSeconds(3));
			assertThat(closedRefusals).as("every worker was told the pool closed").hasValue(THREADS);
			assertThat(unexpected).hasValue(0);
			assertThat(pool.stats().totalConnections()).isZero();
			await().atMost(Duration.ofSeconds(10)).until(() -> openSockets() <= socketsBefore);
		}
	}

	/** Sockets this JVM holds open, from /proc. */
	private static long openSockets() throws IOException {
		try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
			return fds.filter((fd) -> {
				try {
					return Files.readSymbolicLink(fd).toString().startsWith("socket:");
				}
				catch (IOException ex) {
					return false; // closed while listing
				}
			}).count();
		}
	}

	/** The watchdog: a worker that does not finish in time fails the test with every thread's stack. */
	private static void awaitOrDumpThreads(ExecutorService workers, Duration bound) throws InterruptedException {
		if (!workers.awaitTermination(bound.toMillis(), TimeUnit.MILLISECONDS)) {
			StringBuilder dump = new StringBuilder("Workers stuck; threads:\n");
			for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
				dump.append(info);
			}
			workers.shutdownNow();
			throw new AssertionError(dump.toString());
		}
	}

}
