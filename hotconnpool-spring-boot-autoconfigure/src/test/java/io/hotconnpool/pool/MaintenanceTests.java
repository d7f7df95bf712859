package io.hotconnpool.pool;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.hotconnpool.test.LoopbackProxy;
import io.hotconnpool.test.LoopbackTlsOrigins;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static io.hotconnpool.test.LoopbackTlsOrigins.sizes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The four background tasks over real TLS origins with short intervals: health check, cleanup, blacklist check
 * and DNS update.
 */
@ExtendWith(OutputCaptureExtension.class)
class MaintenanceTests {

	private static final Duration WITHIN = Duration.ofSeconds(15);

	@AutoClose
	private LoopbackTlsOrigins origins;

	@AutoClose
	private HotConnPool pool;

	private void start(int ips, List<Protocol> protocols, HostResolver resolver,
			Consumer<HotConnPoolConfig> settings) throws Exception {
		this.origins = LoopbackTlsOrigins.start(ips, protocols);
		HotConnPoolConfig config = this.origins.configWithFastMaintenance((host) -> host.setConnectionsPerIp(2),
				(pool) -> {
					pool.setDnsUpdateInterval(Duration.ofMillis(200));
					settings.accept(pool);
				});
		this.pool = HotConnPool.builder(config)
			.resolver((resolver != null) ? resolver : this.origins.resolver())
			.build();
		this.pool.start();
	}

	private HostStats host() {
		return this.pool.stats().hosts().get(0);
	}

	private Request get(String path) {
		return new Request.Builder().url("https://" + this.origins.target() + path).build();
	}

	@ParameterizedTest
	@EnumSource(value = Protocol.class, names = { "HTTP_2", "HTTP_1_1" })
	void healthChecksReplaceConnectionsTheServerDroppedBeforeARequestMeetsThem(Protocol protocol) throws Exception {
		this.origins = LoopbackTlsOrigins.start(1, List.of(protocol, Protocol.HTTP_1_1));
		LoopbackTlsOrigins.Origin origin = this.origins.origin(0);
		try (LoopbackProxy proxy = new LoopbackProxy(InetAddress.getByName("127.0.0.9"), this.origins.port(),
				new InetSocketAddress(origin.address(), this.origins.port()))) {
			this.pool = HotConnPool.builder(this.origins.config((host) -> host.setConnectionsPerIp(2), (config) -> {
					config.setHealthCheckInterval(Duration.ofMillis(200));
					config.setHealthCheckIdleThreshold(Duration.ofMillis(100));
				})).resolver((host) -> List.of(proxy.address())).build();
			this.pool.start();
			assertThat(host().idle()).isEqualTo(2);

			proxy.dropAll(); // every idle connection is now dead, and the pool has not been told
			long dropped = System.nanoTime();

			await().atMost(WITHIN).untilAsserted(() -> {
				assertThat(origin.connections()).as("connections re-opened by probes").isEqualTo(4);
				assertThat(host().idle()).isEqualTo(2);
			});
			Duration replaced = Duration.ofNanos(System.nanoTime() - dropped);
			long handshakes = this.pool.stats().handshakes();
			try (Lease lease = this.pool.acquire(this.origins.target());
					Response response = lease.execute(get("/after-drop"))) {
				assertThat(response.code()).isEqualTo(200);
			}
			assertThat(this.pool.stats().failedRequests()).isZero();
			assertThat(this.pool.stats().hotHits()).isEqualTo(1);
			assertThat(this.pool.stats().handshakes()).as("no handshake on the request path").isEqualTo(handshakes);
			assertThat(origin.connections()).isEqualTo(4);
			Reliability.report("idle connections dropped silently (" + protocol + ")", "replaced by probes "
					+ replaced.toMillis() + " ms after the drop (health check every 200 ms); user requests failed: 0");
		}
	}

