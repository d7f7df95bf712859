package io.hotconnpool.pool;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.hotconnpool.test.LoopbackProxy;
import io.hotconnpool.test.LoopbackTlsOrigins;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.internal.http2.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.hotconnpool.test.LoopbackTlsOrigins.sizes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * On HTTP/2 a lease is a stream: many callers share few connections, up to the pool's and the server's limit of
 * concurrent streams; a retired connection drains its streams; a PING that goes unanswered retires the connection;
 * and an exclusive lease still has its connection to itself.
 */
class Http2StreamsTests {

	private static final Duration WITHIN = Duration.ofSeconds(20);

	private final List<AutoCloseable> resources = new ArrayList<>();

	private final ExecutorService callers = Executors.newCachedThreadPool();

	@AfterEach
	void tearDown() throws Exception {
		this.callers.shutdownNow();
		for (int i = this.resources.size() - 1; i >= 0; i--) {
			this.resources.get(i).close();
		}
	}

	/** A started pool over the origins: one connection per IP, at most {@code maxConnections}. */
	private HotConnPool startOnePerIp(LoopbackTlsOrigins origins, int maxConnections) {
		HotConnPool pool = track(origins.pool(origins.config(sizes(1, maxConnections))));
		pool.start();
		return pool;
	}

	@Test
	void sixtyFourConcurrentRequestsShareTheConfiguredConnectionsAndAllComplete() throws Exception {
		LoopbackTlsOrigins origins = track(LoopbackTlsOrigins.start(2));
		HotConnPool pool = startOnePerIp(origins, 2);
		// Each answer waits until 16 requests are in flight at once: only streams sharing connections get there.
		CountDownLatch sixteenAtOnce = new CountDownLatch(16);
		ServerStreams server = new ServerStreams();
		origins.all().forEach((origin) -> origin.answer((request) -> {
			server.serve(request, () -> {
				sixteenAtOnce.countDown();
				awaitQuietly(sixteenAtOnce);
			});
			return LoopbackTlsOrigins.Origin.ok(request);
		}));

		List<CompletableFuture<Integer>> calls = new ArrayList<>();
		for (int i = 0; i < 64; i++) {
			calls.add(CompletableFuture.supplyAsync(() -> status(pool, origins.url("/")), this.callers));
		}
		for (CompletableFuture<Integer> call : calls) {
			assertThat(call.get(WITHIN.toSeconds(), TimeUnit.SECONDS)).isEqualTo(200);
		}

		PoolStats stats = pool.stats();
		assertThat(stats.totalRequests()).isEqualTo(64);
		assertThat(stats.failedRequests()).isZero();
		assertThat(stats.acquireTimeouts()).isZero();
		assertThat(stats.connectionsCreated()).as("the configured connections, no more").isEqualTo(2);
		assertThat(stats.handshakes()).as("no connection opened on the request path").isEqualTo(2);
		assertThat(origins.connections()).isEqualTo(2);
		assertThat(server.peak()).as("streams in flight at once").isGreaterThanOrEqualTo(16);
		assertThat(stats.hosts().get(0).connections()).extracting(ConnectionStats::requests)
			.as("both IPs serve")
			.allSatisfy((requests) -> assertThat(requests).isPositive());
		await().atMost(WITHIN).until(() -> pool.stats().streamsInFlight() == 0);
	}

