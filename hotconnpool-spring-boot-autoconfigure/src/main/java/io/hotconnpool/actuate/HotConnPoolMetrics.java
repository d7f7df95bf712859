package io.hotconnpool.actuate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

import io.hotconnpool.pool.ConnectionStats;
import io.hotconnpool.pool.HostStats;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolListener;
import io.hotconnpool.pool.PoolStats;
import io.hotconnpool.pool.RetireReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

import org.springframework.context.SmartLifecycle;

/**
 * Micrometer metrics of a {@link HotConnPool}: gauges computed from {@link HotConnPool#stats()}, timers and counters
 * fed by the pool's {@link HotConnPoolListener events}. Tagged {@code host} ({@code host:port}) and, for meters of
 * one address, {@code ip}.
 * <ul>
 * <li>gauges {@code hotconnpool.connections} ({@code state}: {@code idle}, {@code leased}, {@code warming}),
 * {@code hotconnpool.streams.active} (leases in flight: HTTP/2 streams and leased HTTP/1.1 connections),
 * {@code hotconnpool.acquires.pending}, {@code hotconnpool.ips.blacklisted};</li>
 * <li>timers {@code hotconnpool.acquire} ({@code outcome}: {@code acquired}, {@code timeout}),
 * {@code hotconnpool.connection.connect} and {@code hotconnpool.connection.handshake} (per {@code ip}),
 * {@code hotconnpool.probe} (per {@code ip}, {@code outcome}: {@code healthy}, {@code unhealthy});</li>
 * <li>counters {@code hotconnpool.requests} (per {@code ip}, {@code outcome}: {@code success},
 * {@code blacklist-status}, {@code failure}; {@code hot}: {@code true}, {@code false}),
 * {@code hotconnpool.requests.hot}, {@code hotconnpool.acquire.timeouts}, {@code hotconnpool.handshakes},
 * {@code hotconnpool.connections.retired} ({@code reason}: {@code expired}, {@code idle}, {@code unhealthy},
 * {@code blacklisted}, {@code dns-removed}, {@code forced}, {@code broken}, {@code closed}) and, for the whole pool,
 * {@code hotconnpool.connections.dns.new}.</li>
 * </ul>
 * Register it on the pool when building it ({@link HotConnPool.Builder#listener(HotConnPoolListener)}) and bind it
 * to one or more registries; it takes the pool lazily, so that the pool can depend on it.
 * <p>
 * The meters of a host or IP the pool no longer has are removed when gauges are next read; all meters are removed
 * when the pool closes, at the latest when this bean stops right after the pool.
 */
public final class HotConnPoolMetrics implements MeterBinder, HotConnPoolListener, SmartLifecycle {

	/** How long one {@link HotConnPool#stats()} serves gauge reads: one scrape reads many gauges. */
	static final Duration SNAPSHOT_TTL = Duration.ofSeconds(1);

	private static final String PREFIX = "hotconnpool.";

	private final Supplier<HotConnPool> pool;

	/** Every bound registry: meters are created here once, before or after binding, and removed here. */
	private final CompositeMeterRegistry registry = new CompositeMeterRegistry();

	private final Map<String, HostMeters> hosts = new ConcurrentHashMap<>();

	private final Map<IpKey, IpMeters> ips = new ConcurrentHashMap<>();

	private final List<Meter> poolMeters = new CopyOnWriteArrayList<>();

	private final ReentrantLock refreshLock = new ReentrantLock();

	private volatile Snapshot snapshot;

	private volatile boolean closed;

	private volatile boolean running;

	/**
	 * Creates the metrics.
	 * @param pool supplies the pool when gauges are first read
	 */
	public HotConnPoolMetrics(Supplier<HotConnPool> pool) {
		this.pool = pool;
	}