	@Test
	void expiredConnectionsAreReplacedButNeverWhileLeased() throws Exception {
		start(3, List.of(Protocol.HTTP_2, Protocol.HTTP_1_1), null,
				(settings) -> settings.setMaxLifetime(Duration.ofSeconds(2)));
		Set<Long> original = new HashSet<>();
		host().connections().forEach((c) -> original.add(c.id()));
		assertThat(host().connections().stream().map(ConnectionStats::expiresAt).distinct())
			.as("lifetimes are jittered so connections do not expire together")
			.hasSizeGreaterThan(1);
		Lease held = this.pool.acquireExclusive(this.origins.target());

		await().atMost(WITHIN).untilAsserted(() -> assertThat(this.pool.stats().retiredByReason().get(RetireReason.EXPIRED))
			.isEqualTo(5));
		assertThat(held.stats().state()).as("a leased connection is never retired").isEqualTo(ConnectionState.LEASED);
		try (Response response = held.execute(get("/still-mine"))) {
			assertThat(response.code()).isEqualTo(200);
		}
		held.close();

		await().atMost(WITHIN).untilAsserted(() -> {
			assertThat(this.pool.stats().retiredByReason().get(RetireReason.EXPIRED)).isGreaterThanOrEqualTo(6);
			assertThat(host().idle()).isEqualTo(6);
		});
		assertThat(this.pool.stats().retiredByReason().get(RetireReason.BROKEN)).isZero();
	}

	@Test
	void anIpAnswering403IsBlacklistedGetsNoTrafficAndIsRestoredAfterItsTtl(CapturedOutput output) throws Exception {
		start(3, List.of(Protocol.HTTP_2, Protocol.HTTP_1_1), null,
				(settings) -> settings.getBlacklist().setTtl(Duration.ofSeconds(1)));
		LoopbackTlsOrigins.Origin blocked = this.origins.origin(1);
		blocked.answer((request) -> LoopbackTlsOrigins.Origin.status(request, 403, "blocked"));
		long start = System.nanoTime();

		await().atMost(WITHIN).untilAsserted(() -> assertThat(host().blacklisted()).singleElement().satisfies((entry) -> {
			assertThat(entry.ip()).isEqualTo(blocked.ip());
			assertThat(entry.reason()).isEqualTo("status 403 on probe HEAD /");
			assertThat(entry.until()).isAfter(entry.since());
		}));
		assertThat(this.pool.stats().blacklistedIps()).isEqualTo(1);
		await().atMost(WITHIN).until(() -> host().connections().stream().noneMatch((c) -> c.ip().equals(blocked.ip())));
		for (int i = 0; i < 20; i++) {
			try (Lease lease = this.pool.acquire(this.origins.target())) {
				assertThat(lease.ip().getHostAddress()).isNotEqualTo(blocked.ip());
			}
		}

		Duration setAside = Duration.ofNanos(System.nanoTime() - start);
		blocked.answer(LoopbackTlsOrigins.Origin::ok);
		long back = System.nanoTime();

		await().atMost(WITHIN).untilAsserted(() -> {
			assertThat(host().blacklisted()).isEmpty();
			assertThat(host().idle()).isEqualTo(6);
			assertThat(host().connections()).filteredOn((c) -> c.ip().equals(blocked.ip())).hasSize(2);
		});
		assertThat(output).as("operators see both in the log")
			.containsOnlyOnce("hotconnpool blacklisted " + blocked.ip() + " of " + this.origins.target()
					+ " for PT1S, then re-probed: status 403 on probe HEAD /")
			.contains("hotconnpool restored " + blocked.ip() + " of " + this.origins.target() + ": its re-probe succeeded");
		Reliability.report("an IP answers 403", "blacklisted and its connections gone " + setAside.toMillis()
				+ " ms after its first 403 (probes); re-warmed " + Duration.ofNanos(System.nanoTime() - back).toMillis()
				+ " ms after it answered 200 again (TTL 1 s); user requests failed: 0");
	}

