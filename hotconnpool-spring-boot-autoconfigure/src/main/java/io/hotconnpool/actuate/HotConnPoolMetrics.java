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
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

import io.hotconnpool.actuate.MeterFans.Fan;
import io.hotconnpool.actuate.MeterFans.Registered;
import io.hotconnpool.pool.ConnectionStats;
import io.hotconnpool.pool.HostStats;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolListener;
import io.hotconnpool.pool.PoolStats;
import io.hotconnpool.pool.RetireReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

import static io.hotconnpool.actuate.MeterFans.increment;
import static io.hotconnpool.actuate.MeterFans.record;

/**
 * Micrometer metrics of a {@link HotConnPool}: gauges computed from {@link HotConnPool#stats()}, timers and counters
 * fed by the pool's {@link HotConnPoolListener events}. Tagged {@code host} ({@code host:port}) and, for meters of
 * one address, {@code ip}.
 * <ul>
 * <li>gauges {@code hotconnpool.connections} ({@code state}: {@code idle}, {@code leased}, {@code warming}),
 * {@code hotconnpool.streams.active} (leases in flight: HTTP/2 streams and leased HTTP/1.1 connections),
 * {@code hotconnpool.acquires.pending}, {@code hotconnpool.ips.blacklisted}, {@code hotconnpool.connections.max},
 * {@code hotconnpool.connections.warm.target};</li>
 * <li>timers {@code hotconnpool.acquire} ({@code outcome}: {@code acquired}, {@code timeout}),
 * {@code hotconnpool.connection.connect} and {@code hotconnpool.connection.handshake} (per {@code ip}),
 * {@code hotconnpool.probe} (per {@code ip}, {@code outcome}: {@code healthy}, {@code unhealthy}),
 * {@code hotconnpool.request} ({@code outcome}, {@code hot}) and {@code hotconnpool.lease.held};</li>
 * <li>counters {@code hotconnpool.requests} (per {@code ip}, {@code outcome}: {@code success},
 * {@code server-error}, {@code blacklist-status}, {@code failure}; {@code hot}: {@code true}, {@code false}), counted
 * when the request ends (its body read or closed, or an I/O error, also while reading the body),
 * {@code hotconnpool.responses} ({@code status}: {@code 1xx} to {@code 5xx}), {@code hotconnpool.requests.hot}, {@code hotconnpool.acquire.timeouts}, {@code hotconnpool.handshakes},
 * {@code hotconnpool.connections.retired} ({@code reason}: {@code expired}, {@code idle}, {@code unhealthy},
 * {@code blacklisted}, {@code dns-removed}, {@code forced}, {@code broken}, {@code closed}) and, for the whole pool,
 * {@code hotconnpool.connections.dns.new}.</li>
 * </ul>
 * Register it on the pool when building it ({@link HotConnPool.Builder#listener(HotConnPoolListener)}) and bind it
 * to one or more registries; it takes the pool lazily, so that the pool can depend on it. Without the {@code ip} tag
 * the per-IP meters are per host.
 * <p>
 * The meters of a host or IP the pool no longer has are removed when gauges are next read; all meters are removed
 * when the pool closes, at the latest when this bean is closed right after the pool. A registry's filters may merge
 * several of these meters into one (say {@code MeterFilter.ignoreTags("ip")}): such a meter is removed from that
 * registry only when none of them is left.
 */
public final class HotConnPoolMetrics implements MeterBinder, HotConnPoolListener, AutoCloseable {

	/** How long one {@link HotConnPool#stats()} serves gauge reads: one scrape reads many gauges. */
	static final Duration SNAPSHOT_TTL = Duration.ofSeconds(1);

	private static final String PREFIX = "hotconnpool.";

	private final Supplier<HotConnPool> pool;

	private final MeterFans meters = new MeterFans();

	private final boolean ipTag;

	private final Map<String, HostMeters> hosts = new ConcurrentHashMap<>();

	private final Map<IpKey, IpMeters> ips = new ConcurrentHashMap<>();

	private final Fan<FunctionCounter> newConnectionsFromDns;

	private final ReentrantLock refreshLock = new ReentrantLock();

	private volatile Snapshot snapshot;

	private volatile boolean closed;

	/**
	 * Creates the metrics.
	 * @param pool supplies the pool when gauges are first read
	 */
	public HotConnPoolMetrics(Supplier<HotConnPool> pool) {
		this(pool, true);
	}

	/**
	 * Creates the metrics.
	 * @param pool supplies the pool when gauges are first read
	 * @param ipTag whether meters of one address carry an {@code ip} tag; without it they are per host
	 */
	public HotConnPoolMetrics(Supplier<HotConnPool> pool, boolean ipTag) {
		this.pool = pool;
		this.ipTag = ipTag;
		this.newConnectionsFromDns = this.meters.add((registry) -> FunctionCounter
			.builder(PREFIX + "connections.dns.new", this, (metrics) -> metrics.poolValue(PoolStats::newConnectionsFromDns))
			.description("Connections created for IP addresses that a DNS refresh found")
			.register(registry));
	}

