package io.hotconnpool.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.hotconnpool.test.LoopbackTlsOrigins;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

import static io.hotconnpool.test.LoopbackTlsOrigins.sizes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many threads acquire, execute and release for a bounded time over real TLS origins: no connection is ever leased
 * twice at once, the host never exceeds its maximum, the numbers add up and every lease comes back.
 */
class ConcurrencyTests {

	private static final int THREADS = 16;

	private static final int MAX_CONNECTIONS = 8;

	private static final Duration RUN_TIME = Duration.ofSeconds(3);

	@Test
	void leasesAreExclusiveBoundedAndAccountedFor() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(3);
				HotConnPool pool = origins.pool(origins
					.config(sizes(2, MAX_CONNECTIONS), (config) -> config.setAcquireTimeout(Duration.ofSeconds(10))))) {
			pool.start();
			Map<Long, Thread> holders = new ConcurrentHashMap<>();
			AtomicInteger doubleLeases = new AtomicInteger();
			AtomicInteger maxObserved = new AtomicInteger();
			AtomicLong executed = new AtomicLong();
			Request request = new Request.Builder().url("https://" + origins.target() + "/load").build();
			long deadline = System.nanoTime() + RUN_TIME.toNanos();
			ExecutorService threads = Executors.newFixedThreadPool(THREADS);
			List<Future<?>> workers = new ArrayList<>();
			for (int i = 0; i < THREADS; i++) {
				workers.add(threads.submit(() -> {
					for (int n = 0; n < 5_000 && System.nanoTime() < deadline; n++) { // bounded in count and time
						try (Lease lease = pool.acquireExclusive(origins.target())) {
							long id = lease.stats().id();
							if (holders.putIfAbsent(id, Thread.currentThread()) != null) {
								doubleLeases.incrementAndGet();
							}
							maxObserved.accumulateAndGet(pool.stats().totalConnections(), Math::max);
							try (Response response = lease.execute(request)) {
								assertThat(response.code()).isEqualTo(200);
								executed.incrementAndGet();
							}
							holders.remove(id, Thread.currentThread());
						}
					}
					return null;
				}));
			}
			threads.shutdown();
			assertThat(threads.awaitTermination(RUN_TIME.toSeconds() + 30, TimeUnit.SECONDS))
				.as("every worker finished")
				.isTrue();
			for (Future<?> worker : workers) {
				worker.get(); // rethrows a worker's failure
			}

			PoolStats stats = pool.stats();
			assertThat(doubleLeases).hasValue(0);
			assertThat(maxObserved.get()).isBetween(6, MAX_CONNECTIONS);
			assertThat(executed.get()).isGreaterThan(THREADS);
			assertThat(stats.totalRequests()).isEqualTo(executed.get());
			assertThat(stats.failedRequests()).isZero();
			assertThat(stats.activeConnections()).as("every lease came back").isZero();
			assertThat(stats.waitingAcquires()).isZero();
			assertThat(stats.idleConnections()).isEqualTo(stats.totalConnections());
			assertThat(stats.connectionsCreated() - stats.retiredByReason().values().stream().mapToLong(Long::longValue).sum())
				.as("created minus retired is what the pool holds")
				.isEqualTo(stats.totalConnections());
			// An acquire that waited while a connection was opened for it paid for the handshake: not hot.
			long openedOnDemand = stats.connectionsCreated() - 6;
			assertThat(stats.hotHits()).as("every request met a warm connection, but those that waited for one opened"
					+ " on demand").isBetween(executed.get() - openedOnDemand, executed.get());
			int serverRequests = origins.all().stream().mapToInt(LoopbackTlsOrigins.Origin::requests).sum();
			assertThat(serverRequests).as("user requests plus one probe per connection")
				.isEqualTo(executed.get() + stats.connectionsCreated());
		}
	}

	@Test
	void noConnectionIsLostWhenAWaiterIsInterrupted() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1);
				HotConnPool pool = origins.pool(origins.config(sizes(1, 1)))) {
			pool.start();
			Lease held = pool.acquireExclusive(origins.target());
			ExecutorService waiterThread = Executors.newSingleThreadExecutor();
			Future<?> waiter = waiterThread.submit(() -> pool.acquireExclusive(origins.target(), Duration.ofSeconds(30)));
			org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().waitingAcquires() == 1);

			waiter.cancel(true);
			waiterThread.shutdown();
			assertThat(waiterThread.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
			held.close();

			assertThat(pool.stats().waitingAcquires()).isZero();
			assertThat(pool.stats().idleConnections()).isEqualTo(1);
			try (Lease again = pool.acquireExclusive(origins.target(), Duration.ZERO)) {
				assertThat(again.stats().state()).isEqualTo(ConnectionState.LEASED);
			}
		}
	}


}