	/** Bound at start-up, before the pool starts and sends events. */
	@Override
	public void bindTo(MeterRegistry registry) {
		this.registry.add(registry);
		if (this.poolMeters.isEmpty()) {
			this.poolMeters.add(FunctionCounter
				.builder(PREFIX + "connections.dns.new", this,
						(metrics) -> metrics.poolValue(PoolStats::newConnectionsFromDns))
				.description("Connections created for IP addresses that a DNS refresh found")
				.register(this.registry));
		}
	}

	// ---- events -------------------------------------------------------------------------------------------------

	@Override
	public void acquireEnded(String host, long waitNanos, boolean acquired) {
		HostMeters meters = host(host);
		if (meters != null) {
			(acquired ? meters.acquired : meters.timedOut).record(waitNanos, TimeUnit.NANOSECONDS);
			if (!acquired) {
				meters.acquireTimeouts.increment();
			}
		}
	}

	@Override
	public void connectionOpened(String host, String ip, long connectNanos, long handshakeNanos) {
		HostMeters hostMeters = host(host);
		IpMeters meters = ip(host, ip);
		if (hostMeters != null && meters != null) {
			hostMeters.handshakes.increment();
			meters.connect.record(connectNanos, TimeUnit.NANOSECONDS);
			meters.handshake.record(handshakeNanos, TimeUnit.NANOSECONDS);
		}
	}

	@Override
	public void probeEnded(String host, String ip, long nanos, boolean healthy) {
		IpMeters meters = ip(host, ip);
		if (meters != null) {
			(healthy ? meters.probeHealthy : meters.probeUnhealthy).record(nanos, TimeUnit.NANOSECONDS);
		}
	}

	@Override
	public void requestEnded(String host, String ip, RequestOutcome outcome, boolean hot) {
		HostMeters hostMeters = host(host);
		IpMeters meters = ip(host, ip);
		if (hostMeters != null && meters != null) {
			meters.requests.get(outcome)[hot ? 1 : 0].increment();
			if (hot) {
				hostMeters.hotRequests.increment();
			}
		}
	}

	@Override
	public void connectionRetired(String host, String ip, RetireReason reason) {
		HostMeters meters = host(host);
		if (meters != null) {
			meters.retired.get(reason).increment();
		}
	}

	// ---- lifecycle ----------------------------------------------------------------------------------------------

	@Override
	public void start() {
		this.running = true;
	}

