package io.hotconnpool.pool;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.hotconnpool.test.LoopbackTlsOrigins;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import org.springframework.boot.convert.DurationStyle;

import static io.hotconnpool.test.LoopbackTlsOrigins.sizes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link StressTests}'s load for a long time with random faults, skipped in the normal build. Run it with:
 * <pre>
 * ./mvnw -o -pl hotconnpool-spring-boot-autoconfigure test -Dtest=SoakTests -Dhotconnpool.soak=10m -Dsurefire.timeout=900
 * </pre>
 * ({@code -Dhotconnpool.soak.seed=N} replays a run's fault schedule; {@code surefire.timeout}, in seconds, must
 * exceed the soak). 64 threads acquire, execute and release over four IPs of one host while, every half second to two
 * seconds, one of three IPs changes fault: cut responses, 503, 403, responses slower than the read timeout, port
 * closed, or healthy again, and the DNS answer changes. The fourth IP stays healthy and in DNS. The pool's
 * invariants are checked all along (see {@link PoolLoad}). At the end every fault is healed: the pool must converge
 * to every IP warm within seconds, serve without a single failure from then on, have every lease back, and leave no
 * socket open once closed.
 */
@EnabledIfSystemProperty(named = "hotconnpool.soak", matches = ".+")
class SoakTests {

	private static final int THREADS = 64;

	private static final Duration READ_TIMEOUT = Duration.ofSeconds(1);

	private enum Fault {

		HEALTHY, CUTS, UNAVAILABLE, BLOCKED, SLOW, DOWN

	}

