package io.hotconnpool.pool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.hotconnpool.test.LoopbackProxy;
import io.hotconnpool.test.LoopbackTlsOrigins;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Faults on one IP of a host: requests keep succeeding through the others, deadlines fire, and the IP is set aside.
 */
@ExtendWith(OutputCaptureExtension.class)
class FaultTests {

	private static final Duration WITHIN = Duration.ofSeconds(15);

	/** An origin that cuts every GET /data mid-response (HTTP/1.1, where mockwebserver3 applies socket effects). */
	private static LoopbackTlsOrigins originsWithOneCuttingIp(int ips) throws IOException {
		LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(ips, List.of(Protocol.HTTP_1_1));
		origins.origin(0)
			.answer((request) -> request.getUrl().encodedPath().equals("/data")
					? new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build()
					: LoopbackTlsOrigins.Origin.ok(request));
		return origins;
	}

	@Test
	void anIdempotentRequestIsRetriedOnceOnAnotherIp() throws Exception {
		try (LoopbackTlsOrigins origins = originsWithOneCuttingIp(3);
				HotConnPool pool = origins.pool(origins.config((host) -> host.setConnectionsPerIp(1)))) {
			pool.start();
			Request get = new Request.Builder().url("https://" + origins.target() + "/data").build();

			for (int i = 0; i < 6; i++) {
				await().atMost(WITHIN).until(() -> host(pool).idle() == 3);
				if (i % 3 == 0) {
					// The pool leases the most recently used connection: used last, the cutting IP's serves next.
					leaseOn(pool, origins.origin(0).ip()).close();
				}
				try (Response response = pool.execute(get)) {
					assertThat(response.body().string()).isEqualTo("hot");
				}
			}

			PoolStats stats = pool.stats();
			assertThat(stats.retries()).isEqualTo(2).isEqualTo(stats.failedRequests());
			assertThat(stats.retriesSucceeded()).isEqualTo(2);
			assertThat(stats.totalRequests()).isEqualTo(6 + stats.retries());
			assertThat(stats.retiredByReason().get(RetireReason.BROKEN)).isEqualTo(stats.retries());
			Reliability.report("an IP resets responses mid-way", "6 GETs through execute, the " + stats.retries()
					+ " that met the IP retried once on another IP, 0 failed");
		}
	}

	@Test
	void aNonIdempotentRequestIsNeverRetried() throws Exception {
		try (LoopbackTlsOrigins origins = originsWithOneCuttingIp(1);
				HotConnPool pool = origins.pool(origins.config((host) -> host.setConnectionsPerIp(1)))) {
			pool.start();
			Request post = new Request.Builder().url("https://" + origins.target() + "/data")
				.post(RequestBody.create("{}", MediaType.get("application/json")))
				.build();

			assertThatExceptionOfType(IOException.class).isThrownBy(() -> pool.execute(post).close());

			assertThat(pool.stats().retries()).isZero();
			assertThat(pool.stats().totalRequests()).isEqualTo(1);
		}
	}

