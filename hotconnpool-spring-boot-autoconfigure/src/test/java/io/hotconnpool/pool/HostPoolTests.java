package io.hotconnpool.pool;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.hotconnpool.test.LoopbackTlsOrigins.sizes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The per-host state machine alone, with no socket and no wait: connections are created but never opened (the
 * pool's executor drops every warm-up), a warm-up's success is reported by hand, and time is an argument, as in
 * OkHttp's {@code ConnectionPoolTest}.
 */
class HostPoolTests {

	private static final InetAddress IP1 = ip(2);

	private static final InetAddress IP2 = ip(3);

	private static final InetAddress IP3 = ip(4);

	private HotConnPool pool;

	@AfterEach
	void closePool() {
		this.pool.close();
	}

	/** The injected clock of {@link #host}: it moves only when a test moves it. */
	private final AtomicLong clock = new AtomicLong(System.nanoTime());

	private HostPool host(Consumer<HostConfig> host, Consumer<HotConnPoolConfig> pool) {
		HotConnPoolConfig config = new HotConnPoolConfig();
		config.getTls().setSelfTest(false);
		host.accept(config.addHost("origin.test"));
		pool.accept(config);
		this.pool = HotConnPool.builder(config).executor((task) -> {
			// warm-ups never run: no connection is ever opened
		}).build();
		return new HostPool(this.pool, this.pool.config().hostSettings().get(0), this.clock::get);
	}

	/** A host of one connection that carries at most two streams. */
	private HostPool oneConnectionOfTwoStreams() {
		return host(sizes(1, 1), (p) -> p.getHttp2().setMaxStreamsPerConnection(2));
	}

	/** A stream lease taken now, or {@code null}. */
	private static PooledConnection stream(HostPool host) throws InterruptedException {
		return host.leases.acquire(0, null, false, false);
	}

	/** Stream leases taken now, one after the other, {@code null} for each not taken. */
	private static List<PooledConnection> streams(HostPool host, int count) throws InterruptedException {
		List<PooledConnection> streams = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			streams.add(stream(host));
		}
		return streams;
	}

	/** Resolves the host to the addresses and reports every new connection warm. */
	private static List<PooledConnection> warm(HostPool host, boolean http2, InetAddress... addresses) {
		List<PooledConnection> created = host.maintenance.updateAddresses(List.of(addresses), false).toWarm();
		created.forEach((connection) -> host.maintenance.probeSucceeded(connection, http2));
		return created;
	}

	@Test
	void warmSlotsSpreadOverEveryIpSlotBySlotUpToTheMaximum() {
		HostPool host = host(sizes(2, 4), (p) -> {
		});

		List<PooledConnection> created = host.maintenance.updateAddresses(List.of(IP1, IP2, IP3), false).toWarm();

		assertThat(created).extracting((c) -> c.ip, (c) -> c.slot)
			.containsExactly(tuple(IP1, 0), tuple(IP2, 0), tuple(IP3, 0), tuple(IP1, 1));
		assertThat(host.maintenance.fill()).as("every slot taken while warming").isEmpty();
		assertThat(host.stats().warming()).isEqualTo(4);
	}

	@Test
	void aSharedConnectionCarriesStreamsUpToItsLimitAndAnExclusiveLeaseOnlyWhenNoneIsInFlight() throws Exception {
		HostPool host = oneConnectionOfTwoStreams();
		PooledConnection connection = warm(host, true, IP1).get(0);

		assertThat(streams(host, 2)).containsOnly(connection);
		assertThat(host.stats().streams()).isEqualTo(2);
		assertThat(stream(host)).as("at its limit, the host at its maximum").isNull();
		assertThat(host.leases.acquire(0, null, true, false)).isNull();

		host.leases.releaseStream(connection, null);
		assertThat(stream(host)).isSameAs(connection);
		host.leases.releaseStream(connection, null);
		host.leases.releaseStream(connection, null);
		assertThat(host.stats().idle()).isEqualTo(1);

		assertThat(host.leases.acquire(0, null, true, false)).as("whole, no stream in flight").isSameAs(connection);
		assertThat(stream(host)).isNull();
		host.leases.release(connection, null);
		assertThat(stream(host)).isSameAs(connection);
		host.leases.releaseStream(connection, null);
		assertThat(host.stats().streams()).isZero();
	}

	@Test
	void aReleasedStreamGoesToTheWaiter() throws Exception {
		HostPool host = oneConnectionOfTwoStreams();
		PooledConnection connection = warm(host, true, IP1).get(0);
		assertThat(streams(host, 2)).containsOnly(connection);

		CompletableFuture<PooledConnection> waiter = CompletableFuture.supplyAsync(() -> {
			try {
				return host.leases.acquire(TimeUnit.SECONDS.toNanos(10), null, false, false);
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		});
		await().atMost(Duration.ofSeconds(10)).until(() -> host.stats().waiting() == 1);
		host.leases.releaseStream(connection, null);

		assertThat(waiter.get(10, TimeUnit.SECONDS)).isSameAs(connection);
		assertThat(host.stats().streams()).isEqualTo(2);
		assertThat(host.stats().waiting()).isZero();
	}

	@Test
	void streamsSpreadOverEveryConnectionFewestInFlightFirst() throws Exception {
		HostPool host = host((h) -> h.setConnectionsPerIp(1), (p) -> {
		});
		warm(host, true, IP1, IP2, IP3);

		streams(host, 6);

		assertThat(host.stats().connections()).extracting(ConnectionStats::streams).containsOnly(2);
		PooledConnection avoiding = host.leases.acquire(0, IP1, false, false);
		assertThat(avoiding.ip).isNotEqualTo(IP1);
	}

	@Test
	void aRetiredConnectionDrainsItsStreamsAndClosesWithTheLast() throws Exception {
		HostPool host = host((h) -> h.setConnectionsPerIp(1), (p) -> {
		});
		PooledConnection connection = warm(host, true, IP1).get(0);
		stream(host);
		stream(host);

		HostPool.Changes changes = host.maintenance.updateAddresses(List.of(IP2), true); // IP1 leaves the DNS answer
		assertThat(changes.toClose()).as("not closed while streams run").isEmpty();
		assertThat(changes.toWarm()).extracting((c) -> c.ip).containsExactly(IP2);
		assertThat(connection.state).isEqualTo(ConnectionState.RETIRED);
		assertThat(host.stats().draining()).containsExactly(IP1.getHostAddress());
		assertThat(stream(host)).as("a draining connection takes no stream").isNull();

		host.leases.releaseStream(connection, null);
		assertThat(host.stats().connections()).extracting(ConnectionStats::id, ConnectionStats::streams)
			.contains(tuple(connection.id, 1));
		host.leases.releaseStream(connection, null);
		assertThat(host.connections()).doesNotContain(connection);
		assertThat(host.stats().draining()).isEmpty();
		assertThat(this.pool.counters.retiredByReason()).containsEntry(RetireReason.DNS_REMOVED, 1L);
	}

	@Test
	void aBlacklistedIpIsReprobedExactlyOnceItsTtlHasPassedOnTheHostsClock() throws Exception {
		Duration ttl = Duration.ofMinutes(15);
		HostPool host = host((h) -> h.setConnectionsPerIp(1), (p) -> p.getBlacklist().setTtl(ttl));
		warm(host, false, IP1, IP2);
		PooledConnection lease = host.leases.acquire(0, IP2, true, false);
		assertThat(lease.ip).isEqualTo(IP1);

		long blacklistedAt = this.clock.get();
		host.leases.release(lease, new HostPool.LeaseOutcome(RetireReason.BLACKLISTED, "status 403", null));

		assertThat(host.stats().blacklisted()).singleElement()
			.satisfies((entry) -> assertThat(entry.ip()).isEqualTo(IP1.getHostAddress()));
		assertThat(host.maintenance.expiredBlacklistings(blacklistedAt + ttl.toNanos() - 1)).isEmpty();
		long expired = blacklistedAt + ttl.toNanos();
		assertThat(host.maintenance.expiredBlacklistings(expired)).containsExactly(IP1);
		assertThat(host.maintenance.reprobe(IP1, expired)).satisfies((probe) -> {
			assertThat(probe.ip).isEqualTo(IP1);
			assertThat(probe.probation).isTrue();
		});
		assertThat(host.maintenance.expiredBlacklistings(expired + ttl.toNanos())).as("one re-probe at a time").isEmpty();
		assertThat(host.maintenance.reprobe(IP1, expired + ttl.toNanos())).as("one re-probe at a time").isNull();
	}

	@Test
	void aConnectionAboveTheWarmTargetIsRetiredOnceIdleForTheTimeoutOnDemandOnesFirst() throws Exception {
		long idleTimeout = Duration.ofMinutes(10).toNanos();
		HostPool host = host(sizes(1, 3), (p) -> {
		});
		warm(host, false, IP1, IP2);
		PooledConnection first = host.leases.acquire(0, null, true, false);
		PooledConnection second = host.leases.acquire(0, null, true, false);
		assertThat(host.leases.acquire(0, null, true, false)).as("both leased: one more is opened on demand").isNull();
		PooledConnection onDemand = host.connections()
			.stream()
			.filter((c) -> c.state == ConnectionState.WARMING)
			.findFirst()
			.orElseThrow();
		long before = this.clock.get();
		host.maintenance.probeSucceeded(onDemand, false);
		long after = this.clock.get();
		host.leases.release(first, null);
		host.leases.release(second, null);

		assertThat(host.maintenance.cleanUp(idleTimeout, before + idleTimeout - 1).toClose()).isEmpty();
		assertThat(host.maintenance.cleanUp(idleTimeout, after + idleTimeout).toClose()).containsExactly(onDemand);
		assertThat(host.stats().total()).isEqualTo(2);
		assertThat(this.pool.counters.retiredByReason()).containsEntry(RetireReason.IDLE, 1L);
	}

	@Test
	void aConnectionPastItsLifetimeIsRetiredAndReplacedAndNotBefore() {
		Duration lifetime = Duration.ofMinutes(30);
		HostPool host = host((h) -> h.setConnectionsPerIp(1), (p) -> p.setMaxLifetime(lifetime));
		long before = this.clock.get();
		PooledConnection connection = warm(host, true, IP1).get(0);
		long after = this.clock.get();
		long idleTimeout = Duration.ofDays(1).toNanos();

		// Each lifetime is the maximum less up to 5 %, at random.
		long earliest = before + (long) (lifetime.toNanos() * 0.95);
		assertThat(host.maintenance.cleanUp(idleTimeout, earliest - 1).toClose()).isEmpty();
		HostPool.Changes expired = host.maintenance.cleanUp(idleTimeout, after + lifetime.toNanos());
		assertThat(expired.toClose()).containsExactly(connection);
		assertThat(expired.toWarm()).extracting((c) -> c.ip).containsExactly(IP1);
		assertThat(this.pool.counters.retiredByReason()).containsEntry(RetireReason.EXPIRED, 1L);
	}

	@Test
	void aSharedConnectionsHealthProbeIsOneOfItsStreamsAndKeepsNoLeaseOff() throws Exception {
		long threshold = Duration.ofSeconds(10).toNanos();
		HostPool host = host(sizes(1, 2), (p) -> p.getHttp2().setMaxStreamsPerConnection(2));
		long before = this.clock.get();
		PooledConnection connection = warm(host, true, IP1).get(0);
		long after = this.clock.get();

		assertThat(host.maintenance.reserveForHealthCheck(threshold, before + threshold - 1)).isEmpty();
		assertThat(host.maintenance.reserveForHealthCheck(threshold, after + threshold)).containsExactly(connection);
		assertThat(connection.state).isEqualTo(ConnectionState.IDLE);
		assertThat(host.stats().streams()).as("the probe's stream").isEqualTo(1);
		assertThat(stream(host)).as("a stream while it is probed").isSameAs(connection);
		assertThat(host.stats().warming()).as("nothing opened on demand").isZero();
		assertThat(stream(host)).as("the probe counts towards the limit").isNull();

		host.maintenance.probeSucceeded(connection, true);
		assertThat(host.stats().streams()).isEqualTo(1);
		assertThat(stream(host)).isSameAs(connection);
		host.leases.releaseStream(connection, null);
		host.leases.releaseStream(connection, null);
		assertThat(host.stats().streams()).isZero();
		assertThat(host.leases.acquire(0, null, true, false)).as("whole again, no probe in flight").isSameAs(connection);
	}

	@Test
	void aSharedConnectionWhoseProbeFailsDrainsItsStreamsAndTheFailureCounts() throws Exception {
		HostPool host = host((h) -> h.setConnectionsPerIp(1), (p) -> {
		});
		PooledConnection connection = warm(host, true, IP1).get(0);
		assertThat(host.maintenance.reserveForHealthCheck(0, this.clock.get())).containsExactly(connection);
		assertThat(stream(host)).isSameAs(connection);

		host.maintenance.probeFailed(connection, RetireReason.UNHEALTHY, "probe answered 500 on " + connection, null);

		assertThat(connection.state).isEqualTo(ConnectionState.RETIRED);
		assertThat(host.stats().draining()).as("its stream still runs").containsExactly(IP1.getHostAddress());
		assertThat(host.stats().failing()).singleElement()
			.satisfies((ip) -> assertThat(ip.consecutiveFailures()).isEqualTo(1));
		host.leases.releaseStream(connection, null);
		assertThat(host.connections()).doesNotContain(connection);
		assertThat(this.pool.counters.retiredByReason()).containsEntry(RetireReason.UNHEALTHY, 1L);
	}

	@Test
	void aProbeSkippedOnADrainingConnectionGivesItsStreamBackAndTheDrainEnds() throws Exception {
		HostPool host = host((h) -> h.setConnectionsPerIp(1), (p) -> {
		});
		PooledConnection connection = warm(host, true, IP1).get(0);
		assertThat(host.maintenance.reserveForHealthCheck(0, this.clock.get())).containsExactly(connection);

		host.maintenance.updateAddresses(List.of(IP2), true); // IP1 leaves the DNS answer while its probe waits
		assertThat(host.stats().draining()).containsExactly(IP1.getHostAddress());
		host.maintenance.probeSkipped(connection);

		assertThat(host.connections()).doesNotContain(connection);
		assertThat(host.stats().draining()).isEmpty();
	}

	@Test
	void aStreamsLockFreeReleaseStampsNothingTheExchangeDoesAndAHoldWaitsForTheLastStream() throws Exception {
		long threshold = Duration.ofSeconds(10).toNanos();
		HostPool host = oneConnectionOfTwoStreams();
		PooledConnection connection = warm(host, true, IP1).get(0);
		this.clock.addAndGet(threshold);

		host.leases.releaseStream(stream(host), null);
		assertThat(host.maintenance.reserveForHealthCheck(threshold, this.clock.get()))
			.as("a lease that ran no exchange is no use: still idle since its warm-up")
			.containsExactly(connection);
		host.maintenance.probeSucceeded(connection, true);

		assertThat(stream(host)).isSameAs(connection);
		assertThat(connection.streams.tryHold()).as("a stream in flight").isFalse();
		host.leases.releaseStream(connection, null);
		assertThat(connection.streams.tryHold()).isTrue();
		assertThat(connection.tryAcquireStream()).as("held whole: above any limit").isFalse();
		assertThat(connection.streams.inFlight()).isOne();
		connection.streams.endHold();
		assertThat(connection.tryAcquireStream()).isTrue();
		assertThat(connection.tryAcquireStream()).isTrue();
		assertThat(connection.tryAcquireStream()).as("at the limit").isFalse();
	}

	@Test
	void aSharedConnectionHeldWholeThatFailsIsClosedAtOnceNotLeftDraining() throws Exception {
		HostPool host = host((h) -> h.setConnectionsPerIp(1), (p) -> {
		});
		PooledConnection connection = warm(host, true, IP1).get(0);
		assertThat(host.leases.acquire(0, null, true, false)).isSameAs(connection);

		host.leases.release(connection, new HostPool.LeaseOutcome(RetireReason.BROKEN, null, "a request failed"));

		assertThat(connection.state).isEqualTo(ConnectionState.RETIRED);
		assertThat(host.stats().draining()).as("held whole, its count was no stream").isEmpty();
		assertThat(host.connections()).doesNotContain(connection);
		assertThat(host.stats().warming()).as("its replacement").isEqualTo(1);
	}

	private static InetAddress ip(int last) {
		try {
			return InetAddress.getByAddress(new byte[] { 127, 0, 0, (byte) last });
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