	@Test
	void survivesRandomFaultsUnderLoad() throws Exception {
		Duration soak = DurationStyle.detectAndParse(System.getProperty("hotconnpool.soak"));
		long seed = Long.getLong("hotconnpool.soak.seed", System.nanoTime());
		Random random = new Random(seed);
		Reliability.report("soak", "for " + soak + " with seed " + seed);
		boolean countSockets = Files.isDirectory(Path.of("/proc/self/fd"));
		long socketsBefore = countSockets ? PoolLoad.openSockets() : 0;
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(4, List.of(Protocol.HTTP_1_1))) {
			List<InetAddress> all = origins.addresses();
			AtomicReference<List<InetAddress>> answer = new AtomicReference<>(all);
			HotConnPoolConfig settings = origins.config(sizes(2, 12), (config) -> {
				config.setAcquireTimeout(Duration.ofSeconds(10));
				config.setReadTimeout(READ_TIMEOUT);
				config.setHealthCheckInterval(Duration.ofMillis(200));
				config.setHealthCheckIdleThreshold(Duration.ofMillis(100));
				config.setCleanupInterval(Duration.ofMillis(200));
				config.setMaxLifetime(Duration.ofSeconds(5));
				config.getBlacklist().setTtl(Duration.ofSeconds(1));
				config.getBlacklist().setCheckInterval(Duration.ofMillis(200));
				config.setDnsUpdateInterval(Duration.ofMillis(200));
				config.setLeakDetectionThreshold(Duration.ofSeconds(10));
				config.getShutdown().setDrainTimeout(Duration.ofSeconds(2));
			});
			HotConnPool pool = HotConnPool.builder(settings).resolver((host) -> answer.get()).build();
			Outcomes outcomes = new Outcomes();
			Request get = new Request.Builder().url("https://" + origins.target() + "/load").build();
			Request post = new Request.Builder().url("https://" + origins.target() + "/load")
				.post(RequestBody.create("{}", MediaType.get("application/json")))
				.build();
			try (pool) {
				pool.start();
				PoolLoad load = new PoolLoad(pool).withIpsComingBack();
				load.run(THREADS, Integer.MAX_VALUE, soak.plusMinutes(2), () -> work(pool, load, get, post, outcomes));
				Fault[] faults = { Fault.HEALTHY, Fault.HEALTHY, Fault.HEALTHY, Fault.HEALTHY };
				long deadline = System.nanoTime() + soak.toNanos();
				long nextReport = System.nanoTime();
				while (System.nanoTime() - deadline < 0) {
					TimeUnit.MILLISECONDS.sleep(500 + random.nextInt(1_500)); // pacing of the fault schedule
					int ip = 1 + random.nextInt(3);
					faults[ip] = change(origins.origin(ip), faults[ip], Fault.values()[random.nextInt(Fault.values().length)]);
					List<InetAddress> inDns = new ArrayList<>(List.of(all.get(0)));
					all.subList(1, 4).stream().filter((address) -> random.nextInt(4) > 0).forEach(inDns::add);
					answer.set(inDns);
					if (System.nanoTime() - nextReport >= 0) {
						Reliability.report("soak progress", outcomes + "; " + pool.stats().hosts().get(0).summary());
						nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
					}
				}

				for (int ip = 1; ip < 4; ip++) {
					change(origins.origin(ip), faults[ip], Fault.HEALTHY);
				}
				answer.set(all);
				long healed = System.nanoTime();
				await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
					HostStats host = pool.stats().hosts().get(0);
					assertThat(host.blacklisted()).isEmpty();
					assertThat(host.draining()).isEmpty();
					assertThat(host.connections()).filteredOn((c) -> c.healthy()).hasSizeGreaterThanOrEqualTo(8);
				});
				Duration converged = Duration.ofNanos(System.nanoTime() - healed);
				// Requests sent before the healing end within the read timeout; connections a server closed while it
				// was down fail their next use (retried by execute, in flight for a lease): let the load meet them.
				long convergedAt = outcomes.total();
				await().pollDelay(READ_TIMEOUT.multipliedBy(2))
					.atMost(Duration.ofSeconds(30))
					.until(() -> outcomes.total() > convergedAt + 1_000);
				long failuresWhenHealthy = outcomes.failed.get();
				long served = outcomes.total();
				await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.total() > served + 2_000);
				load.stop();
				load.awaitEnd(Duration.ofSeconds(60));

				PoolStats stats = pool.stats();
				assertThat(outcomes.unexpected.get()).as("only I/O failures, never another exception").isNull();
				assertThat(outcomes.failed.get()).as("no failure once every IP is healthy again")
					.isEqualTo(failuresWhenHealthy);
				assertThat(outcomes.failed.get()).as("a sanity bound: failures stay the exception")
					.isLessThan(outcomes.total() / 20);
				assertThat(stats.activeConnections()).as("every lease returned").isZero();
				assertThat(stats.totalConnections()).as("surplus retired once returned").isLessThanOrEqualTo(12);
				assertThat(stats.leaksDetected()).isZero();
				assertThat(stats.acquireTimeouts()).as("one IP always healthy: never without a connection").isZero();
				assertThat(stats.connectionsCreated() - PoolLoad.retired(stats)).isEqualTo(stats.totalConnections());
				Reliability.report("soak", outcomes + "; converged " + converged.toMillis() + " ms after healing; "
						+ PoolLoad.counters(stats));
			}
			assertThat(pool.stats().totalConnections()).isZero();
		}
		if (countSockets) {
			await().atMost(Duration.ofSeconds(10)).until(() -> PoolLoad.openSockets() <= socketsBefore);
		}
	}

	/** One step of a worker: mostly idempotent requests through the pool, some leases, some POSTs. */
	private static void work(HotConnPool pool, PoolLoad load, Request get, Request post, Outcomes outcomes)
			throws Exception {
		int kind = ThreadLocalRandom.current().nextInt(10);
		try {
			if (kind < 7) {
				try (Response response = pool.execute(get)) {
					response.body().string();
					outcomes.answered(response.code());
				}
				catch (IOException ex) {
					outcomes.failed(outcomes.failedAfterRetry); // both attempts met a fault
				}
			}
			else {
				try (Lease lease = pool.acquire(get.url().host() + ":" + get.url().port())) {
					load.holding(lease, (held) -> {
						try (Response response = held.execute((kind < 9) ? get : post)) {
							response.body().string();
							outcomes.answered(response.code());
						}
						catch (IOException ex) {
							outcomes.failed(outcomes.failedOnLease); // a lease never retries: the holder decides
						}
					});
				}
			}
		}
		catch (RuntimeException ex) {
			outcomes.unexpected.compareAndSet(null, ex);
		}
	}

	/** Moves an origin from one fault to another. */
	private static Fault change(LoopbackTlsOrigins.Origin origin, Fault from, Fault to) throws IOException {
		if (from == Fault.DOWN && to != Fault.DOWN) {
			origin.restart();
		}
		switch (to) {
			case HEALTHY -> origin.answer(LoopbackTlsOrigins.Origin::ok);
			case CUTS -> origin.answer((request) -> isHead(request) || ThreadLocalRandom.current().nextInt(5) > 0
					? LoopbackTlsOrigins.Origin.ok(request)
					: new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build());
			case UNAVAILABLE -> origin.answer((request) -> LoopbackTlsOrigins.Origin.status(request, 503, "busy"));
			case BLOCKED -> origin.answer((request) -> LoopbackTlsOrigins.Origin.status(request, 403, "blocked"));
			case SLOW -> origin.answer((request) -> isHead(request) ? LoopbackTlsOrigins.Origin.ok(request)
					: new MockResponse.Builder().headersDelay(READ_TIMEOUT.toMillis() * 3 / 2, TimeUnit.MILLISECONDS)
						.body("late")
						.build());
			case DOWN -> {
				if (from != Fault.DOWN) {
					origin.close();
				}
			}
		}
		return to;
	}

	private static boolean isHead(RecordedRequest request) {
		return "HEAD".equals(request.getMethod());
	}

	/** What the workers saw. */
	private static final class Outcomes {

		final AtomicLong ok = new AtomicLong();

		final AtomicLong statuses = new AtomicLong();

		final AtomicLong failed = new AtomicLong();

		final AtomicLong failedAfterRetry = new AtomicLong();

		final AtomicLong failedOnLease = new AtomicLong();

		final AtomicReference<RuntimeException> unexpected = new AtomicReference<>();

		void answered(int code) {
			(code == 200 ? this.ok : this.statuses).incrementAndGet();
		}

		void failed(AtomicLong kind) {
			kind.incrementAndGet();
			this.failed.incrementAndGet();
		}

		long total() {
			return this.ok.get() + this.statuses.get() + this.failed.get();
		}

		@Override
		public String toString() {
			return this.ok + " answered 200, " + this.statuses + " another status (403, 503), " + this.failed
					+ " failed (" + this.failedAfterRetry + " GETs through execute after its retry, "
					+ this.failedOnLease + " on leases)";
		}

	}

}