	@Test
	void anIpThatComesBackWhileItsLeaseIsHeldNeverKeepsTheHostAboveItsMaximum() throws Exception {
		this.origins = LoopbackTlsOrigins.start(3);
		this.pool = this.origins.pool(this.origins.config(sizes(2, 4), (config) -> {
			config.getBlacklist().setTtl(Duration.ofSeconds(1));
			config.getBlacklist().setCheckInterval(Duration.ofMillis(200));
			config.setHealthCheckInterval(Duration.ofMillis(200));
			config.setHealthCheckIdleThreshold(Duration.ofMillis(100));
		}));
		this.pool.start();
		LoopbackTlsOrigins.Origin blocking = this.origins.origin(0);
		blocking.answer((request) -> request.getUrl().encodedPath().equals("/blocked")
				? LoopbackTlsOrigins.Origin.status(request, 403, "blocked") : LoopbackTlsOrigins.Origin.ok(request));
		Lease held = leaseOn(blocking.ip());
		try (Lease other = leaseOn(blocking.ip()); Response response = other.execute(get("/blocked"))) {
			assertThat(response.code()).isEqualTo(403);
		}
		// The other IPs are filled up to the maximum while the held lease is still out.
		await().atMost(WITHIN).until(() -> host().blacklisted().size() == 1 && host().idle() == 4);

		await().atMost(WITHIN).untilAsserted(() -> {
			assertThat(host().blacklisted()).as("restored by its re-probe").isEmpty();
			assertThat(host().total()).as("the re-probe or an idle connection retired as a surplus")
				.isLessThanOrEqualTo(5);
		});
		held.close();

		await().atMost(WITHIN).untilAsserted(() -> {
			assertThat(host().total()).isEqualTo(4);
			assertThat(host().idle()).isEqualTo(4);
		});
		assertThat(this.pool.stats().retiredByReason().get(RetireReason.IDLE)).isGreaterThanOrEqualTo(2);
	}

	@Test
	void aHostWhoseEveryIpIsBlacklistedFailsClearlyWhenSoConfigured() throws Exception {
		start(1, List.of(Protocol.HTTP_2, Protocol.HTTP_1_1), null,
				(settings) -> {
					settings.getBlacklist().setAllBlacklisted(AllBlacklistedPolicy.FAIL);
					settings.getBlacklist().setTtl(Duration.ofMinutes(10));
				});
		this.origins.origin(0).answer((request) -> LoopbackTlsOrigins.Origin.status(request, 429, "slow down"));

		await().atMost(WITHIN).until(() -> host().blacklisted().size() == 1 && host().total() == 0);

		assertThatExceptionOfType(HostUnavailableException.class)
			.isThrownBy(() -> this.pool.acquire(this.origins.target()))
			.withMessageContaining("Every IP of origin.test:" + this.origins.port() + " is blacklisted")
			.withMessageContaining("status 429 on probe HEAD /")
			.withMessageContaining("hotconnpool.blacklist.all-blacklisted=fail");
	}

	@Test
	void anIpWithItsPortClosedIsBlacklistedAfterTheFailureThresholdAndNotBefore() throws Exception {
		this.origins = LoopbackTlsOrigins.start(2);
		LoopbackTlsOrigins.Origin down = this.origins.origin(1);
		down.close();
		this.pool = HotConnPool
			.builder(this.origins.config((host) -> host.setConnectionsPerIp(1), (config) -> {
					config.setHealthCheckInterval(Duration.ofMillis(300));
					config.getBlacklist().setFailureThreshold(3);
					config.getBlacklist().setTtl(Duration.ofMinutes(10));
				}))
			.resolver(this.origins.resolver())
			.build();
		this.pool.start();

		PoolStats early = this.pool.stats();
		if (early.retiredByReason().get(RetireReason.BROKEN) < 3) {
			assertThat(early.hosts().get(0).blacklisted()).as("fewer failures than the threshold").isEmpty();
		}

		long started = System.nanoTime();
		await().atMost(WITHIN).untilAsserted(() -> assertThat(host().blacklisted()).singleElement()
			.satisfies((entry) -> assertThat(entry.reason()).startsWith("3 consecutive failures")));
		Reliability.report("an IP's port is closed", "blacklisted after 3 failures, "
				+ Duration.ofNanos(System.nanoTime() - started).toMillis()
				+ " ms after start (health check every 300 ms)");
		// No attempt follows a blacklisting (the TTL is long): exactly three failures means "at the threshold".
		assertThat(this.pool.stats().retiredByReason().get(RetireReason.BROKEN)).isEqualTo(3);
		assertThat(host().idle()).isEqualTo(1);
	}

