package io.hotconnpool.pool;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * The connections of one target host, spread over its IP addresses: the host's state machine, which leases and
 * takes back connections and streams, and judges what leases and probes saw.
 * <p>
 * <b>Parts and locking.</b> This class holds the host's state and its transitions (lease, offer, retire); the lease
 * paths are {@link HostLeases}'s, the background tasks' decisions {@link HostMaintenance}'s. One {@link HostLock} per
 * host guards the IPs' health ({@link HostIps}), the connections, the idle stack, the waiters ({@link Waiters}) and
 * the draining set ({@link SharedConnections}); slot planning is a pure function under it ({@link SlotPlan}); a
 * connection's own state is changed only through its methods ({@link PooledConnection}). No I/O
 * (connect, handshake, probe, close, DNS), listener or logger runs under the lock: every decision to open or close
 * connections is one {@link Changes}, carried out by the caller after the lock ({@link HotConnPool#apply}), and log
 * lines and events run once it is released. Time is a parameter: {@link #clock}, {@link System#nanoTime()} unless a
 * test injects another, and {@code now} arguments for maintenance.
 * <p>
 * <b>Selection and spread.</b> Idle connections form a stack: a connection back from a lease goes on top and
 * acquire takes the most recently used one, so the connections that carry traffic stay busy and short of any
 * server's keep-alive timeout, while the others are spares that maintenance keeps warm (probed connections and new
 * ones go to the bottom). Among the idle connections near the top, acquire prefers one whose IP holds the fewest
 * leases, so concurrent leases spread over the IPs.
 * <p>
 * <b>Liveness.</b> A leased HTTP/1.1 connection idle longer than {@code keep-alive.alive-bypass-window} is checked
 * after the lock is released ({@link PooledConnection#isAlive()}: a read of at most 1 ms); one its server closed is
 * retired, which teaches the host its servers' keep-alive timeout ({@link KeepAlive}), and acquire takes the next.
 * A retry's connection, of either protocol, answers a probe first: a server's close on its way is seen only by a
 * round trip ({@link HostLeases#acquireAlive}).
 * <p>
 * <b>Streams.</b> A shared lease takes a stream on a multiplexed (HTTP/2) connection with a compare-and-set
 * ({@link SharedConnections#pickStream}) and gives it back with a decrement, without the lock and without reading
 * the clock (the exchange stamped the connection's last use), unless a waiter is to be served, the lease is to be
 * judged, an IP's failure count is to be reset, or the connection was retired meanwhile. A retirement sets the state
 * first and reads the count after; a stream's release counts down first and reads the state after: so either the
 * retirement sees no stream and closes the connection, or the last stream's release sees the retirement and closes
 * it (a drain). A health probe of a shared connection is one more stream: it never keeps leases off it.
 * <p>
 * <b>IP health.</b> A blacklisted IP's idle connections are retired at once and its leased ones on release. Once its
 * entry expires, one probation connection re-probes it: success restores the IP and warms its slots, failure keeps
 * it blacklisted for another TTL. An IP that leaves the DNS answer is drained.
 */
final class HostPool {

	/** How many idle connections acquire looks at, from the most recently used, for one on a less loaded IP. */
	private static final int SPREAD_SCAN = 16;

	/** The load given to the IP a retry avoids: taken only when no other IP has an idle connection. */
	private static final int AVOIDED = Integer.MAX_VALUE / 2;

	/** A lease that ran nothing: the connection serves again, its IP's failure count stands. */
	static final LeaseOutcome UNUSED = new LeaseOutcome(null, null, null);

	/** The server closed the connection (after a good exchange, or idle): it goes, but the IP did nothing wrong. */
	static final LeaseOutcome CLOSED_BY_SERVER = new LeaseOutcome(RetireReason.BROKEN, null, null);

	final HotConnPool pool;

	final HostSettings settings;

	final Request probeRequest;

	/** The monotonic clock of every decision: {@link System#nanoTime()} unless a test injects its own. */
	final LongSupplier clock;

	/** What this host's servers do with idle connections. */
	final KeepAlive keepAlive;

	final HostLock lock = new HostLock();

	/** Signalled when a lease comes back while the host is closing. */
	private final Condition leaseReturned = this.lock.newCondition();

	final HostIps ips;

	final SlotPlan plan;

	final Waiters waiters = new Waiters(this.lock);

	final SharedConnections shared = new SharedConnections();

	final HostLeases leases;

	final HostMaintenance maintenance;

	/** Every connection in service (warming, idle, leased, reserved); guarded by the lock. */
	final List<PooledConnection> connections = new ArrayList<>();

	/** Idle HTTP/1.1 connections, most recently used first; guarded by the lock. */
	final ArrayDeque<PooledConnection> idle = new ArrayDeque<>();

	/** The clients this host's connections derive their pinned clients from: one per TLS profile, in turn. */
	private final List<OkHttpClient> baseClients;

	private final AtomicInteger nextProfile = new AtomicInteger();

	/** Written under the lock; volatile so that a stream's release can see it without the lock. */
	private volatile boolean closed;

	private volatile String lastFailure;

	HostPool(HotConnPool pool, HostSettings settings) {
		this(pool, settings, System::nanoTime);
	}

	HostPool(HotConnPool pool, HostSettings settings, LongSupplier clock) {
		this.pool = pool;
		this.settings = settings;
		this.clock = clock;
		// The configuration checked the path: it resolves.
		HttpUrl probeUrl = new HttpUrl.Builder().scheme("https")
			.host(settings.host())
			.port(settings.port())
			.build()
			.resolve(settings.probePath());
		this.probeRequest = new Request.Builder().url(probeUrl).method(settings.probeMethod(), null).build();
		this.keepAlive = new KeepAlive(pool.config.getKeepAlive().getAliveBypassWindow().toNanos());
		this.ips = new HostIps(this.lock, settings.key(), pool);
		this.plan = new SlotPlan(settings);
		this.leases = new HostLeases(this);
		this.maintenance = new HostMaintenance(this);
		this.baseClients = settings.tlsProfiles()
			.stream()
			.map((profile) -> pool.baseClient(settings.tls(), profile))
			.toList();
	}

	/** The base client and profile of the next new connection: the host's profiles in turn. */
	int nextProfileIndex() {
		return Math.floorMod(this.nextProfile.getAndIncrement(), this.baseClients.size());
	}

	OkHttpClient baseClient(int profileIndex) {
		return this.baseClients.get(profileIndex);
	}

	String key() {
		return this.settings.key();
	}

	boolean isClosed() {
		return this.closed;
	}

	// ---- warm slots ----------------------------------------------------------------------------------------

	List<PooledConnection> fillLocked() {
		if (this.closed) {
			return List.of();
		}
		List<PooledConnection> created = new ArrayList<>();
		this.plan.missing(this.connections, this.ips.usable())
			.forEach((free) -> created.add(createLocked(free.ip(), free.slot())));
		return created;
	}

	PooledConnection createLocked(InetAddress ip, int slot) {
		PooledConnection connection = this.pool.newConnection(this, ip, slot);
		this.connections.add(connection);
		return connection;
	}

	/**
	 * A stream ended: a draining connection whose last stream it was goes to {@code toClose}, and waiters get its
	 * place.
	 */
	void streamEndedLocked(PooledConnection connection, List<PooledConnection> toClose) {
		if (connection.state == ConnectionState.RETIRED) {
			if (this.shared.drained(connection)) {
				toClose.add(connection);
			}
			return;
		}
		serveWaitersLocked();
	}

	/** Hands streams, and shared connections with none in flight, to the waiters in their order. */
	private void serveWaitersLocked() {
		this.waiters.serve((exclusive) -> takeLocked(exclusive, null));
	}

	// ---- state changes ------------------------------------------------------------------------------------

	/** Takes a stream, or a whole multiplexed connection with none in flight, under the lock. */
	PooledConnection takeLocked(boolean exclusive, InetAddress avoid) {
		if (!exclusive) {
			return this.shared.pickStream(avoid);
		}
		PooledConnection whole = this.shared.holdWhole(avoid);
		if (whole != null) {
			leaseLocked(whole);
		}
		return whole;
	}

	/**
	 * The most recently used idle connection whose IP holds the fewest leases, among the first
	 * {@value #SPREAD_SCAN} idle ones; to another IP than {@code avoid} if any is idle.
	 */
	PooledConnection pollIdleLocked(InetAddress avoid) {
		PooledConnection first = this.idle.peekFirst();
		if (first == null || (avoid == null && this.ips.leases(first.ip) == 0)) {
			return this.idle.pollFirst(); // the common case: no lease on the IP of the most recently used one
		}
		PooledConnection best = null;
		int bestLoad = Integer.MAX_VALUE;
		int scanned = 0;
		for (PooledConnection connection : this.idle) {
			int load = connection.ip.equals(avoid) ? AVOIDED : this.ips.leases(connection.ip);
			if (load < bestLoad) {
				best = connection;
				bestLoad = load;
				if (load == 0) {
					break;
				}
			}
			if (avoid == null && ++scanned >= SPREAD_SCAN) {
				break;
			}
		}
		if (best == first) {
			return this.idle.pollFirst();
		}
		this.idle.removeFirstOccurrence(best);
		return best;
	}

	/** Leases the connection whole. Its last use is stamped when its requests and the lease end. */
	void leaseLocked(PooledConnection connection) {
		this.ips.leaseStarted(connection.ip);
		connection.setStateLocked(ConnectionState.LEASED);
	}

	/**
	 * Hands the connection to the longest waiter, or makes it idle: on top of the idle stack when it comes back
	 * from a lease, at the bottom (a spare) when it comes from a probe or a liveness check. A multiplexed one is
	 * shared: it takes streams, and the waiters get as many as it has.
	 * @param used whether it carried an exchange (a liveness check sends nothing: the server's idle timer runs on)
	 */
	void offerLocked(PooledConnection connection, long now, boolean used) {
		boolean fromLease = connection.state == ConnectionState.LEASED;
		endLeaseLocked(connection);
		connection.probation(false);
		if (connection.multiplexed) {
			connection.setStateLocked(ConnectionState.IDLE);
			if (used) {
				connection.markUsed(now);
			}
			this.shared.add(connection);
			connection.streams.endHold(); // streams may come from here on, without the lock
			serveWaitersLocked();
			return;
		}
		// The waiter paid for this connection's handshake: its first request is not hot.
		boolean warm = connection.state == ConnectionState.WARMING;
		if (this.waiters.handOver(connection)) {
			connection.handedOverWarm(warm);
			leaseLocked(connection);
			return;
		}
		connection.setStateLocked(ConnectionState.IDLE);
		if (used) {
			connection.markUsed(now);
		}
		if (fromLease) {
			this.idle.addFirst(connection);
		}
		else {
			this.idle.addLast(connection);
		}
	}

	/** Counts a lease's end against its IP's leases, for the spread; no-op for a connection not leased. */
	private void endLeaseLocked(PooledConnection connection) {
		if (connection.state == ConnectionState.LEASED) {
			this.ips.leaseEnded(connection.ip);
		}
	}

	/**
	 * Retires a connection: out of the idle stack and the shared ones, counted, its event queued for after the lock.
	 * @param toClose receives it if it is to be closed now ({@code null}: the caller decides); a multiplexed one
	 * with streams in flight drains instead
	 */
	void retireLocked(PooledConnection connection, RetireReason reason, List<PooledConnection> toClose) {
		endLeaseLocked(connection);
		if (connection.state == ConnectionState.IDLE) {
			this.idle.remove(connection);
		}
		if (connection.multiplexed) {
			this.shared.remove(connection);
		}
		connection.retire(reason);
		this.connections.remove(connection);
		this.pool.counters.retired(reason);
		this.lock.later(() -> this.pool.listeners
			.fire((listener) -> listener.connectionRetired(key(), connection.ip.getHostAddress(), reason)));
		if (toClose != null) {
			closeOrDrainLocked(connection, toClose);
		}
	}

	/**
	 * A retired connection is closed now if no stream is in flight, or else drains. Its state was set first and
	 * its streams are read after, while a stream's release counts down first and reads the state after.
	 */
	void closeOrDrainLocked(PooledConnection connection, List<PooledConnection> toClose) {
		if (this.shared.closeOrDrain(connection)) {
			toClose.add(connection);
		}
	}

	/**
	 * Retires the idle connections and the shared ones, whatever streams they carry, that meet the condition.
	 * @return those to close now; shared ones with streams in flight drain
	 */
	List<PooledConnection> retireIdleLocked(Predicate<PooledConnection> condition, RetireReason reason) {
		List<PooledConnection> retired = new ArrayList<>();
		List<PooledConnection> candidates = new ArrayList<>(this.idle);
		for (PooledConnection connection : this.shared.all()) {
			if (connection.state == ConnectionState.IDLE) {
				candidates.add(connection);
			}
		}
		for (PooledConnection connection : candidates) {
			if (condition.test(connection)) {
				retireLocked(connection, reason, retired);
			}
		}
		return retired;
	}

	/** Idle connections, and shared ones with no stream in flight right now. */
	List<PooledConnection> unleasedLocked() {
		List<PooledConnection> unleased = new ArrayList<>(this.idle);
		for (PooledConnection connection : this.shared.all()) {
			if (connection.state == ConnectionState.IDLE && connection.streams.get() == 0) {
				unleased.add(connection);
			}
		}
		return unleased;
	}

	/** Every connection not closed yet: those in service and those draining. */
	List<PooledConnection> inUseLocked() {
		List<PooledConnection> all = new ArrayList<>(this.connections);
		all.addAll(this.shared.draining());
		return all;
	}

	/** Reserves idle connections for a probe or check outside the lock: they leave the idle stack. */
	void reserveLocked(List<PooledConnection> reserved) {
		// One pass: removeAll(reserved) would scan the list for every idle connection, quadratic at scale.
		Set<PooledConnection> due = Set.copyOf(reserved);
		this.idle.removeIf(due::contains);
		reserved.forEach(PooledConnection::reserve);
	}

	// ---- closing ------------------------------------------------------------------------------------------

	/** Wakes {@link #awaitLeasesReturned} when a lease comes back while the host closes. */
	void signalIfClosingLocked() {
		if (this.closed) {
			this.leaseReturned.signalAll();
		}
	}

	/** Refuses new acquires and fails the waiters with {@link PoolClosedException}; leases may still come back. */
	void beginClose() {
		this.lock.lock();
		try {
			this.closed = true;
			this.waiters.failAll(this.pool.closedException());
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Waits until no connection is leased, or the deadline.
	 * @return whether every lease came back
	 */
	boolean awaitLeasesReturned(long deadlineNanos) throws InterruptedException {
		this.lock.lock();
		try {
			return DeadlineWait.until(this.leaseReturned, this::noLeaseOutLocked, deadlineNanos, this.clock);
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Whether no connection is leased: none held whole, no stream in flight, none draining. */
	private boolean noLeaseOutLocked() {
		return this.shared.draining().isEmpty() && this.connections.stream()
			.noneMatch((c) -> c.state == ConnectionState.LEASED
					|| (c.state == ConnectionState.IDLE && c.multiplexed && c.streams.get() != 0));
	}

	/**
	 * Retires every connection, leased ones too.
	 * @return the retired connections, for the caller to close outside the lock
	 */
	List<PooledConnection> retireAll(RetireReason reason) {
		this.lock.lock();
		try {
			List<PooledConnection> retired = new ArrayList<>(this.connections);
			retired.forEach((connection) -> retireLocked(connection, reason, null));
			// Draining connections are cut too: their holders see an I/O error.
			retired.addAll(this.shared.takeDraining());
			return retired;
		}
		finally {
			this.lock.unlock();
		}
	}

	// ---- views --------------------------------------------------------------------------------------------

	String lastFailure() {
		return this.lastFailure;
	}

	void failed(String failure) {
		this.lastFailure = failure;
	}

	/** The connections in service and those draining, a snapshot: what {@link #stats()} describes. */
	List<PooledConnection> connections() {
		this.lock.lock();
		try {
			return inUseLocked();
		}
		finally {
			this.lock.unlock();
		}
	}

	HostStats stats() {
		this.lock.lock();
		try {
			return HostStatsView.snapshot(this);
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Connections the caller closes and connections it warms, decided under the lock: the one form of it. */
	record Changes(List<PooledConnection> toClose, List<PooledConnection> toWarm) {

		static final Changes NONE = new Changes(List.of(), List.of());

		/** These changes, closing {@code more} too. */
		Changes plus(List<PooledConnection> more) {
			List<PooledConnection> close = new ArrayList<>(this.toClose);
			close.addAll(more);
			return new Changes(close, this.toWarm);
		}

	}

	/**
	 * What a lease saw: why to retire its connection ({@code null}: it may serve again); for a blacklist status, why
	 * to blacklist the IP; and the failure that counts towards the IP's failure threshold, if any.
	 */
	record LeaseOutcome(RetireReason reason, String blacklistReason, String ipFailure) {
	}

}