	@Test
	void anIpThatAcceptsAndNeverAnswersIsCutOffByDeadlinesAndBlacklisted() throws Exception {
		ExecutorService holder = Executors.newSingleThreadExecutor();
		List<Socket> held = new ArrayList<>();
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1);
				ServerSocket blackHole = new ServerSocket()) {
			blackHole.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.7"), origins.port()));
			holder.execute(() -> {
				while (!blackHole.isClosed()) {
					try {
						held.add(blackHole.accept()); // accept, then never say a word
					}
					catch (IOException ex) {
						return;
					}
				}
			});
			List<InetAddress> addresses = List.of(origins.addresses().get(0), blackHole.getInetAddress());
			try (HotConnPool pool = HotConnPool.builder(origins.config((host) -> host.setConnectionsPerIp(1),
					(config) -> {
					config.setTlsHandshakeTimeout(Duration.ofMillis(300));
					config.setProbeTimeout(Duration.ofMillis(500));
					config.setHealthCheckInterval(Duration.ofMillis(200));
					config.getBlacklist().setFailureThreshold(2);
				})).resolver((host) -> addresses).build()) {
				long start = System.nanoTime();
				pool.start();
				assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the handshake deadline fired")
					.isLessThan(Duration.ofSeconds(5));
				// One failed handshake, below the threshold of 2: shown failing, with why, not active.
				assertThat(pool.stats().hosts().get(0).failing()).singleElement().satisfies((failing) -> {
					assertThat(failing.ip()).isEqualTo("127.0.0.7");
					assertThat(failing.consecutiveFailures()).isEqualTo(1);
					assertThat(failing.lastFailure()).contains("127.0.0.7").containsIgnoringCase("timeout");
				});

				Request get = new Request.Builder().url("https://" + origins.target() + "/").build();
				await().atMost(WITHIN).untilAsserted(() -> {
					try (Response response = pool.execute(get)) {
						assertThat(response.code()).isEqualTo(200);
					}
					assertThat(pool.stats().hosts().get(0).blacklisted()).singleElement()
						.satisfies((entry) -> assertThat(entry.ip()).isEqualTo("127.0.0.7"))
						.satisfies((entry) -> assertThat(entry.reason()).startsWith("2 consecutive failures"));
				});
				assertThat(pool.stats().failedRequests()).as("no user request met the silent IP").isZero();
				Reliability.report("an IP accepts and never answers", "blacklisted "
						+ Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms after start (handshake "
						+ "deadline 300 ms, threshold 2); user requests failed: 0");
			}
		}
		finally {
			holder.shutdownNow();
			for (Socket socket : held) {
				socket.close();
			}
		}
	}

	@Test
	void anIpWhosePortClosesIsSetAsideAndRewarmedWhenItComesBack() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(3);
				HotConnPool pool = origins.pool(origins.configWithFastMaintenance((host) -> host.setConnectionsPerIp(2),
						(config) -> {
							config.getBlacklist().setFailureThreshold(2);
							config.getBlacklist().setTtl(Duration.ofSeconds(1));
						}))) {
			pool.start();
			LoopbackTlsOrigins.Origin down = origins.origin(1);
			Request get = new Request.Builder().url("https://" + origins.target() + "/").build();

			down.close();
			long closed = System.nanoTime();
			await().atMost(WITHIN).untilAsserted(() -> {
				assertSucceeds(pool, get); // users keep being served meanwhile
				assertThat(host(pool).blacklisted()).singleElement()
					.satisfies((entry) -> assertThat(entry.ip()).isEqualTo(down.ip()));
			});
			Duration setAside = Duration.ofNanos(System.nanoTime() - closed);
			down.restart();
			long back = System.nanoTime();
			await().atMost(WITHIN).untilAsserted(() -> {
				assertThat(host(pool).blacklisted()).isEmpty();
				assertThat(host(pool).connections())
					.filteredOn((c) -> c.ip().equals(down.ip()) && c.state() == ConnectionState.IDLE)
					.hasSize(2);
			});
			Duration rewarmed = Duration.ofNanos(System.nanoTime() - back);

			for (int i = 0; i < 12; i++) {
				assertSucceeds(pool, get);
			}
			assertThat(down.requests()).as("the IP serves again").isPositive();
			Reliability.report("port closed and back", "blacklisted " + setAside.toMillis() + " ms after the close, "
					+ "re-warmed " + rewarmed.toMillis() + " ms after it came back; user requests failed: 0 ("
					+ pool.stats().retries() + " retried on another IP)");
		}
	}

	@Test
	void anIpAnswering503IsSetAsideAtTheFailureThresholdAndItsAnswersReachTheirCallers() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(3);
				HotConnPool pool = origins.pool(origins.configWithFastMaintenance((host) -> host.setConnectionsPerIp(1),
						(config) -> {
							// busy connections: only users meet the 503s
							config.setHealthCheckIdleThreshold(Duration.ofMinutes(1));
							config.getBlacklist().setFailureThreshold(3);
							config.getBlacklist().setTtl(Duration.ofSeconds(1));
						}))) {
			pool.start();
			LoopbackTlsOrigins.Origin unavailable = origins.origin(1);
			Request get = new Request.Builder().url("https://" + origins.target() + "/").build();
			unavailable.answer((request) -> LoopbackTlsOrigins.Origin.status(request, 503, "busy"));
			long start = System.nanoTime();

			int answered503 = 0;
			for (int i = 0; i < 200 && host(pool).blacklisted().isEmpty(); i++) {
				// HTTP/2: a stream goes to the connection with the fewest in flight; one held on each other IP sends
				// it to the 503 IP's.
				List<Lease> elsewhere = streamsAvoiding(pool, unavailable.ip(), 2);
				try (Response response = pool.execute(get)) {
					assertThat(response.code()).isIn(200, 503); // the 503 is the caller's answer: not an exception
					answered503 += (response.code() == 503) ? 1 : 0;
				}
				finally {
					elsewhere.forEach(Lease::close);
				}
			}
			Duration setAside = Duration.ofNanos(System.nanoTime() - start);

			assertThat(host(pool).blacklisted()).singleElement().satisfies((entry) -> {
				assertThat(entry.ip()).isEqualTo(unavailable.ip());
				assertThat(entry.reason()).startsWith("3 consecutive failures").contains("503");
			});
			assertThat(answered503).as("the threshold of 503 answers reached their callers").isEqualTo(3);
			PoolStats stats = pool.stats();
			assertThat(stats.failedRequests()).as("a 503 is a response, not a failed exchange").isZero();
			assertThat(stats.retries()).as("a response is never retried").isZero();
			for (int i = 0; i < 12; i++) {
				assertSucceeds(pool, get);
			}

			// Its re-probes answer 503 too: it stays aside, and no connection to it is ever made available.
			String firstEntry = host(pool).blacklisted().get(0).until().toString();
			await().atMost(WITHIN).until(() -> !host(pool).blacklisted().isEmpty()
					&& !host(pool).blacklisted().get(0).until().toString().equals(firstEntry));
			assertThat(host(pool).connections()).noneMatch((c) -> c.ip().equals(unavailable.ip())
					&& (c.state() == ConnectionState.IDLE || c.state() == ConnectionState.LEASED));

			unavailable.answer(LoopbackTlsOrigins.Origin::ok);
			long back = System.nanoTime();
			await().atMost(WITHIN).untilAsserted(() -> {
				assertThat(host(pool).blacklisted()).isEmpty();
				assertThat(host(pool).idle()).isEqualTo(3);
			});
			Reliability.report("an IP answers 503", answered503 + " user requests got its 503; blacklisted "
					+ setAside.toMillis() + " ms after it began; restored " + Duration.ofNanos(System.nanoTime() - back)
						.toMillis() + " ms after it answered 200 again");
		}
	}

	@Test
	void anIpWhoseProbesAnswer503IsBlacklistedInsteadOfReopenedAtEveryHealthCheck() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(2)) {
			LoopbackTlsOrigins.Origin unavailable = origins.origin(1);
			unavailable.answer((request) -> LoopbackTlsOrigins.Origin.status(request, 503, "busy"));
			try (HotConnPool pool = origins.pool(origins.config((host) -> host.setConnectionsPerIp(1), (config) -> {
					config.setHealthCheckInterval(Duration.ofMillis(200));
					config.getBlacklist().setFailureThreshold(2);
					config.getBlacklist().setTtl(Duration.ofMinutes(10));
				}))) {
				pool.start();

				await().atMost(WITHIN).untilAsserted(() -> assertThat(host(pool).blacklisted()).singleElement()
					.satisfies((entry) -> assertThat(entry.reason())
						.startsWith("2 consecutive failures, last: probe answered 503")));
				long created = pool.stats().connectionsCreated();
				await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
					.until(() -> pool.stats().connectionsCreated() == created);
				assertThat(unavailable.connections()).as("one handshake per failure, then none").isEqualTo(2);
				assertThat(host(pool).idle()).isEqualTo(1);
			}
		}
	}

	@ParameterizedTest
	@EnumSource(value = Protocol.class, names = { "HTTP_2", "HTTP_1_1" })
	void aResponseSlowerThanTheReadTimeoutFailsItsCallerAndRetiresOnlyItsConnection(Protocol protocol)
			throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(3, List.of(protocol, Protocol.HTTP_1_1));
				HotConnPool pool = origins.pool(origins.config((host) -> host.setConnectionsPerIp(1),
						(config) -> config.setReadTimeout(Duration.ofMillis(300))))) {
			pool.start();
			LoopbackTlsOrigins.Origin slow = origins.origin(0);
			slow.answer((request) -> request.getUrl().encodedPath().equals("/slow")
					? new MockResponse.Builder().headersDelay(2, TimeUnit.SECONDS).body("late").build()
					: LoopbackTlsOrigins.Origin.ok(request));
			Request get = new Request.Builder().url("https://" + origins.target() + "/slow").build();
			List<Long> others = host(pool).connections()
				.stream()
				.filter((c) -> !c.ip().equals(slow.ip()))
				.map(ConnectionStats::id)
				.toList();

			Lease lease = leaseOn(pool, slow.ip());
			long start = System.nanoTime();
			assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(() -> lease.execute(get).close());
			Duration failedAfter = Duration.ofNanos(System.nanoTime() - start);
			lease.close();

			assertThat(pool.stats().retiredByReason()).containsEntry(RetireReason.BROKEN, 1L);
			for (int i = 0; i < 2; i++) { // idempotent: retried once on another IP
				await().atMost(WITHIN).until(() -> host(pool).idle() == 3);
				// HTTP/1.1: the pool leases the most recently used connection, so used last, the slow IP's serves next.
				// HTTP/2: a stream goes to the connection with the fewest in flight, so with one held on each other
				// IP, the slow IP's serves next.
				List<Lease> elsewhere = (protocol == Protocol.HTTP_2) ? streamsAvoiding(pool, slow.ip(), 2)
						: List.of();
				if (protocol != Protocol.HTTP_2) {
					leaseOn(pool, slow.ip()).close();
				}
				try (Response response = pool.execute(get)) {
					assertThat(response.body().string()).isEqualTo("hot");
				}
				finally {
					elsewhere.forEach(Lease::close);
				}
			}
			PoolStats stats = pool.stats();
			assertThat(stats.retries()).as("each request that met the slow IP was retried").isEqualTo(2)
				.isEqualTo(stats.retiredByReason().get(RetireReason.BROKEN) - 1);
			assertThat(stats.retriesSucceeded()).isEqualTo(2);
			assertThat(stats.retriesFailed()).isZero();
			assertThat(host(pool).connections()).extracting(ConnectionStats::id)
				.as("the other IPs' connections are untouched")
				.containsAll(others);
			Reliability.report("a response slower than the read timeout (" + protocol + ")", "the caller got "
					+ "SocketTimeoutException after " + failedAfter.toMillis() + " ms (read timeout 300 ms); "
					+ stats.retries() + " GETs retried on another IP, 0 failed");
		}
	}

	@Test
	void anIpPresentingACertificateForAnotherHostIsSetAsideWhileTheOthersServe() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(2);
				LoopbackTlsOrigins impostor = LoopbackTlsOrigins.startWithCertificateFor("other.test", 1);
				LoopbackProxy proxy = new LoopbackProxy(InetAddress.getByName("127.0.0.6"), origins.port(),
						new InetSocketAddress(impostor.origin(0).address(), impostor.port()))) {
			List<InetAddress> addresses = new ArrayList<>(origins.addresses());
			addresses.add(proxy.address());
			try (HotConnPool pool = HotConnPool.builder(origins.config((host) -> host.setConnectionsPerIp(1),
					(config) -> {
					config.setHealthCheckInterval(Duration.ofMillis(200));
					config.getBlacklist().setFailureThreshold(2);
				})).resolver((host) -> addresses).build()) {
				long start = System.nanoTime();
				pool.start();
				Request get = new Request.Builder().url("https://" + origins.target() + "/").build();

				await().atMost(WITHIN).untilAsserted(() -> {
					assertSucceeds(pool, get);
					assertThat(host(pool).blacklisted()).singleElement().satisfies((entry) -> {
						assertThat(entry.ip()).isEqualTo("127.0.0.6");
						assertThat(entry.reason()).contains("Hostname origin.test not verified");
					});
				});
				Duration setAside = Duration.ofNanos(System.nanoTime() - start);
				assertThat(impostor.origin(0).requests()).as("no request ever reached the impostor").isZero();
				assertThat(pool.stats().failedRequests()).isZero();
				Reliability.report("an IP presents a certificate for another host", "never served; blacklisted "
						+ setAside.toMillis() + " ms after start; user requests failed: 0");
			}
		}
	}

	@Test
	void aBlacklistingNamesTheMethodAndStatusButNeverThePathWhichMayCarryACredential(CapturedOutput output)
			throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(2);
				HotConnPool pool = origins.pool(origins.config((host) -> host.setConnectionsPerIp(1)))) {
			pool.start();
			origins.origin(0).answer(403);
			origins.origin(1).answer(403);

			// A chat bot API answers 403 when a user blocked the bot; its token is in the path.
			try (Response response = pool.execute(new Request.Builder().url(origins.url("/bot42:SECRET/send")).build())) {
				assertThat(response.code()).isEqualTo(403);
			}

			await().atMost(WITHIN).until(() -> !host(pool).blacklisted().isEmpty());
			assertThat(host(pool).blacklisted()).first()
				.satisfies((entry) -> assertThat(entry.reason()).isEqualTo("status 403 on GET"));
			assertThat(output).contains("then re-probed: status 403 on GET").doesNotContain("SECRET");
		}
	}

	@Test
	void anEntryFromAnotherSourceEndingCenturiesAheadEndsAYearAhead() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(2);
				HotConnPool pool = origins.pool(origins.config((host) -> host.setConnectionsPerIp(1)))) {
			pool.start();
			InetAddress ip = InetAddress.getByName(origins.origin(0).ip()); // a literal: no look-up
			Instant before = Instant.now();

			// An operator's "forever": nanosecond deadlines overflow about 292 years ahead.
			assertThat(pool.blacklist(origins.target(), ip, "by hand", before.plus(Duration.ofDays(365 * 1000)),
					"operator")).isTrue();

			BlacklistedIp entry = host(pool).blacklisted().get(0);
			assertThat(entry.ip()).isEqualTo(origins.origin(0).ip());
			assertThat(entry.until()).isBetween(before.plus(Duration.ofDays(365)),
					Instant.now().plus(Duration.ofDays(365)));
			assertSucceeds(pool, new Request.Builder().url(origins.url("/")).build());
		}
	}

	private static HostStats host(HotConnPool pool) {
		return pool.stats().hosts().get(0);
	}

	private static void assertSucceeds(HotConnPool pool, Request request) throws IOException {
		try (Response response = pool.execute(request)) {
			assertThat(response.body().string()).isEqualTo("hot");
		}
	}

	/**
	 * A lease on a connection to {@code ip}. The pool leases the most recently used connection, preferring IPs with
	 * fewer leases: the leases taken on the way are held, so each acquire moves on, and then given back.
	 */
	/** Shared leases (HTTP/2 streams) on {@code count} connections to other IPs than {@code ip}. */
	private static List<Lease> streamsAvoiding(HotConnPool pool, String ip, int count)
			throws InterruptedException {
		List<Lease> held = new ArrayList<>();
		List<Lease> onIp = new ArrayList<>(); // held while looking: the next stream goes elsewhere
		try {
			for (int i = 0; i < 10 && held.size() < count; i++) {
				Lease lease = pool.acquire(pool.config().hostSettings().get(0).key());
				(lease.ip().getHostAddress().equals(ip) ? onIp : held).add(lease);
			}
		}
		finally {
			onIp.forEach(Lease::close);
		}
		assertThat(held).hasSize(count);
		return held;
	}

	static Lease leaseOn(HotConnPool pool, String ip) throws InterruptedException {
		List<Lease> others = new ArrayList<>();
		try {
			for (int i = 0; i < 20; i++) {
				Lease lease = pool.acquireExclusive(pool.config().hostSettings().get(0).key());
				if (lease.ip().getHostAddress().equals(ip)) {
					return lease;
				}
				others.add(lease);
			}
			throw new AssertionError("no connection to " + ip);
		}
		finally {
			others.forEach(Lease::close);
		}
	}

	@Test
	void aLeaseHeldPastTheLeakThresholdIsReportedOnceWithItsAcquirer(CapturedOutput output) throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1);
				HotConnPool pool = origins.pool(origins.config((host) -> host.setConnectionsPerIp(3),
						(config) -> config.setLeakDetectionThreshold(Duration.ofMillis(200))))) {
			pool.start();
			Lease forgotten = pool.acquire(origins.target());
			await().atMost(WITHIN).until(() -> pool.stats().leaksDetected() == 1);
			Lease slow = pool.acquire(origins.target());
			Lease slower = pool.acquire(origins.target());

			await().atMost(WITHIN).until(() -> pool.stats().leaksDetected() == 3);
			await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
				.until(() -> pool.stats().leaksDetected() == 3);
			// One line per lease; the acquirer's stack trace only with the first (later ones at DEBUG).
			assertThat(output.toString().split("without being closed", -1)).hasSize(4);
			assertThat(output).containsOnlyOnce("java.lang.Throwable: acquired here")
				.containsOnlyOnce("aLeaseHeldPastTheLeakThresholdIsReportedOnceWithItsAcquirer");
			slow.close();
			slower.close();
			forgotten.close();
		}
	}

}