	@Test
	void theServersMaxConcurrentStreamsIsRespected() throws Exception {
		LoopbackTlsOrigins origins = track(LoopbackTlsOrigins.start(1));
		Settings twoStreams = new Settings().set(Settings.MAX_CONCURRENT_STREAMS, 2);
		ServerStreams server = new ServerStreams();
		CountDownLatch twoAtOnce = new CountDownLatch(2);
		origins.origin(0).answer((request) -> {
			if (!"HEAD".equals(request.getMethod())) { // the warm-up probe brings the settings and goes on
				server.serve(request, () -> {
					twoAtOnce.countDown();
					awaitQuietly(twoAtOnce);
				});
			}
			MockResponse.Builder response = new MockResponse.Builder().code(200).settings(twoStreams);
			return ("HEAD".equals(request.getMethod()) ? response : response.body("hot")).build();
		});
		HotConnPool pool = track(
				origins.pool(origins.config(sizes(1, 1), (config) -> config.setAcquireTimeout(WITHIN))));
		pool.start();
		await().atMost(WITHIN).until(() -> pool.stats().hosts().get(0).connections().get(0).maxStreams() == 2);

		List<CompletableFuture<Integer>> calls = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			calls.add(CompletableFuture.supplyAsync(() -> status(pool, origins.url("/")), this.callers));
		}
		for (CompletableFuture<Integer> call : calls) {
			assertThat(call.get(WITHIN.toSeconds(), TimeUnit.SECONDS)).isEqualTo(200);
		}
		assertThat(server.peak()).as("never more streams than the server allows").isEqualTo(2);
		assertThat(origins.connections()).as("no second connection opened behind the pool's back").isEqualTo(1);
		assertThat(pool.stats().handshakes()).isEqualTo(1);
		assertThat(pool.stats().failedRequests()).isZero();
	}

	@Test
	void aRetiredConnectionDrainsItsStreamsAndLosesNone() throws Exception {
		LoopbackTlsOrigins origins = track(LoopbackTlsOrigins.start(2));
		AtomicReference<List<InetAddress>> answer = new AtomicReference<>(List.of(origins.addresses().get(0)));
		CountDownLatch release = new CountDownLatch(1);
		HotConnPool pool = track(HotConnPool.builder(origins.config((host) -> host.setConnectionsPerIp(1)))
			.resolver((name) -> answer.get())
			.build());
		pool.start();
		origins.origin(0).answer((request) -> {
			awaitQuietly(release);
			return LoopbackTlsOrigins.Origin.ok(request);
		});
		List<CompletableFuture<String>> held = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			held.add(CompletableFuture.supplyAsync(() -> body(pool, origins.url("/held")), this.callers));
		}
		await().atMost(WITHIN).until(() -> host(pool).streams() == 4);

		answer.set(List.of(origins.addresses().get(1))); // the first IP leaves the DNS answer
		pool.life.hosts().updateDns(); // applies the answer when the look-up returns
		await().atMost(WITHIN).untilAsserted(() -> {
			HostStats draining = host(pool);
			assertThat(draining.connections()).filteredOn((c) -> c.state() == ConnectionState.RETIRED)
				.singleElement()
				.satisfies((c) -> assertThat(c.streams()).isEqualTo(4));
			assertThat(draining.draining()).containsExactly(origins.addresses().get(0).getHostAddress());
		});
		await().atMost(WITHIN).until(() -> host(pool).idle() == 1);
		assertThat(body(pool, origins.url("/new"))).as("new streams go to the new IP").isEqualTo("hot");
		assertThat(held).allSatisfy((call) -> assertThat(call).isNotDone());

		release.countDown();
		for (CompletableFuture<String> call : held) {
			assertThat(call.get(WITHIN.toSeconds(), TimeUnit.SECONDS)).isEqualTo("hot");
		}
		await().atMost(WITHIN).untilAsserted(() -> {
			assertThat(host(pool).connections()).extracting(ConnectionStats::state)
				.containsExactly(ConnectionState.IDLE);
			assertThat(host(pool).draining()).isEmpty();
		});
		assertThat(pool.stats().failedRequests()).isZero();
		assertThat(pool.stats().retiredByReason()).containsEntry(RetireReason.DNS_REMOVED, 1L);
	}

	@Test
	void aConnectionWhosePingGoesUnansweredIsRetiredAndReplaced() throws Exception {
		LoopbackTlsOrigins origins = track(LoopbackTlsOrigins.start(1));
		LoopbackProxy proxy = track(new LoopbackProxy(InetAddress.getByName("127.0.0.9"), origins.port(),
				new InetSocketAddress(origins.origin(0).address(), origins.port())));
		HotConnPool pool = track(HotConnPool.builder(origins.config((host) -> host.setConnectionsPerIp(2), (config) -> {
				config.getHttp2().setPingInterval(Duration.ofMillis(200));
				config.setProbeTimeout(Duration.ofSeconds(1));
				config.setHealthCheckInterval(Duration.ofHours(1));
			})).resolver((name) -> List.of(proxy.address())).build());
		pool.start();
		assertThat(host(pool).idle()).isEqualTo(2);
		assertThat(host(pool).connections()).extracting(ConnectionStats::protocol).containsOnly("h2");

		proxy.blackHole(true); // the peer goes silent; no socket closes
		await().atMost(WITHIN)
			.untilAsserted(() -> assertThat(pool.stats().retiredByReason().get(RetireReason.BROKEN))
				.isGreaterThanOrEqualTo(2));
		assertThat(pool.stats().hosts().get(0).connections()).noneMatch((c) -> c.id() <= 2);

		// Replacements warmed while the peer was silent fail their probes; once it answers, a refill works.
		proxy.blackHole(false);
		await().atMost(WITHIN).until(() -> host(pool).warming() == 0);
		pool.warmUp(origins.target()).get(WITHIN.toSeconds(), TimeUnit.SECONDS);
		await().atMost(WITHIN).until(() -> host(pool).idle() >= 1);
		assertThat(status(pool, origins.url("/"))).isEqualTo(200);
	}

	@Test
	void aHealthProbeIsAStreamSoStreamLeasesDuringProbeTicksNeverOpenAConnection() throws Exception {
		LoopbackTlsOrigins origins = track(LoopbackTlsOrigins.start(1));
		// A probe holds its stream at the server until the test lets it go: each tick's probe is surely in flight.
		AtomicReference<CountDownLatch> probeAnswer = new AtomicReference<>(new CountDownLatch(0));
		BlockingQueue<CountDownLatch> probesHeld = new LinkedBlockingQueue<>();
		origins.origin(0).answer((request) -> {
			if ("HEAD".equals(request.getMethod())) {
				CountDownLatch answer = probeAnswer.get();
				probesHeld.add(answer);
				awaitQuietly(answer);
			}
			return LoopbackTlsOrigins.Origin.ok(request);
		});
		// Room for a connection on demand: the old probe held the connection whole and a caller opened one.
		HotConnPool pool = track(origins.pool(origins.configWithFastMaintenance(sizes(1, 2), (config) -> {
		})));
		pool.start();

		for (int tick = 0; tick < 3; tick++) {
			CountDownLatch answer = new CountDownLatch(1);
			probeAnswer.set(answer);
			await().atMost(WITHIN).until(() -> probesHeld.poll() == answer); // a probe of this round at the server
			for (int i = 0; i < 8; i++) {
				assertThat(status(pool, origins.url("/"))).isEqualTo(200);
			}
			answer.countDown();
		}

		PoolStats stats = pool.stats();
		assertThat(stats.failedRequests()).isZero();
		assertThat(stats.connectionsCreated()).as("the warm connection, none on demand").isEqualTo(1);
		assertThat(stats.handshakes()).isEqualTo(1);
		assertThat(origins.connections()).isEqualTo(1);
	}

	@Test
	void sharedLeasesShareAConnectionAndAnExclusiveLeaseHasItToItself() throws Exception {
		LoopbackTlsOrigins origins = track(LoopbackTlsOrigins.start(1));
		HotConnPool pool = startOnePerIp(origins, 1);
		String target = origins.target();
		Request get = new Request.Builder().url(origins.url("/")).build();

		try (Lease first = pool.acquire(target); Lease second = pool.acquire(target)) {
			assertThat(first.isExclusive()).isFalse();
			assertThat(second.stats().id()).as("one connection, two streams").isEqualTo(first.stats().id());
			assertThat(host(pool).streams()).isEqualTo(2);
			try (Response a = first.execute(get); Response b = second.execute(get)) {
				assertThat(a.body().string()).isEqualTo("hot");
				assertThat(b.body().string()).isEqualTo("hot");
			}
			assertThatExceptionOfType(AcquireTimeoutException.class)
				.isThrownBy(() -> pool.acquireExclusive(target, Duration.ZERO));
		}

		CompletableFuture<Integer> waiting;
		try (Lease exclusive = pool.acquireExclusive(target)) {
			assertThat(exclusive.isExclusive()).isTrue();
			assertThat(host(pool).streams()).isEqualTo(1);
			assertThatExceptionOfType(AcquireTimeoutException.class)
				.isThrownBy(() -> pool.acquire(target, Duration.ZERO));
			assertThatExceptionOfType(AcquireTimeoutException.class)
				.isThrownBy(() -> pool.acquireExclusive(target, Duration.ZERO));
			waiting = CompletableFuture.supplyAsync(() -> status(pool, origins.url("/")), this.callers);
			await().atMost(WITHIN).until(() -> host(pool).waiting() == 1);
			try (Response response = exclusive.execute(get)) {
				assertThat(response.code()).isEqualTo(200);
			}
			assertThat(waiting).isNotDone();
		}
		assertThat(waiting.get(WITHIN.toSeconds(), TimeUnit.SECONDS)).as("handed the freed connection").isEqualTo(200);
		assertThat(pool.stats().connectionsCreated()).isEqualTo(1);
	}

	private <T extends AutoCloseable> T track(T resource) {
		this.resources.add(resource);
		return resource;
	}

	private static HostStats host(HotConnPool pool) {
		return pool.stats().hosts().get(0);
	}

	private static int status(HotConnPool pool, String url) {
		try (Response response = pool.execute(new Request.Builder().url(url).build())) {
			response.body().string();
			return response.code();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String body(HotConnPool pool, String url) {
		try (Response response = pool.execute(new Request.Builder().url(url).build())) {
			return response.body().string();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await(WITHIN.toSeconds(), TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Counts the requests a server has in flight, per connection, and the most at once on any one. */
	private static final class ServerStreams {

		private final Map<Integer, AtomicInteger> inFlight = new ConcurrentHashMap<>();

		private final AtomicInteger peak = new AtomicInteger();

		void serve(RecordedRequest request, Runnable work) {
			AtomicInteger connection = this.inFlight.computeIfAbsent(request.getConnectionIndex(),
					(index) -> new AtomicInteger());
			this.peak.accumulateAndGet(connection.incrementAndGet(), Math::max);
			try {
				work.run();
			}
			finally {
				connection.decrementAndGet();
			}
		}

		int peak() {
			return this.peak.get();
		}

	}

}