	@Test
	void dnsUpdatesWarmNewIpsAndDrainVanishedOnes() throws Exception {
		AtomicReference<List<InetAddress>> answer = new AtomicReference<>(List.of());
		start(3, List.of(Protocol.HTTP_2, Protocol.HTTP_1_1), (host) -> answer.get(), (settings) -> {
			List<InetAddress> all = this.origins.addresses();
			answer.set(List.of(all.get(0), all.get(1)));
		});
		List<InetAddress> all = this.origins.addresses();
		assertThat(host().addresses()).containsExactly("127.0.0.2", "127.0.0.3");
		Lease onVanishingIp = leaseOn("127.0.0.2");

		answer.set(List.of(all.get(1), all.get(2)));

		await().atMost(WITHIN).untilAsserted(() -> {
			assertThat(host().addresses()).containsExactly("127.0.0.3", "127.0.0.4");
			assertThat(this.pool.stats().newConnectionsFromDns()).isEqualTo(2);
			assertThat(host().connections()).filteredOn((c) -> c.ip().equals("127.0.0.4") && c.healthy()).hasSize(2);
		});
		assertThat(host().draining()).containsExactly("127.0.0.2");
		assertThat(this.pool.stats().retiredByReason().get(RetireReason.DNS_REMOVED)).isEqualTo(1);
		onVanishingIp.close();
		assertThat(host().draining()).isEmpty();
		assertThat(host().connections()).noneMatch((c) -> c.ip().equals("127.0.0.2"));
		assertThat(this.pool.stats().retiredByReason().get(RetireReason.DNS_REMOVED)).isEqualTo(2);
	}

	@Test
	void cleanupRetiresIdleConnectionsAboveTheWarmTargetOnDemandOnesFirst() throws Exception {
		this.origins = LoopbackTlsOrigins.start(2);
		this.pool = HotConnPool.builder(this.origins.config(sizes(1, 4), (config) -> {
			config.setIdleTimeout(Duration.ofMillis(300));
			config.setCleanupInterval(Duration.ofMillis(200));
		})).resolver(this.origins.resolver()).build();
		this.pool.start();
		List<Lease> leases = new ArrayList<>();
		for (int i = 0; i < 3; i++) { // the two warm connections, then one opened on demand
			leases.add(this.pool.acquireExclusive(this.origins.target()));
		}
		leases.forEach(Lease::close); // the on-demand one is the most recently used
		List<Long> warm = host().connections().stream().filter((c) -> c.slot() == 0).map(ConnectionStats::id).toList();
		assertThat(warm).hasSize(2);

		await().atMost(WITHIN)
			.untilAsserted(() -> assertThat(this.pool.stats().retiredByReason().get(RetireReason.IDLE)).isEqualTo(1));
		assertThat(host().connections()).as("the warm slot of each IP kept, the on-demand one gone")
			.extracting(ConnectionStats::id)
			.containsExactlyInAnyOrderElementsOf(warm);
		assertThat(this.pool.stats().connectionsCreated()).as("nothing to refill").isEqualTo(3);
	}

	@Test
	void anIpDnsAddsToAHostFullOfOnDemandConnectionsIsWarmedInPlaceOfAnIdleOne() throws Exception {
		this.origins = LoopbackTlsOrigins.start(3);
		List<InetAddress> all = this.origins.addresses();
		AtomicReference<List<InetAddress>> answer = new AtomicReference<>(List.of(all.get(0), all.get(1)));
		this.pool = HotConnPool.builder(this.origins.config(sizes(1, 3),
					(config) -> config.setDnsUpdateInterval(Duration.ofMillis(200))))
				.resolver((host) -> answer.get()).build();
		this.pool.start();
		List<Lease> leases = new ArrayList<>();
		for (int i = 0; i < 3; i++) { // the two warm connections and one opened on demand: the host is full
			leases.add(this.pool.acquireExclusive(this.origins.target()));
		}
		leases.forEach(Lease::close);
		assertThat(host().connections()).hasSize(3).allMatch((c) -> c.state() == ConnectionState.IDLE);

		answer.set(all);

		await().atMost(WITHIN).untilAsserted(() -> {
			assertThat(host().connections()).filteredOn((c) -> c.ip().equals("127.0.0.4"))
				.singleElement()
				.satisfies((c) -> assertThat(c.state()).isEqualTo(ConnectionState.IDLE));
			assertThat(this.pool.stats().newConnectionsFromDns()).isEqualTo(1);
		});
		assertThat(host().connections()).as("never above the maximum").hasSize(3);
		assertThat(host().connections()).extracting(ConnectionStats::ip)
			.containsExactlyInAnyOrder("127.0.0.2", "127.0.0.3", "127.0.0.4");
		assertThat(this.pool.stats().retiredByReason().get(RetireReason.IDLE)).as("the idle on-demand one yielded")
			.isEqualTo(1);
	}