	/** Removes every meter: the pool, one phase higher, has stopped. */
	@Override
	public void stop() {
		this.running = false;
		close();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** One below the pool's phase: stops right after the pool has drained, so its last events are counted. */
	@Override
	public int getPhase() {
		return this.pool.get().getPhase() - 1;
	}

	private void close() {
		this.closed = true;
		this.hosts.keySet().forEach((key) -> remove(this.hosts.remove(key)));
		this.ips.keySet().forEach((key) -> remove(this.ips.remove(key)));
		this.poolMeters.forEach(this.registry::remove);
	}

	// ---- meters -------------------------------------------------------------------------------------------------

	/** The host's meters, registered on first sight; {@code null} once the pool has closed. */
	private HostMeters host(String host) {
		HostMeters meters = this.hosts.get(host);
		if (meters == null && !this.closed) {
			meters = this.hosts.computeIfAbsent(host, HostMeters::new);
			if (this.closed) { // closed while registering: take them out again
				remove(this.hosts.remove(host));
				return null;
			}
		}
		return meters;
	}

	private IpMeters ip(String host, String ip) {
		IpKey key = new IpKey(host, ip);
		IpMeters meters = this.ips.get(key);
		if (meters == null && !this.closed) {
			meters = this.ips.computeIfAbsent(key, IpMeters::new);
			if (this.closed) {
				remove(this.ips.remove(key));
				return null;
			}
		}
		return meters;
	}

	private void remove(Registered meters) {
		if (meters != null) {
			meters.meters.forEach(this.registry::remove);
		}
	}

	private double poolValue(ToLongFunction<PoolStats> value) {
		Snapshot current = snapshot();
		return (current != null) ? value.applyAsLong(current.stats) : Double.NaN;
	}

	private double hostValue(String host, ToIntFunction<HostStats> value) {
		Snapshot current = snapshot();
		HostStats stats = (current != null) ? current.hosts.get(host) : null;
		return (stats != null) ? value.applyAsInt(stats) : Double.NaN;
	}

	/**
	 * The pool's statistics, at most {@link #SNAPSHOT_TTL} old. A refresh also registers the meters of hosts not
	 * seen yet and removes those of hosts and IPs the pool no longer has, or all meters once the pool has closed.
	 * @return the snapshot, or {@code null} once the pool has closed
	 */
	private Snapshot snapshot() {
		Snapshot current = this.snapshot;
		if (this.closed || (current != null && current.isFresh())) {
			return this.closed ? null : current;
		}
		this.refreshLock.lock();
		try {
			current = this.snapshot;
			if (this.closed || (current != null && current.isFresh())) {
				return this.closed ? null : current;
			}
			HotConnPool pool = this.pool.get();
			if (pool.isClosed()) {
				close();
				return null;
			}
			long takenAt = System.nanoTime();
			current = Snapshot.of(takenAt, pool.stats());
			this.snapshot = current;
			prune(current);
			current.hosts.keySet().forEach(this::host);
			return current;
		}
		finally {
			this.refreshLock.unlock();
		}
	}

	/** Meters registered after the snapshot was taken are spared: their host or IP may be newer than it. */
	private void prune(Snapshot current) {
		Predicate<Registered> stale = (meters) -> meters.registeredAt - current.takenAt < 0;
		this.hosts.forEach((host, meters) -> {
			if (!current.hosts.containsKey(host) && stale.test(meters)) {
				remove(this.hosts.remove(host));
			}
		});
		this.ips.forEach((key, meters) -> {
			Set<String> live = current.ips.get(key.host);
			if ((live == null || !live.contains(key.ip)) && stale.test(meters)) {
				remove(this.ips.remove(key));
			}
		});
	}

	/** Meters registered together and removed together. */
	private abstract static class Registered {

		final long registeredAt = System.nanoTime();

		final List<Meter> meters = new ArrayList<>();

		<M extends Meter> M add(M meter) {
			this.meters.add(meter);
			return meter;
		}

	}

	private final class HostMeters extends Registered {

		private final Timer acquired;

		private final Timer timedOut;

		private final Counter acquireTimeouts;

		private final Counter handshakes;

		private final Counter hotRequests;

		private final Map<RetireReason, Counter> retired = new EnumMap<>(RetireReason.class);

		HostMeters(String host) {
			gauge(host, "connections", "Connections by state", "state", "idle", HostStats::idle);
			gauge(host, "connections", "Connections by state", "state", "leased", HostStats::leased);
			gauge(host, "connections", "Connections by state", "state", "warming", HostStats::warming);
			gauge(host, "streams.active", "Leases in flight: HTTP/2 streams and leased HTTP/1.1 connections", null,
					null, HostStats::streams);
			gauge(host, "acquires.pending", "Acquires waiting for a connection", null, null, HostStats::waiting);
			gauge(host, "ips.blacklisted", "IP addresses set aside", null, null, (stats) -> stats.blacklisted().size());
			this.acquired = add(acquireTimer(host, "acquired"));
			this.timedOut = add(acquireTimer(host, "timeout"));
			this.acquireTimeouts = add(Counter.builder(PREFIX + "acquire.timeouts")
				.description("Acquires that gave up waiting for a connection")
				.tag("host", host)
				.register(HotConnPoolMetrics.this.registry));
			this.handshakes = add(Counter.builder(PREFIX + "handshakes")
				.description("TLS handshakes, warm-up and replacements included")
				.tag("host", host)
				.register(HotConnPoolMetrics.this.registry));
			this.hotRequests = add(Counter.builder(PREFIX + "requests.hot")
				.description("Requests served on an already-warm connection")
				.tag("host", host)
				.register(HotConnPoolMetrics.this.registry));
			for (RetireReason reason : RetireReason.values()) {
				this.retired.put(reason, add(Counter.builder(PREFIX + "connections.retired")
					.description("Connections that left the pool, by reason")
					.tags("host", host, "reason", EnumNames.of(reason))
					.register(HotConnPoolMetrics.this.registry)));
			}
		}

		private void gauge(String host, String name, String description, String tag, String tagValue,
				ToIntFunction<HostStats> value) {
			Gauge.Builder<HotConnPoolMetrics> builder = Gauge
				.builder(PREFIX + name, HotConnPoolMetrics.this, (metrics) -> metrics.hostValue(host, value))
				.description(description)
				.tag("host", host);
			if (tag != null) {
				builder.tag(tag, tagValue);
			}
			add(builder.register(HotConnPoolMetrics.this.registry));
		}

		private Timer acquireTimer(String host, String outcome) {
			return Timer.builder(PREFIX + "acquire")
				.description("Time to lease a connection")
				.tags("host", host, "outcome", outcome)
				.register(HotConnPoolMetrics.this.registry);
		}

	}

	private final class IpMeters extends Registered {

		private final Timer connect;

		private final Timer handshake;

		private final Timer probeHealthy;

		private final Timer probeUnhealthy;

		/** Per outcome: [not hot, hot]. */
		private final Map<RequestOutcome, Counter[]> requests = new EnumMap<>(RequestOutcome.class);

		IpMeters(IpKey key) {
			this.connect = timer(key, "connection.connect", "TCP connect time of new connections");
			this.handshake = timer(key, "connection.handshake", "TLS handshake time of new connections");
			this.probeHealthy = timer(key, "probe", "Warm-up and health probe time", "outcome", "healthy");
			this.probeUnhealthy = timer(key, "probe", "Warm-up and health probe time", "outcome", "unhealthy");
			for (RequestOutcome outcome : RequestOutcome.values()) {
				Counter[] byHot = new Counter[2];
				for (int hot = 0; hot < 2; hot++) {
					byHot[hot] = add(Counter.builder(PREFIX + "requests")
						.description("Requests executed on leased connections")
						.tags("host", key.host, "ip", key.ip, "outcome", EnumNames.of(outcome), "hot",
								String.valueOf(hot == 1))
						.register(HotConnPoolMetrics.this.registry));
				}
				this.requests.put(outcome, byHot);
			}
		}

		private Timer timer(IpKey key, String name, String description, String... tags) {
			return add(Timer.builder(PREFIX + name)
				.description(description)
				.tags("host", key.host, "ip", key.ip)
				.tags(tags)
				.register(HotConnPoolMetrics.this.registry));
		}

	}

	private record IpKey(String host, String ip) {
	}

	/** One {@link HotConnPool#stats()} with its hosts and their live IPs indexed by host key. */
	private record Snapshot(long takenAt, PoolStats stats, Map<String, HostStats> hosts, Map<String, Set<String>> ips) {

		static Snapshot of(long takenAt, PoolStats stats) {
			Map<String, HostStats> hosts = new HashMap<>();
			Map<String, Set<String>> ips = new HashMap<>();
			for (HostStats host : stats.hosts()) {
				String key = HostKeys.of(host);
				hosts.put(key, host);
				Set<String> live = new HashSet<>(host.addresses());
				live.addAll(host.draining());
				host.connections().stream().map(ConnectionStats::ip).forEach(live::add);
				ips.put(key, live);
			}
			return new Snapshot(takenAt, stats, hosts, ips);
		}

		boolean isFresh() {
			return System.nanoTime() - this.takenAt < SNAPSHOT_TTL.toNanos();
		}

	}

}