	/** Bound at start-up, before the pool starts and sends events; meters made before are added to the registry. */
	@Override
	public void bindTo(MeterRegistry registry) {
		this.meters.bindTo(registry);
	}

	// ---- events -------------------------------------------------------------------------------------------------

	@Override
	public void acquireEnded(String host, long waitNanos, boolean acquired) {
		HostMeters meters = host(host);
		if (meters != null) {
			record(acquired ? meters.acquired : meters.timedOut, waitNanos);
			if (!acquired) {
				increment(meters.acquireTimeouts);
			}
		}
	}

	@Override
	public void connectionOpened(String host, String ip, long connectNanos, long handshakeNanos) {
		HostMeters hostMeters = host(host);
		IpMeters meters = ip(host, ip);
		if (hostMeters != null && meters != null) {
			increment(hostMeters.handshakes);
			record(meters.connect, connectNanos);
			record(meters.handshake, handshakeNanos);
		}
	}

	@Override
	public void probeEnded(String host, String ip, long nanos, boolean healthy) {
		IpMeters meters = ip(host, ip);
		if (meters != null) {
			record(healthy ? meters.probeHealthy : meters.probeUnhealthy, nanos);
		}
	}

	@Override
	public void requestEnded(String host, String ip, RequestOutcome outcome, boolean hot, long nanos) {
		HostMeters hostMeters = host(host);
		IpMeters meters = ip(host, ip);
		if (hostMeters != null && meters != null) {
			int byHot = hot ? 1 : 0;
			increment(meters.requests.get(outcome).get(byHot));
			record(hostMeters.requests.get(outcome).get(byHot), nanos);
			if (hot) {
				increment(hostMeters.hotRequests);
			}
		}
	}

	@Override
	public void responseReceived(String host, String ip, int status) {
		HostMeters meters = host(host);
		if (meters != null) {
			increment(meters.responses.get(PoolStats.statusClass(status)));
		}
	}

	@Override
	public void leaseReleased(String host, String ip, long heldNanos) {
		HostMeters meters = host(host);
		if (meters != null) {
			record(meters.leaseHeld, heldNanos);
		}
	}

	@Override
	public void connectionRetired(String host, String ip, RetireReason reason) {
		HostMeters meters = host(host);
		if (meters != null) {
			increment(meters.retired.get(reason));
		}
	}

	// ---- closing ------------------------------------------------------------------------------------------------

	/**
	 * Removes every meter, for good: the pool has closed (the context destroys the pool's bean before this one, so
	 * the pool's last events are counted). A pool that merely stops keeps them: its hosts' meters go when gauges are
	 * next read, and come back when it warms its hosts again.
	 */
	@Override
	public void close() {
		this.closed = true;
		this.hosts.keySet().forEach((key) -> remove(this.hosts.remove(key)));
		this.ips.keySet().forEach((key) -> remove(this.ips.remove(key)));
		this.meters.remove(this.newConnectionsFromDns);
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
		IpKey key = new IpKey(host, this.ipTag ? ip : null);
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

	private static void remove(Registered meters) {
		if (meters != null) {
			meters.remove();
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
			boolean gone = (live == null) || (key.ip != null && !live.contains(key.ip));
			if (gone && stale.test(meters)) {
				remove(this.ips.remove(key));
			}
		});
	}

	private final class HostMeters extends Registered {

		private final Fan<Timer> acquired;

		private final Fan<Timer> timedOut;

		private final Fan<Counter> acquireTimeouts;

		private final Fan<Counter> handshakes;

		private final Fan<Counter> hotRequests;

		private final Map<String, Fan<Counter>> responses = new HashMap<>();

		private final Map<RetireReason, Fan<Counter>> retired = new EnumMap<>(RetireReason.class);

		/** Per outcome: [not hot, hot]. */
		private final Map<RequestOutcome, List<Fan<Timer>>> requests = new EnumMap<>(RequestOutcome.class);

		private final Fan<Timer> leaseHeld;