	@Test
	void aFailedDnsLookupKeepsTheLastKnownAddresses() throws Exception {
		AtomicReference<List<InetAddress>> answer = new AtomicReference<>();
		this.origins = LoopbackTlsOrigins.start(2);
		answer.set(this.origins.addresses());
		this.pool = HotConnPool.builder(this.origins.config((host) -> host.setConnectionsPerIp(1),
				(config) -> config.setDnsUpdateInterval(Duration.ofMillis(100)))).resolver((host) -> {
				List<InetAddress> current = answer.get();
				if (current == null) {
					throw new java.net.UnknownHostException("resolver down");
				}
				return current;
			}).build();
		this.pool.start();

		answer.set(null);

		await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(host().addresses()).containsExactly("127.0.0.2", "127.0.0.3"));
		assertThat(host().idle()).isEqualTo(2);
	}

	@Test
	void aHangingDnsLookupHoldsUpNoOtherMaintenanceTask() throws Exception {
		HangingResolver resolver = new HangingResolver();
		try {
			startWithHangingDns(resolver, 1, (settings) -> {
				settings.setResolveTimeout(Duration.ofMinutes(1));
				settings.setLeakDetectionThreshold(Duration.ofMillis(100));
			});

			Lease held = this.pool.acquire(this.origins.target());
			await().atMost(Duration.ofSeconds(5)).until(() -> this.pool.stats().leaksDetected() == 1);
			held.close();
		}
		finally {
			resolver.back.countDown();
		}
	}

	@Test
	void aDnsLookupPastItsDeadlineIsNotStartedAgainWhileItRuns() throws Exception {
		HangingResolver resolver = new HangingResolver();
		try {
			startWithHangingDns(resolver, 2, (settings) -> settings.setResolveTimeout(Duration.ofMillis(50)));

			// Five DNS updates, each finding the look-up still running past its deadline.
			await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> resolver.lookups.get() == 2);
			assertThat(host().addresses()).containsExactly("127.0.0.2", "127.0.0.3");
		}
		finally {
			resolver.back.countDown();
		}
		await().atMost(WITHIN).until(() -> resolver.lookups.get() > 2); // back, the next update looks up again
	}

	/** Starts with DNS updates every 200 ms and returns once the first one hangs in its look-up. */
	private void startWithHangingDns(HangingResolver resolver, int ips, Consumer<HotConnPoolConfig> settings)
			throws Exception {
		start(ips, List.of(Protocol.HTTP_2, Protocol.HTTP_1_1), resolver, (config) -> {
			resolver.answer = this.origins.addresses();
			settings.accept(config);
		});
		await().atMost(WITHIN).until(() -> resolver.lookups.get() == 2);
	}

	/** Answers the pool's start at once; every later look-up waits until {@code back} opens. */
	private static final class HangingResolver implements HostResolver {

		final AtomicInteger lookups = new AtomicInteger();

		final CountDownLatch back = new CountDownLatch(1);

		volatile List<InetAddress> answer;

		@Override
		public List<InetAddress> resolve(String host) {
			if (this.lookups.incrementAndGet() > 1) {
				try {
					this.back.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return this.answer;
		}

	}

	private Lease leaseOn(String ip) throws InterruptedException {
		return FaultTests.leaseOn(this.pool, ip);
	}

}