		HostMeters(String host) {
			super(HotConnPoolMetrics.this.meters);
			gauge(host, "connections", "Connections by state", "state", "idle", HostStats::idle);
			gauge(host, "connections", "Connections by state", "state", "leased", HostStats::leased);
			gauge(host, "connections", "Connections by state", "state", "warming", HostStats::warming);
			gauge(host, "streams.active", "Leases in flight: HTTP/2 streams and leased HTTP/1.1 connections", null,
					null, HostStats::streams);
			gauge(host, "acquires.pending", "Acquires waiting for a connection", null, null, HostStats::waiting);
			gauge(host, "ips.blacklisted", "IP addresses set aside", null, null, (stats) -> stats.blacklisted().size());
			gauge(host, "connections.max", "Most connections the host may have", null, null, HostStats::maxConnections);
			gauge(host, "connections.warm.target", "Connections the pool keeps warm", null, null,
					HostStats::warmTarget);
			for (RequestOutcome outcome : RequestOutcome.values()) {
				List<Fan<Timer>> byHot = new ArrayList<>(2);
				for (String hot : List.of("false", "true")) {
					byHot.add(add((registry) -> Timer.builder(PREFIX + "request")
						.description("Requests on leased connections, until the response body ends")
						.tags("host", host, "outcome", EnumNames.of(outcome), "hot", hot)
						.register(registry)));
				}
				this.requests.put(outcome, List.copyOf(byHot));
			}
			this.leaseHeld = add((registry) -> Timer.builder(PREFIX + "lease.held")
				.description("Time a lease holds its connection, from acquire to close")
				.tag("host", host)
				.register(registry));
			this.acquired = acquireTimer(host, "acquired");
			this.timedOut = acquireTimer(host, "timeout");
			this.acquireTimeouts = counter(host, "acquire.timeouts", "Acquires that gave up waiting for a connection");
			this.handshakes = counter(host, "handshakes", "TLS handshakes, warm-up and replacements included");
			this.hotRequests = counter(host, "requests.hot", "Requests served on an already-warm connection");
			for (String statusClass : PoolStats.STATUS_CLASSES) {
				this.responses.put(statusClass, counter(host, "responses",
						"Responses received on leased connections, by status class", "status", statusClass));
			}
			for (RetireReason reason : RetireReason.values()) {
				this.retired.put(reason, counter(host, "connections.retired", "Connections that left the pool, by reason",
						"reason", EnumNames.of(reason)));
			}
		}

		private void gauge(String host, String name, String description, String tag, String tagValue,
				ToIntFunction<HostStats> value) {
			add((registry) -> {
				Gauge.Builder<HotConnPoolMetrics> builder = Gauge
					.builder(PREFIX + name, HotConnPoolMetrics.this, (metrics) -> metrics.hostValue(host, value))
					.description(description)
					.tag("host", host);
				if (tag != null) {
					builder.tag(tag, tagValue);
				}
				return builder.register(registry);
			});
		}

		private Fan<Counter> counter(String host, String name, String description, String... tags) {
			return add((registry) -> Counter.builder(PREFIX + name)
				.description(description)
				.tag("host", host)
				.tags(tags)
				.register(registry));
		}

		private Fan<Timer> acquireTimer(String host, String outcome) {
			return add((registry) -> Timer.builder(PREFIX + "acquire")
				.description("Time to lease a connection")
				.tags("host", host, "outcome", outcome)
				.register(registry));
		}

	}

	/** The meters of one IP of a host, or of all its IPs when the {@code ip} tag is off. */
	private final class IpMeters extends Registered {

		private final Fan<Timer> connect;

		private final Fan<Timer> handshake;

		private final Fan<Timer> probeHealthy;

		private final Fan<Timer> probeUnhealthy;

		/** Per outcome: [not hot, hot]. */
		private final Map<RequestOutcome, List<Fan<Counter>>> requests = new EnumMap<>(RequestOutcome.class);

		IpMeters(IpKey key) {
			super(HotConnPoolMetrics.this.meters);
			Tags tags = (key.ip != null) ? Tags.of("host", key.host, "ip", key.ip) : Tags.of("host", key.host);
			this.connect = timer(tags, "connection.connect", "TCP connect time of new connections");
			this.handshake = timer(tags, "connection.handshake", "TLS handshake time of new connections");
			this.probeHealthy = timer(tags.and("outcome", "healthy"), "probe", "Warm-up and health probe time");
			this.probeUnhealthy = timer(tags.and("outcome", "unhealthy"), "probe", "Warm-up and health probe time");
			for (RequestOutcome outcome : RequestOutcome.values()) {
				List<Fan<Counter>> byHot = new ArrayList<>(2);
				for (String hot : List.of("false", "true")) {
					Tags requestTags = tags.and("outcome", EnumNames.of(outcome), "hot", hot);
					byHot.add(add((registry) -> Counter.builder(PREFIX + "requests")
						.description("Requests executed on leased connections")
						.tags(requestTags)
						.register(registry)));
				}
				this.requests.put(outcome, List.copyOf(byHot));
			}
		}

		private Fan<Timer> timer(Tags tags, String name, String description) {
			return add((registry) -> Timer.builder(PREFIX + name).description(description).tags(tags).register(registry));
		}

	}

	/** A host and one of its IPs; no IP when the {@code ip} tag is off. */
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
