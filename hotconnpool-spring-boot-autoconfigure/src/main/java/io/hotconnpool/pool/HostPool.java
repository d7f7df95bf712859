package io.hotconnpool.pool;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The connections of one target host, spread over its IP addresses, and the health of each IP.
 * <p>
 * <b>Locking.</b> One {@link ReentrantLock} per host guards its addresses, IP health, connections, idle queue and
 * waiters. No code holds two host locks at once, and no I/O (connect, handshake, probe, close, DNS) ever runs under
 * it: methods that decide to open or close connections return them ({@link Changes}), and the caller acts after
 * unlocking; log lines and listener events decided under it run once it is released ({@link #unlock()}). Times are
 * {@link System#nanoTime()}, immune to wall-clock jumps.
 * <p>
 * <b>Selection and spread.</b> Idle connections form a stack: a connection back from a lease goes on top and
 * acquire takes the most recently used one, so the connections that carry traffic stay busy and short of any
 * server's keep-alive timeout, while the others are spares that maintenance keeps warm (probed connections and new
 * ones go to the bottom). Among the idle connections near the top, acquire prefers one whose IP holds the fewest
 * leases, so concurrent leases spread over the IPs; every IP's connections are probed by maintenance whether or not
 * they carry traffic, so a dead IP is noticed all the same. Waiters are served first-come first-served, and a
 * released or newly warmed connection is handed directly to the longest waiter.
 * <p>
 * <b>Liveness.</b> A leased HTTP/1.1 connection idle longer than {@code keep-alive.alive-bypass-window} is checked
 * after the lock is released ({@link PooledConnection#isAlive()}: a read of at most 1 ms); one its server closed is
 * retired, which teaches the host its servers' keep-alive timeout ({@link KeepAlive}), and acquire takes the next.
 * <p>
 * <b>Streams.</b> Multiplexed (HTTP/2) connections in service sit in a copy-on-write array read without the lock.
 * A shared lease takes a stream with a compare-and-set on a connection's stream count and gives it back with a
 * decrement, without the lock, unless a waiter is to be served, the lease is to be judged (a failure, a blacklist
 * status), an IP's failure count is to be reset, or the connection was retired meanwhile. A retirement sets the
 * state first and reads the count after; a stream's release counts down first and reads the state after: so either
 * the retirement sees no stream and closes the connection, or the last stream's release sees the retirement and
 * closes it (a drain). A stream taken on a connection retired meanwhile is given back at once. A health probe of
 * a shared connection is one more stream: the connection never stops serving stream leases for a probe.
 * <p>
 * <b>Streams and waiters.</b> A caller's stream goes to the shared connection it used last while that one carries
 * none, else to the one with the fewest in flight (see {@link #pickStream}); the HTTP/1.1 stack above is not
 * involved. Waiters are served first-come first-served, and a released or newly
 * warmed connection, or a released stream, is handed directly to the longest waiter (a stream's release may be
 * overtaken by an acquire that finds it free first).
 * <p>
 * <b>IP health.</b> An IP is blacklisted on a blacklist status (on any response or probe) or after
 * {@code blacklist.failure-threshold} consecutive failures: connections that fail, probes that do not answer a
 * success status, responses 503 (Service Unavailable); any healthy release or probe resets the count. Its idle
 * connections are retired at once and its leased ones on release. Once its entry expires, one probation connection
 * re-probes it: success restores the IP and warms its slots, failure keeps it blacklisted for another TTL. An IP
 * that leaves the DNS answer is drained.
 */
final class HostPool {

	private static final Log logger = LogFactory.getLog(HostPool.class);

	private static final PooledConnection[] NONE = {};

	/** How many idle connections acquire looks at, from the most recently used, for one on a less loaded IP. */
	private static final int SPREAD_SCAN = 16;

	/** The load given to the IP a retry avoids: taken only when no other IP has an idle connection. */
	private static final int AVOIDED = Integer.MAX_VALUE / 2;

	final HotConnPool pool;

	final HostSettings settings;

	final Request probeRequest;

	/** The clients this host's connections derive their pinned clients from: one per TLS profile, in turn. */
	private final List<OkHttpClient> baseClients;

	private final AtomicInteger nextProfile = new AtomicInteger();

	private final ReentrantLock lock = new ReentrantLock();

	/** Signalled when a lease comes back while the host is closing. */
	private final Condition leaseReturned = this.lock.newCondition();

	private List<InetAddress> addresses = List.of();

	private final Map<InetAddress, IpHealth> health = new HashMap<>();

	private final List<PooledConnection> connections = new ArrayList<>();

	private final ArrayDeque<PooledConnection> idle = new ArrayDeque<>();

	private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

	/**
	 * What was decided under the lock and must happen once it is released: log lines (an IP blacklisted or
	 * restored), listener events. Run by {@link #unlock()}, so that no listener or logger ever runs under the lock.
	 */
	private final Queue<Runnable> afterUnlock = new ConcurrentLinkedQueue<>();

	/** The multiplexed connections that take streams; copy-on-write under the lock, read without it. */
	private volatile PooledConnection[] shared = NONE;

	/** Where the next look for a connection to hold whole starts: in turn. */
	private final AtomicInteger nextShared = new AtomicInteger();

	/** The connection each thread took its last stream on, tried first by its next. */
	private final ThreadLocal<PooledConnection> lastStream = new ThreadLocal<>();

	/** Retired multiplexed connections whose last streams still run; each is closed when its last stream ends. */
	private final Set<PooledConnection> draining = new HashSet<>();

	/** Whether an acquire waits: a stream's release then takes the lock to hand off. Written under the lock. */
	private volatile boolean waiting;

	/** Whether an IP has failures counted: a healthy stream's release then takes the lock to reset them. */
	private volatile boolean failing;

	/** Written under the lock; volatile so that a stream's release can see it without the lock. */
	private volatile boolean closed;

	private volatile String lastFailure;

	/** What this host's servers do with idle connections. */
	final KeepAlive keepAlive;

	/** Whether the last look-up failed: failures are logged once per streak, not at every refresh. */
	private final AtomicBoolean resolveFailing = new AtomicBoolean();

	HostPool(HotConnPool pool, HostSettings settings) {
		this.pool = pool;
		this.settings = settings;
		HttpUrl probeUrl = new HttpUrl.Builder().scheme("https")
			.host(settings.host())
			.port(settings.port())
			.build()
			.resolve(settings.probePath());
		if (probeUrl == null) {
			throw new InvalidSettingException("hotconnpool.hosts[" + settings.host() + "].probe.path",
					settings.probePath(), "a valid URL path");
		}
		this.probeRequest = new Request.Builder().url(probeUrl).method(settings.probeMethod(), null).build();
		this.keepAlive = new KeepAlive(pool.settings.aliveBypassWindow().toNanos());
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

	// ---- addresses and warm slots --------------------------------------------------------------------------

	/**
	 * Sets the host's addresses: the static ones and those resolved. New IPs get warm connections; IPs that left
	 * are drained (idle connections returned for closing, leased ones retired on release).
	 * @param resolved the resolver's answer
	 * @param refresh whether this is a DNS refresh (connections to new IPs are counted as found by DNS)
	 * @return connections to close and connections to warm
	 */
	Changes updateAddresses(List<InetAddress> resolved, boolean refresh) {
		Set<InetAddress> merged = new LinkedHashSet<>(this.settings.staticAddresses());
		merged.addAll(resolved);
		this.lock.lock();
		try {
			Set<InetAddress> previous = new HashSet<>(this.addresses);
			this.addresses = List.copyOf(merged);
			this.health.keySet().retainAll(merged);
			this.failing = this.health.values().stream().anyMatch((h) -> h.consecutiveFailures != 0);
			merged.forEach((ip) -> this.health.computeIfAbsent(ip, (unused) -> new IpHealth()));
			List<PooledConnection> toClose = retireIdleLocked((c) -> !merged.contains(c.ip), RetireReason.DNS_REMOVED);
			toClose.addAll(yieldExtrasLocked());
			List<PooledConnection> toWarm = fillLocked();
			if (refresh) {
				toWarm.stream().filter((c) -> !previous.contains(c.ip)).forEach((c) -> c.foundByDns = true);
			}
			return new Changes(toClose, toWarm);
		}
		finally {
			unlock();
		}
	}

	/**
	 * Records the outcome of a look-up and logs a failure once per streak, and the recovery.
	 * @param failure why it failed, or {@code null} when it succeeded
	 */
	void resolved(Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof CompletionException || cause instanceof UncheckedIOException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		if (cause == null) {
			if (this.resolveFailing.compareAndSet(true, false)) {
				logger.info("hotconnpool resolves " + key() + " again");
			}
			return;
		}
		if (this.resolveFailing.compareAndSet(false, true)) {
			String what = (cause instanceof TimeoutException)
					? "did not answer within " + this.pool.settings.resolveTimeout() : "failed: " + cause;
			logger.warn("hotconnpool look-up of " + this.settings.host() + " " + what
					+ "; keeping its static and last known addresses (logged once until it succeeds)");
		}
	}

	/** Creates the missing warm connections; the caller warms them. */
	List<PooledConnection> fill() {
		this.lock.lock();
		try {
			return fillLocked();
		}
		finally {
			unlock();
		}
	}

	private List<PooledConnection> fillLocked() {
		if (this.closed) {
			return List.of();
		}
		List<InetAddress> usable = usableAddressesLocked();
		Set<InetAddress> usableSet = new HashSet<>(usable); // a list's contains() made every tick quadratic
		int perIp = this.settings.connectionsPerIp();
		int target = this.settings.warmTarget(usable.size());
		int max = this.settings.maxConnections();
		Set<String> occupied = new HashSet<>();
		int warm = 0;
		int live = 0;
		for (PooledConnection connection : this.connections) {
			if (usableSet.contains(connection.ip)) {
				occupied.add(slotKey(connection.ip, connection.slot));
				live++;
				warm += (connection.slot < perIp) ? 1 : 0;
			}
		}
		List<PooledConnection> created = new ArrayList<>();
		// Slot-major order spreads a capped warm target evenly over the IPs. Connections opened on demand (slots
		// beyond connections-per-ip) are no warm slot, but they count towards the maximum.
		for (int slot = 0; slot < perIp && warm < target && live < max; slot++) {
			for (InetAddress ip : usable) {
				if (warm >= target || live >= max) {
					break;
				}
				if (occupied.add(slotKey(ip, slot))) {
					created.add(createLocked(ip, slot));
					warm++;
					live++;
				}
			}
		}
		return created;
	}

	/**
	 * Retires idle connections opened on demand (slots beyond connections-per-ip) while the host is at its maximum
	 * and a usable IP lacks a warm slot, such as an IP a DNS refresh added: warmth over every IP comes before extra
	 * connections to some.
	 * @return the connections to close
	 */
	private List<PooledConnection> yieldExtrasLocked() {
		List<InetAddress> usable = usableAddressesLocked();
		Set<InetAddress> usableSet = new HashSet<>(usable);
		int perIp = this.settings.connectionsPerIp();
		long warm = this.connections.stream().filter((c) -> c.slot < perIp && usableSet.contains(c.ip)).count();
		long live = this.connections.stream().filter((c) -> usableSet.contains(c.ip)).count();
		long needed = (this.settings.warmTarget(usable.size()) - warm) - (this.settings.maxConnections() - live);
		List<PooledConnection> retired = new ArrayList<>();
		int yielded = 0;
		for (PooledConnection connection : unleasedLocked()) {
			if (yielded >= needed) {
				break;
			}
			if (connection.slot >= perIp && usableSet.contains(connection.ip)) {
				retireLocked(connection, RetireReason.IDLE);
				drainOrCloseLocked(connection, retired);
				yielded++;
			}
		}
		return retired;
	}

	/** IPs that may get connections: not blacklisted, or the least bad one when all are and the policy says so. */
	private List<InetAddress> usableAddressesLocked() {
		List<InetAddress> usable = new ArrayList<>(this.addresses.size());
		for (InetAddress ip : this.addresses) {
			if (this.health.get(ip).blacklist == null) {
				usable.add(ip);
			}
		}
		if (usable.isEmpty() && !this.addresses.isEmpty()
				&& this.pool.settings.allBlacklisted() == AllBlacklistedPolicy.SERVE_LEAST_BAD) {
			usable.add(leastBadLocked());
		}
		return usable;
	}

	private InetAddress leastBadLocked() {
		return this.addresses.stream()
			.min(Comparator.comparingLong((InetAddress ip) -> this.health.get(ip).blacklist.untilNanos))
			.orElseThrow();
	}

	private boolean isUsableLocked(InetAddress ip) {
		IpHealth ipHealth = this.health.get(ip);
		if (ipHealth == null) {
			return false; // left the DNS answer
		}
		return ipHealth.blacklist == null || usableAddressesLocked().contains(ip);
	}

	private static String slotKey(InetAddress ip, int slot) {
		return ip.getHostAddress() + "#" + slot;
	}

	private PooledConnection createLocked(InetAddress ip, int slot) {
		PooledConnection connection = this.pool.newConnection(this, ip, slot);
		this.connections.add(connection);
		return connection;
	}

	// ---- acquire and release -------------------------------------------------------------------------------

	/**
	 * Leases a connection, waiting up to the timeout. A shared lease takes a stream on a multiplexed (HTTP/2)
	 * connection, without the lock when one has a stream free, or else an idle HTTP/1.1 connection; an exclusive
	 * lease takes a whole connection: an idle HTTP/1.1 one, or a multiplexed one with no stream in flight. An idle
	 * HTTP/1.1 connection is checked for a server's close after the lock is released, when it has been idle longer
	 * than the alive-bypass window or {@code validate} is set; a closed one is retired and the next taken.
	 * @param avoid an IP to take only when no other has a free connection or stream, or {@code null}
	 * @param exclusive whether the caller needs the connection to itself
	 * @param validate whether to check the connection whatever its idle time (a retry must not meet a dead one)
	 * @return the leased connection, or {@code null} when the timeout passed
	 * @throws PoolClosedException when the pool closed before or during the wait
	 * @throws HostUnavailableException when every IP is blacklisted and the policy is to fail
	 */
	PooledConnection acquire(long timeoutNanos, InetAddress avoid, boolean exclusive, boolean validate)
			throws InterruptedException {
		if (!exclusive && !this.closed) {
			PooledConnection stream = acquireStream(avoid);
			if (stream != null) {
				return stream; // HTTP/2 reports a close by itself: no liveness check
			}
		}
		long deadline = System.nanoTime() + timeoutNanos;
		while (true) {
			Waiter waiter = null;
			PooledConnection connection;
			PooledConnection onDemand = null;
			Changes closedMeanwhile = null;
			this.lock.lock();
			try {
				if (this.closed) {
					throw this.pool.closedException();
				}
				connection = pollIdleLocked(avoid);
				if (connection != null && connection.isSocketClosed()) {
					// Its socket closed a moment ago and its retirement has not run yet: never hand it out.
					closedMeanwhile = retireClosedLocked(connection);
					connection = pollIdleLocked(avoid);
				}
				if (connection != null) {
					leaseLocked(connection);
				}
				else {
					if (!this.addresses.isEmpty() && usableAddressesLocked().isEmpty()) {
						throw new HostUnavailableException("Every IP of " + key() + " is blacklisted: "
								+ blacklistLocked() + " (hotconnpool.blacklist.all-blacklisted=fail)");
					}
					if (closedMeanwhile == null && hasClosedSocketLocked()) {
						closedMeanwhile = retireClosedLocked(); // shared ones whose socket closed a moment ago
					}
					// Queued before the last look at the streams: a stream released meanwhile sees the waiter.
					waiter = new Waiter(this.lock.newCondition(), exclusive);
					this.waiters.addLast(waiter);
					this.waiting = true;
					// Under the lock no shared connection is retired: a stream taken here needs no second look.
					connection = exclusive ? holdSharedLocked(avoid) : pickStream(avoid);
					if (connection != null) {
						this.waiters.removeLast();
						this.waiting = !this.waiters.isEmpty();
						waiter = null;
					}
					else {
						onDemand = createOnDemandLocked(avoid);
					}
				}
			}
			finally {
				unlock();
			}
			if (closedMeanwhile != null) {
				this.pool.apply(closedMeanwhile);
			}
			if (waiter != null) {
				if (onDemand != null) {
					this.pool.warm(onDemand);
				}
				// A connection handed over was just released or just warmed: alive.
				return awaitHandOff(waiter, deadline);
			}
			if (connection.multiplexed || isAlive(connection, validate)) {
				return connection;
			}
			this.pool.apply(retireClosedByServer(connection));
		}
	}

	/** Whether a leased connection is alive: checked unless it was used within the alive-bypass window. No lock. */
	private boolean isAlive(PooledConnection connection, boolean validate) {
		long now = System.nanoTime();
		long idle = connection.idleNanos(now);
		if (!validate && idle < this.pool.aliveBypassNanos) {
			return true;
		}
		if (!connection.isAlive()) {
			return false;
		}
		this.keepAlive.stayedOpen(idle);
		return true;
	}

	/**
	 * A connection its holder (a lease or a reservation) found closed by its server: it is retired, with every idle
	 * one whose socket closed, replacements are created, and its idle time teaches the host's keep-alive timeout.
	 * @return the connections to close and to warm
	 */
	Changes retireClosedByServer(PooledConnection connection) {
		long now = System.nanoTime();
		this.keepAlive.idleClosed(connection.idleNanos(now), now);
		this.lock.lock();
		try {
			if (connection.state == ConnectionState.RETIRED) {
				return new Changes(List.of(), List.of());
			}
			return retireClosedLocked(connection);
		}
		finally {
			unlock();
		}
	}

	/**
	 * The lock-free path of a shared lease: a stream on the multiplexed connection with the fewest in flight.
	 * @return the connection, its stream taken, or {@code null} when none has one free
	 */
	private PooledConnection acquireStream(InetAddress avoid) {
		for (int attempt = 0; attempt < 3; attempt++) {
			PooledConnection connection = pickStream(avoid);
			if (connection == null) {
				return null;
			}
			if (connection.state == ConnectionState.IDLE) {
				return connection;
			}
			// Retired between the pick and the count: the retirement may have seen the stream, so give it back.
			releaseStream(connection, null);
		}
		return null;
	}

	/**
	 * Takes a stream on the multiplexed connection with the fewest streams in flight, to another IP than
	 * {@code avoid} if one has a stream free. A caller first tries the connection it took its last stream on, when
	 * that one has none in flight: as HTTP/1.1's most-recently-used choice, a caller at a time keeps one connection
	 * busy (the others are spares kept warm by maintenance), and no two threads contend for one counter. Concurrent
	 * callers spread by the fewest streams, over every connection and IP; ties go to a random one.
	 */
	private PooledConnection pickStream(InetAddress avoid) {
		PooledConnection last = this.lastStream.get();
		if (last != null && avoid == null && last.state == ConnectionState.IDLE && last.streams() == 0
				&& !last.isSocketClosed() && last.tryAcquireStream()) {
			return last;
		}
		for (int attempt = 0; attempt < 3; attempt++) {
			PooledConnection[] all = this.shared;
			int count = all.length;
			if (count == 0) {
				return null;
			}
			int start = (count == 1) ? 0 : ThreadLocalRandom.current().nextInt(count);
			PooledConnection best = null;
			int bestStreams = Integer.MAX_VALUE;
			boolean bestAvoided = true;
			for (int i = 0; i < count; i++) {
				PooledConnection candidate = all[(start + i) % count];
				int streams = candidate.streams();
				if (streams >= candidate.streamLimit() || candidate.isSocketClosed()) {
					continue;
				}
				boolean avoided = candidate.ip.equals(avoid);
				if (best == null || (bestAvoided && !avoided) || (avoided == bestAvoided && streams < bestStreams)) {
					best = candidate;
					bestStreams = streams;
					bestAvoided = avoided;
					if (streams == 0 && !avoided) {
						break; // none has fewer: the common case looks at one connection
					}
				}
			}
			if (best == null) {
				return null;
			}
			if (best.tryAcquireStream()) {
				this.lastStream.set(best);
				return best;
			}
			// Another caller took its last free stream: look again.
		}
		return null;
	}

	/**
	 * Takes a multiplexed connection with no stream in flight whole, for an exclusive lease: to another IP than
	 * {@code avoid} if one is free, in turn.
	 */
	private PooledConnection holdSharedLocked(InetAddress avoid) {
		PooledConnection[] all = this.shared;
		int count = all.length;
		int start = (count <= 1) ? 0 : Math.floorMod(this.nextShared.getAndIncrement(), count);
		PooledConnection fallback = null;
		for (int i = 0; i < count; i++) {
			PooledConnection connection = all[(start + i) % count];
			if (connection.state == ConnectionState.IDLE && connection.streams() == 0 && !connection.isSocketClosed()) {
				if (!connection.ip.equals(avoid) && connection.tryHold()) {
					leaseLocked(connection);
					return connection;
				}
				fallback = connection;
			}
		}
		if (fallback != null && fallback.tryHold()) {
			leaseLocked(fallback);
			return fallback;
		}
		return null;
	}

	private boolean hasClosedSocketLocked() {
		for (PooledConnection connection : this.idle) {
			if (connection.isSocketClosed()) {
				return true;
			}
		}
		for (PooledConnection connection : this.shared) {
			if (connection.isSocketClosed()) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Retires the polled connection and every idle one whose socket closed, and creates their replacements.
	 * @return the connections to close and to warm
	 */
	private Changes retireClosedLocked(PooledConnection polled) {
		retireLocked(polled, RetireReason.BROKEN);
		Changes others = retireClosedLocked();
		List<PooledConnection> toClose = new ArrayList<>(others.toClose());
		toClose.add(polled);
		return new Changes(toClose, others.toWarm());
	}

	/**
	 * Retires every idle or shared connection whose socket closed (their streams failed with it), and creates
	 * their replacements.
	 * @return the connections to close and to warm
	 */
	private Changes retireClosedLocked() {
		return new Changes(retireIdleLocked(PooledConnection::isSocketClosed, RetireReason.BROKEN), fillLocked());
	}

	/**
	 * The most recently used idle connection whose IP holds the fewest leases, among the first
	 * {@value #SPREAD_SCAN} idle ones; to another IP than {@code avoid} if any is idle.
	 */
	private PooledConnection pollIdleLocked(InetAddress avoid) {
		PooledConnection first = this.idle.peekFirst();
		if (first == null || (avoid == null && leasesOnLocked(first.ip) == 0)) {
			return this.idle.pollFirst(); // the common case: no lease on the IP of the most recently used one
		}
		PooledConnection best = null;
		int bestLoad = Integer.MAX_VALUE;
		int scanned = 0;
		for (PooledConnection connection : this.idle) {
			int load = connection.ip.equals(avoid) ? AVOIDED : leasesOnLocked(connection.ip);
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

	private int leasesOnLocked(InetAddress ip) {
		IpHealth ipHealth = this.health.get(ip);
		return (ipHealth != null) ? ipHealth.leases : 0;
	}

	private PooledConnection awaitHandOff(Waiter waiter, long deadline) throws InterruptedException {
		this.lock.lock();
		try {
			while (true) {
				if (waiter.connection != null) {
					return waiter.connection;
				}
				if (waiter.failure != null) {
					throw waiter.failure;
				}
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					this.waiters.remove(waiter);
					this.waiting = !this.waiters.isEmpty();
					return null;
				}
				try {
					waiter.condition.awaitNanos(remaining);
				}
				catch (InterruptedException ex) {
					this.waiters.remove(waiter);
					this.waiting = !this.waiters.isEmpty();
					PooledConnection handed = waiter.connection;
					if (handed != null) {
						// handed over just as we were interrupted: pass it on
						if (handed.multiplexed && !waiter.exclusive) {
							handed.releaseStream();
							streamEndedLocked(handed);
						}
						else {
							offerLocked(handed, System.nanoTime(), true);
						}
					}
					throw ex;
				}
			}
		}
		finally {
			unlock();
		}
	}

	/**
	 * Opens one more connection when the waiters outnumber the connections already warming and the host is below
	 * its maximum, to the usable IP with the fewest connections, other than {@code avoid} where possible. A waiter
	 * still takes whichever connection comes first, a released one or the new one.
	 */
	private PooledConnection createOnDemandLocked(InetAddress avoid) {
		List<InetAddress> usable = usableAddressesLocked();
		if (usable.isEmpty() || this.connections.size() >= this.settings.maxConnections()) {
			return null;
		}
		long warming = this.connections.stream().filter((c) -> c.state == ConnectionState.WARMING).count();
		// A host that speaks HTTP/2 will carry many waiters on each connection warming.
		long perConnection = (this.shared.length > 0) ? this.pool.settings.http2MaxStreamsPerConnection() : 1;
		if (warming * perConnection >= this.waiters.size()) {
			return null;
		}
		Map<InetAddress, Set<Integer>> slotsByIp = new HashMap<>();
		usable.forEach((ip) -> slotsByIp.put(ip, new HashSet<>()));
		this.connections.stream()
			.filter((c) -> slotsByIp.containsKey(c.ip))
			.forEach((c) -> slotsByIp.get(c.ip).add(c.slot));
		InetAddress ip = usable.stream()
			.min(Comparator.comparing((InetAddress a) -> a.equals(avoid))
				.thenComparingInt((InetAddress a) -> slotsByIp.get(a).size()))
			.orElseThrow();
		return createLocked(ip, freeSlotLocked(ip));
	}

	/**
	 * Takes a connection back from a lease that held it whole: an HTTP/1.1 lease, or an exclusive one.
	 * @param connection the connection
	 * @param outcome what the lease saw: {@code null} if healthy (its IP's failure count starts again), else why it
	 * must be retired and, for a blacklist status, the reason to blacklist its IP; with no reason and no IP failure
	 * (a lease that ran nothing) it serves again and its IP's count stands
	 */
	void release(PooledConnection connection, LeaseOutcome outcome) {
		long now = System.nanoTime();
		List<PooledConnection> toClose = new ArrayList<>();
		List<PooledConnection> toWarm = List.of();
		this.lock.lock();
		try {
			if (this.closed) {
				this.leaseReturned.signalAll();
			}
			if (connection.state == ConnectionState.RETIRED) {
				return; // retired while leased (forced cleanup, close): already closed
			}
			if (judgeLocked(connection, outcome, now, toClose)) {
				toClose.add(connection);
				toWarm = fillLocked();
			}
			else {
				offerLocked(connection, now, true);
			}
		}
		finally {
			unlock();
		}
		toClose.forEach(PooledConnection::close);
		toWarm.forEach(this.pool::warm);
	}

	/**
	 * Gives a stream back to its multiplexed connection. Without the lock when nothing else is to be done: no
	 * waiter to hand it to, nothing to judge, no failure count to reset, the connection in service.
	 * @param outcome what the lease saw, as for {@link #release}; a connection it retires drains its other streams
	 */
	void releaseStream(PooledConnection connection, LeaseOutcome outcome) {
		connection.releaseStream();
		long now = System.nanoTime();
		connection.markUsed(now);
		// A healthy stream resets its IP's failure count, if any; one that ran nothing leaves it as it is.
		boolean nothingToJudge = (outcome == null) ? !this.failing
				: outcome.reason() == null && outcome.blacklistReason() == null && outcome.ipFailure() == null;
		if (nothingToJudge && !this.waiting && !this.closed && connection.state != ConnectionState.RETIRED) {
			return;
		}
		this.pool.apply(streamReleased(connection, outcome, false, now));
	}

	/**
	 * The locked part of a stream's end, its count already given back: judges the lease, serves the waiters, closes
	 * a draining connection with its last stream.
	 * @param restore whether a blacklisted IP is restored (a health probe's stream succeeded)
	 */
	private Changes streamReleased(PooledConnection connection, LeaseOutcome outcome, boolean restore, long now) {
		List<PooledConnection> toClose = new ArrayList<>();
		List<PooledConnection> toWarm = List.of();
		this.lock.lock();
		try {
			if (this.closed) {
				this.leaseReturned.signalAll();
			}
			boolean restored = restore && connection.state != ConnectionState.RETIRED && restoreLocked(connection.ip);
			if (connection.state != ConnectionState.RETIRED && judgeLocked(connection, outcome, now, toClose)) {
				drainOrCloseLocked(connection, toClose);
				toWarm = fillLocked();
			}
			else if (restored) {
				toWarm = fillLocked();
			}
			streamEndedLocked(connection);
		}
		finally {
			unlock();
		}
		return new Changes(toClose, toWarm);
	}

	/** A stream ended: a draining connection whose last stream it was is closed, and waiters get its place. */
	private void streamEndedLocked(PooledConnection connection) {
		if (connection.state == ConnectionState.RETIRED) {
			if (connection.streams() == 0 && this.draining.remove(connection)) {
				this.afterUnlock.add(connection::close);
			}
			return;
		}
		serveWaitersLocked();
	}

	/**
	 * Judges a returned lease: counts its IP's failure, resets the count after a healthy one, and retires the
	 * connection if the lease or the connection's state says so.
	 * @param toClose receives other connections to close (the IP's, when it is blacklisted)
	 * @return whether the connection was retired
	 */
	private boolean judgeLocked(PooledConnection connection, LeaseOutcome outcome, long now,
			List<PooledConnection> toClose) {
		IpHealth ipHealth = this.health.get(connection.ip);
		// The connection works but its IP did not serve (503): the connection goes only if the IP does.
		if (outcome != null && outcome.reason() == null && outcome.ipFailure() != null) {
			toClose.addAll(countFailureLocked(connection.ip, outcome.ipFailure() + " on " + connection));
		}
		RetireReason reason = (outcome != null && outcome.reason() != null) ? outcome.reason()
				: retireReasonLocked(connection, ipHealth, now);
		if (reason == null) {
			if (outcome == null) {
				resetFailuresLocked(ipHealth);
			}
			return false;
		}
		retireLocked(connection, reason);
		if (outcome != null && outcome.blacklistReason() != null) {
			toClose.addAll(blacklistLocked(connection.ip, outcome.blacklistReason()));
		}
		else if (outcome != null && outcome.reason() != null && outcome.ipFailure() != null) {
			toClose.addAll(countFailureLocked(connection.ip, outcome.ipFailure() + " on " + connection));
		}
		return true;
	}

	/**
	 * A retired multiplexed connection is closed now if no stream is in flight, or else drains: it takes no new
	 * stream, and the last one to end closes it. Its state was set first and its streams are read after, while a
	 * stream's release counts down first and reads the state after: one of the two always sees the other.
	 */
	private void drainOrCloseLocked(PooledConnection connection, List<PooledConnection> toClose) {
		if (connection.multiplexed && connection.streams() != 0) {
			this.draining.add(connection);
		}
		else {
			toClose.add(connection);
		}
	}

	private void resetFailuresLocked(IpHealth ipHealth) {
		if (ipHealth.consecutiveFailures != 0) {
			ipHealth.succeeded();
			this.failing = this.health.values().stream().anyMatch((h) -> h.consecutiveFailures != 0);
		}
	}

	/**
	 * Why a healthy returned connection must still go, or {@code null} if it may serve again.
	 * @param ipHealth its IP's health, {@code null} when the IP left the DNS answer
	 */
	private RetireReason retireReasonLocked(PooledConnection connection, IpHealth ipHealth, long now) {
		if (this.closed) {
			return RetireReason.CLOSED;
		}
		if (connection.isSocketClosed()) {
			return RetireReason.BROKEN; // closed after its last check: no closing report will find it idle
		}
		if (ipHealth == null) {
			return RetireReason.DNS_REMOVED;
		}
		if (ipHealth.blacklist != null && !isUsableLocked(connection.ip)) {
			return RetireReason.BLACKLISTED;
		}
		if (connection.isExpired(now)) {
			return RetireReason.EXPIRED;
		}
		int max = this.settings.maxConnections();
		if (this.connections.size() > max && inServiceLocked() > max) {
			// Its IP came back (re-probe, DNS) after the others were filled up to the maximum: a surplus.
			return RetireReason.IDLE;
		}
		return null;
	}

	/** Connections to IPs that may serve. */
	private long inServiceLocked() {
		List<InetAddress> usable = usableAddressesLocked();
		return this.connections.stream().filter((c) -> usable.contains(c.ip)).count();
	}

	// ---- warm-up and probe outcomes ------------------------------------------------------------------------

	/**
	 * A warm-up or health probe succeeded: the connection joins the pool (or goes straight to a waiter), and a
	 * blacklisted IP that passed its re-probe is restored.
	 * @param http2 whether the connection negotiated HTTP/2: a new one is then shared, stream by stream
	 * @return the connection to close if it must go after all, and a restored IP's other slots to warm
	 */
	Changes probeSucceeded(PooledConnection connection, boolean http2) {
		if (connection.multiplexed) { // the probe ran as one of its streams
			long now = System.nanoTime();
			connection.releaseStream();
			connection.markUsed(now);
			return streamReleased(connection, null, true, now);
		}
		this.lock.lock();
		try {
			if (connection.state != ConnectionState.WARMING && connection.state != ConnectionState.RESERVED) {
				return new Changes(List.of(), List.of()); // retired meanwhile, and closed by whoever retired it
			}
			boolean restored = restoreLocked(connection.ip);
			if (connection.state == ConnectionState.WARMING) {
				// Its protocol is known now, before anyone leases it, and does not change.
				connection.multiplexed = http2 && this.pool.settings.http2MaxStreamsPerConnection() > 1;
			}
			long now = System.nanoTime();
			RetireReason reason = retireReasonLocked(connection, this.health.get(connection.ip), now);
			if (reason != null) {
				retireLocked(connection, reason);
				return new Changes(List.of(connection), fillLocked());
			}
			offerLocked(connection, now, true);
			return new Changes(List.of(), restored ? fillLocked() : List.of());
		}
		finally {
			unlock();
		}
	}

	/**
	 * A warm-up or health probe failed: the connection is retired and closed, and the IP's health updated. A
	 * blacklist status blacklists the IP; connection failures and statuses that are not a success (a 503) count
	 * towards the threshold; a failed re-probe keeps the IP blacklisted for another TTL. No replacement is opened
	 * here, so an IP that is down is not hammered: the next health check refills.
	 * @param blacklistReason why to blacklist the IP at once, or {@code null}
	 */
	void probeFailed(PooledConnection connection, RetireReason reason, String failure, String blacklistReason) {
		this.lastFailure = failure;
		// A shared connection's probe ran as one of its streams: the others drain.
		boolean stream = connection.multiplexed;
		if (stream) {
			connection.releaseStream();
		}
		List<PooledConnection> toClose = new ArrayList<>();
		this.lock.lock();
		try {
			boolean retiredHere = connection.state != ConnectionState.RETIRED;
			if (retiredHere) {
				retireLocked(connection, reason);
			}
			if (!stream) {
				toClose.add(connection);
			}
			else if (retiredHere) {
				drainOrCloseLocked(connection, toClose);
			}
			else {
				streamEndedLocked(connection);
			}
			IpHealth ipHealth = this.health.get(connection.ip);
			if (ipHealth != null && !this.closed) {
				if (connection.probation) {
					toClose.addAll(blacklistLocked(connection.ip, "re-probe failed: " + failure));
				}
				else if (blacklistReason != null) {
					toClose.addAll(blacklistLocked(connection.ip, blacklistReason));
				}
				else if (reason == RetireReason.BROKEN || reason == RetireReason.UNHEALTHY) {
					toClose.addAll(countFailureLocked(connection.ip, failure));
				}
			}
		}
		finally {
			unlock();
		}
		toClose.forEach(PooledConnection::close);
	}

	/**
	 * A probe did not run: its connection was retired meanwhile. A shared connection's probe stream is given back,
	 * so that a drain waiting for it ends.
	 */
	void probeSkipped(PooledConnection connection) {
		if (connection.multiplexed) {
			connection.releaseStream();
			this.pool.apply(streamReleased(connection, UNUSED, false, System.nanoTime()));
		}
	}

	/** Takes the IP off the blacklist after its connection's probe succeeded; returns whether it was on it. */
	private boolean restoreLocked(InetAddress ip) {
		IpHealth ipHealth = this.health.get(ip);
		if (ipHealth == null) {
			return false;
		}
		resetFailuresLocked(ipHealth);
		if (ipHealth.blacklist == null) {
			return false;
		}
		ipHealth.blacklist = null;
		this.afterUnlock.add(() -> logger.info("hotconnpool restored " + ip.getHostAddress() + " of " + key()
				+ ": its re-probe succeeded"));
		fireRestoredLocked(ip, null);
		return true;
	}

	/** Releases the lock, then runs what was decided under it, unless this thread still holds it (nested). */
	private void unlock() {
		this.lock.unlock();
		if (this.lock.isHeldByCurrentThread()) {
			return;
		}
		Runnable action;
		while ((action = this.afterUnlock.poll()) != null) {
			action.run();
		}
	}

	/** Counts a failure against the IP and blacklists it at the threshold. */
	private List<PooledConnection> countFailureLocked(InetAddress ip, String failure) {
		IpHealth ipHealth = this.health.get(ip);
		if (ipHealth == null || ipHealth.blacklist != null) {
			return List.of();
		}
		this.failing = true;
		ipHealth.lastFailure = failure;
		if (ipHealth.failingSince == null) {
			ipHealth.failingSince = Instant.now();
		}
		if (++ipHealth.consecutiveFailures < this.pool.settings.blacklistFailureThreshold()) {
			return List.of();
		}
		return blacklistLocked(ip, ipHealth.consecutiveFailures + " consecutive failures, last: " + failure);
	}

	/** Blacklists the IP for one TTL and retires its idle connections; returns them for closing. */
	private List<PooledConnection> blacklistLocked(InetAddress ip, String reason) {
		IpHealth ipHealth = this.health.get(ip);
		if (ipHealth == null) {
			return List.of();
		}
		long ttl = this.pool.settings.blacklistTtl().toNanos();
		Instant now = Instant.now();
		if (ipHealth.blacklist == null) { // not again for each failed re-probe or concurrent probe
			this.afterUnlock.add(() -> logger.warn("hotconnpool blacklisted " + ip.getHostAddress() + " of " + key()
					+ " for " + this.pool.settings.blacklistTtl() + ", then re-probed: " + reason));
		}
		return setBlacklistLocked(ip, new Blacklisting(reason, now, now.plusNanos(ttl), System.nanoTime() + ttl, null));
	}

	/**
	 * Applies a blacklist entry another source reported (a fleet peer), as if this pool had seen its reason: the
	 * IP's idle connections are retired at once, its leased ones on release. An entry that ends before the IP's
	 * current one changes nothing.
	 * @param until when the entry expires (wall clock)
	 * @param source who reported it
	 * @return the connections to close, or {@code null} when nothing changed (unknown IP, expired or shorter)
	 */
	List<PooledConnection> blacklistFrom(InetAddress ip, String reason, Instant until, String source) {
		this.lock.lock();
		try {
			IpHealth ipHealth = this.health.get(ip);
			long remaining = Duration.between(Instant.now(), until).toNanos();
			if (ipHealth == null || this.closed || remaining <= 0
					|| (ipHealth.blacklist != null && !ipHealth.blacklist.until.isBefore(until))) {
				return null;
			}
			if (ipHealth.blacklist == null) {
				this.afterUnlock.add(() -> logger.warn("hotconnpool blacklisted " + ip.getHostAddress() + " of " + key()
						+ " until " + until + " as " + source + " reported: " + reason));
			}
			return setBlacklistLocked(ip, new Blacklisting(reason, Instant.now(), until, System.nanoTime() + remaining,
					source));
		}
		finally {
			unlock();
		}
	}

	private List<PooledConnection> setBlacklistLocked(InetAddress ip, Blacklisting entry) {
		this.health.get(ip).blacklist = entry;
		String address = ip.getHostAddress();
		this.afterUnlock.add(() -> this.pool.listeners
			.fire((listener) -> listener.ipBlacklisted(key(), address, entry.reason, entry.until, entry.source)));
		return retireIdleLocked((c) -> c.ip.equals(ip) && !isUsableLocked(ip), RetireReason.BLACKLISTED);
	}

	private void fireRestoredLocked(InetAddress ip, String source) {
		String address = ip.getHostAddress();
		this.afterUnlock.add(() -> this.pool.listeners.fire((listener) -> listener.ipRestored(key(), address, source)));
	}

	/**
	 * Blacklisted IPs due for a re-probe: their entry expired and no connection of theirs is unleased (a probation
	 * one, or the one serving the IP as the least bad, whose own probe re-tests it).
	 * @param now {@link System#nanoTime()}
	 * @return the IPs
	 */
	List<InetAddress> expiredBlacklistings(long now) {
		this.lock.lock();
		try {
			return this.closed ? List.of()
					: this.addresses.stream().filter((ip) -> isReprobeDueLocked(ip, now)).toList();
		}
		finally {
			unlock();
		}
	}

	/**
	 * Opens one probation connection, in a free slot, to re-probe the IP, if it is still due.
	 * @param now {@link System#nanoTime()}, a parameter so that the blacklist's TTL can be tested by clock
	 * @return the probation connection to warm, or {@code null}
	 */
	PooledConnection reprobe(InetAddress ip, long now) {
		this.lock.lock();
		try {
			if (this.closed || !this.health.containsKey(ip) || !isReprobeDueLocked(ip, now)) {
				return null;
			}
			PooledConnection probe = createLocked(ip, freeSlotLocked(ip));
			probe.probation = true;
			return probe;
		}
		finally {
			this.lock.unlock();
		}
	}

	private boolean isReprobeDueLocked(InetAddress ip, long now) {
		Blacklisting entry = this.health.get(ip).blacklist;
		return entry != null && now - entry.untilNanos >= 0 && !hasUnleasedConnectionLocked(ip);
	}

	private boolean hasUnleasedConnectionLocked(InetAddress ip) {
		return this.connections.stream().anyMatch((c) -> c.ip.equals(ip) && c.state != ConnectionState.LEASED);
	}

	/** The lowest slot of the IP that no connection holds. */
	private int freeSlotLocked(InetAddress ip) {
		Set<Integer> taken = new HashSet<>();
		this.connections.stream().filter((c) -> c.ip.equals(ip)).forEach((c) -> taken.add(c.slot));
		int slot = 0;
		while (taken.contains(slot)) {
			slot++;
		}
		return slot;
	}

	/**
	 * Takes the IP off the blacklist now and warms its slots.
	 * @param source who restored it: {@code null} for an operator, else the source that reported it restored
	 * @return connections to warm, or {@code null} if the IP was not blacklisted
	 */
	List<PooledConnection> unblacklist(InetAddress ip, String source) {
		this.lock.lock();
		try {
			IpHealth ipHealth = this.health.get(ip);
			if (ipHealth == null || ipHealth.blacklist == null) {
				return null;
			}
			ipHealth.blacklist = null;
			resetFailuresLocked(ipHealth);
			String by = (source != null) ? source + " reported it restored" : "taken off the blacklist by an operator";
			this.afterUnlock.add(() -> logger.info("hotconnpool restored " + ip.getHostAddress() + " of " + key()
					+ ": " + by));
			fireRestoredLocked(ip, source);
			return fillLocked();
		}
		finally {
			unlock();
		}
	}

	/**
	 * The connection's socket closed (the server hung up): if it is idle it goes now and a replacement is created,
	 * so that the next acquire finds a warm connection. A leased or probing one is judged when it comes back.
	 * @return the connection to close and the replacement to warm
	 */
	Changes retireIfSocketClosed(PooledConnection connection) {
		this.lock.lock();
		try {
			if (connection.state != ConnectionState.IDLE || !connection.isSocketClosed()) {
				return new Changes(List.of(), List.of());
			}
			long now = System.nanoTime();
			this.keepAlive.idleClosed(connection.idleNanos(now), now);
			// A shared one's streams failed with its socket: their holders see the error and give them back.
			retireLocked(connection, RetireReason.BROKEN);
			List<PooledConnection> toClose = new ArrayList<>();
			drainOrCloseLocked(connection, toClose);
			return new Changes(toClose, fillLocked());
		}
		finally {
			unlock();
		}
	}

	// ---- background maintenance ---------------------------------------------------------------------------

	/**
	 * Reserves idle connections that have not been used for the threshold, for a health probe. A reserved HTTP/1.1
	 * connection is never leased until the probe is done; on a shared HTTP/2 one the probe takes a stream, so the
	 * connection keeps serving stream leases meanwhile (the probe ends with {@link #probeSucceeded},
	 * {@link #probeFailed} or {@link #probeSkipped}, which give the stream back).
	 * @param now {@link System#nanoTime()}, a parameter so that idle times can be tested by clock
	 */
	List<PooledConnection> reserveForHealthCheck(long idleThresholdNanos, long now) {
		return reserveIdle((connection) -> connection.idleNanos(now) >= idleThresholdNanos);
	}

	/**
	 * Reserves idle HTTP/1.1 connections due a liveness check, while the host's keep-alive timeout is unknown: first
	 * after the alive-bypass window, then each time the idle time has grown by half, up to {@code maxIdleNanos} (from
	 * there the health check probes them). A close found this way teaches the timeout within a factor of 1.5.
	 */
	List<PooledConnection> reserveForLivenessCheck(long maxIdleNanos) {
		long now = System.nanoTime();
		return reserveIdle((connection) -> {
			long idleNanos = connection.idleNanos(now);
			return connection.isHttp11() && idleNanos < maxIdleNanos
					&& idleNanos >= Math.max(this.pool.aliveBypassNanos, connection.nextLivenessCheckNanos);
		});
	}

	/** Reserves the idle connections that are due, for a probe or check outside the lock. */
	private List<PooledConnection> reserveIdle(Predicate<PooledConnection> due) {
		this.lock.lock();
		try {
			List<PooledConnection> reserved = new ArrayList<>();
			// One pass: removeAll(reserved) would scan the list for every idle connection, quadratic at scale.
			this.idle.removeIf((connection) -> {
				if (!due.test(connection)) {
					return false;
				}
				connection.state = ConnectionState.RESERVED;
				reserved.add(connection);
				return true;
			});
			// A shared connection's probe is one more of its streams: stream leases keep coming meanwhile.
			for (PooledConnection connection : this.shared) {
				if (connection.state == ConnectionState.IDLE && due.test(connection) && !connection.isSocketClosed()
						&& connection.tryAcquireStream()) {
					reserved.add(connection);
				}
			}
			return reserved;
		}
		finally {
			unlock();
		}
	}

	/** A reserved connection passed its liveness check after {@code idleNanos}: it is idle again, as a spare. */
	void livenessChecked(PooledConnection connection, long idleNanos) {
		this.lock.lock();
		try {
			if (connection.state == ConnectionState.RESERVED) {
				connection.nextLivenessCheckNanos = Math.max(idleNanos, this.pool.aliveBypassNanos) * 3 / 2;
				offerLocked(connection, System.nanoTime(), false);
			}
		}
		finally {
			unlock();
		}
	}

	/**
	 * Retires idle connections past their lifetime, and idle connections above the warm target unused for the
	 * idle timeout. Leased connections are never touched: an expired one is retired when it comes back; a shared
	 * HTTP/2 one carrying streams drains.
	 * @param now {@link System#nanoTime()}, a parameter so that lifetimes and idle times can be tested by clock
	 * @return connections to close and replacements to warm
	 */
	Changes cleanUp(long idleTimeoutNanos, long now) {
		this.lock.lock();
		try {
			List<PooledConnection> toClose = retireIdleLocked((c) -> c.isExpired(now), RetireReason.EXPIRED);
			int surplus = this.connections.size() - this.settings.warmTarget(usableAddressesLocked().size());
			// Connections opened on demand go first, so that the warm slots of every IP stay (and no refill follows).
			List<PooledConnection> candidates = unleasedLocked();
			candidates.sort(Comparator.comparing((PooledConnection c) -> c.slot < this.settings.connectionsPerIp()));
			for (PooledConnection connection : candidates) {
				if (surplus <= 0) {
					break;
				}
				if (connection.idleNanos(now) >= idleTimeoutNanos) {
					retireLocked(connection, RetireReason.IDLE);
					drainOrCloseLocked(connection, toClose); // a stream may have come meanwhile
					surplus--;
				}
			}
			toClose.addAll(yieldExtrasLocked());
			return new Changes(toClose, fillLocked());
		}
		finally {
			unlock();
		}
	}

	/**
	 * Retires the idle connections and the shared ones, whatever streams they carry, that meet the condition.
	 * @return those to close now; shared ones with streams in flight drain
	 */
	private List<PooledConnection> retireIdleLocked(Predicate<PooledConnection> condition,
			RetireReason reason) {
		List<PooledConnection> retired = new ArrayList<>();
		List<PooledConnection> candidates = new ArrayList<>(this.idle);
		for (PooledConnection connection : this.shared) {
			if (connection.state == ConnectionState.IDLE) {
				candidates.add(connection);
			}
		}
		for (PooledConnection connection : candidates) {
			if (condition.test(connection)) {
				retireLocked(connection, reason);
				drainOrCloseLocked(connection, retired);
			}
		}
		return retired;
	}

	/** Idle connections, and shared ones with no stream in flight right now. */
	private List<PooledConnection> unleasedLocked() {
		List<PooledConnection> unleased = new ArrayList<>(this.idle);
		for (PooledConnection connection : this.shared) {
			if (connection.state == ConnectionState.IDLE && connection.streams() == 0) {
				unleased.add(connection);
			}
		}
		return unleased;
	}

	/** Leases held for at least the threshold, draining connections' included. */
	List<HotConnection> leasedLongerThan(long thresholdNanos, long now) {
		this.lock.lock();
		try {
			List<HotConnection> held = new ArrayList<>();
			for (PooledConnection connection : inUseLocked()) {
				connection.leases.stream().filter((lease) -> now - lease.leasedAtNanos() >= thresholdNanos).forEach(held::add);
			}
			return held;
		}
		finally {
			unlock();
		}
	}

	/** Every connection not closed yet: those in service and those draining. */
	private List<PooledConnection> inUseLocked() {
		List<PooledConnection> all = new ArrayList<>(this.connections);
		all.addAll(this.draining);
		return all;
	}

	// ---- closing ------------------------------------------------------------------------------------------

	/** Refuses new acquires and fails the waiters with {@link PoolClosedException}; leases may still come back. */
	void beginClose() {
		this.lock.lock();
		try {
			this.closed = true;
			PoolClosedException failure = this.pool.closedException();
			this.waiters.forEach((waiter) -> {
				waiter.failure = failure;
				waiter.condition.signal();
			});
			this.waiters.clear();
			this.waiting = false;
		}
		finally {
			unlock();
		}
	}

	/**
	 * Waits until no connection is leased, or the deadline.
	 * @return whether every lease came back
	 */
	boolean awaitLeasesReturned(long deadlineNanos) throws InterruptedException {
		this.lock.lock();
		try {
			while (!this.draining.isEmpty() || this.connections.stream()
				.anyMatch((c) -> c.state == ConnectionState.LEASED
						|| (c.state == ConnectionState.IDLE && c.multiplexed && c.streams() != 0))) {
				long remaining = deadlineNanos - System.nanoTime();
				if (remaining <= 0) {
					return false;
				}
				this.leaseReturned.awaitNanos(remaining);
			}
			return true;
		}
		finally {
			unlock();
		}
	}

	/**
	 * Retires every connection, leased ones too.
	 * @return the retired connections, for the caller to close outside the lock
	 */
	List<PooledConnection> retireAll(RetireReason reason) {
		this.lock.lock();
		try {
			List<PooledConnection> retired = new ArrayList<>(this.connections);
			retired.forEach((connection) -> retireLocked(connection, reason));
			// Draining connections are cut too: their holders see an I/O error.
			retired.addAll(this.draining);
			this.draining.clear();
			return retired;
		}
		finally {
			unlock();
		}
	}

	// ---- state changes ------------------------------------------------------------------------------------

	/** Leases the connection whole. Its last use is stamped when its requests and the lease end. */
	private void leaseLocked(PooledConnection connection) {
		IpHealth ipHealth = this.health.get(connection.ip);
		if (ipHealth != null) {
			ipHealth.leases++;
		}
		connection.setStateLocked(ConnectionState.LEASED);
	}

	/**
	 * Hands the connection to the longest waiter, or makes it idle: on top of the idle stack when it comes back
	 * from a lease, at the bottom (a spare) when it comes from a probe or a liveness check; {@code now} is
	 * {@link System#nanoTime()}. A multiplexed one is shared: it takes streams, and the waiters get as many as it
	 * has.
	 * @param used whether it carried an exchange (a liveness check sends nothing: the server's idle timer runs on)
	 */
	private void offerLocked(PooledConnection connection, long now, boolean used) {
		boolean fromLease = connection.state == ConnectionState.LEASED;
		endLeaseLocked(connection);
		connection.probation = false;
		if (connection.multiplexed) {
			connection.setStateLocked(ConnectionState.IDLE);
			if (used) {
				connection.markUsed(now);
			}
			if (!List.of(this.shared).contains(connection)) {
				PooledConnection[] grown = Arrays.copyOf(this.shared, this.shared.length + 1);
				grown[grown.length - 1] = connection;
				this.shared = grown;
			}
			connection.endHold(); // streams may come from here on, without the lock
			serveWaitersLocked();
			return;
		}
		Waiter waiter = this.waiters.pollFirst();
		if (waiter != null) {
			this.waiting = !this.waiters.isEmpty();
			// The waiter paid for this connection's handshake: its first request is not hot.
			connection.handedOverWarm = connection.state == ConnectionState.WARMING;
			leaseLocked(connection);
			waiter.connection = connection;
			waiter.condition.signal();
		}
		else {
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
	}

	/** Counts a lease's end against its IP's leases, for the spread; no-op for a connection not leased. */
	private void endLeaseLocked(PooledConnection connection) {
		IpHealth ipHealth = this.health.get(connection.ip);
		if (connection.state == ConnectionState.LEASED && ipHealth != null && ipHealth.leases > 0) {
			ipHealth.leases--;
		}
	}

	/**
	 * Hands streams, and shared connections with none in flight, to the waiters in their order, as far as they go.
	 */
	private void serveWaitersLocked() {
		boolean streamsLeft = true;
		boolean wholeLeft = true;
		for (Iterator<Waiter> it = this.waiters.iterator(); it.hasNext() && (streamsLeft || wholeLeft);) {
			Waiter waiter = it.next();
			PooledConnection connection = null;
			if (waiter.exclusive && wholeLeft) {
				connection = holdSharedLocked(null);
				wholeLeft = connection != null;
			}
			else if (!waiter.exclusive && streamsLeft) {
				connection = pickStream(null);
				streamsLeft = connection != null;
			}
			if (connection != null) {
				it.remove();
				waiter.connection = connection;
				waiter.condition.signal();
			}
		}
		this.waiting = !this.waiters.isEmpty();
	}

	private void retireLocked(PooledConnection connection, RetireReason reason) {
		endLeaseLocked(connection);
		if (connection.state == ConnectionState.IDLE) {
			this.idle.remove(connection);
		}
		if (connection.multiplexed) {
			this.shared = Arrays.stream(this.shared).filter((c) -> c != connection).toArray(PooledConnection[]::new);
		}
		connection.retireReason = reason;
		connection.state = ConnectionState.RETIRED;
		this.connections.remove(connection);
		this.pool.counters.retired(reason);
		this.afterUnlock.add(() -> this.pool.listeners
			.fire((listener) -> listener.connectionRetired(key(), connection.ip.getHostAddress(), reason)));
	}

	// ---- views --------------------------------------------------------------------------------------------

	String lastFailure() {
		return this.lastFailure;
	}

	/** The connections in service and those draining, a snapshot: what {@link #stats()} describes. */
	List<PooledConnection> connections() {
		this.lock.lock();
		try {
			return inUseLocked();
		}
		finally {
			unlock();
		}
	}

	/** IPs whose latest connections or probes failed, not blacklisted (yet). */
	private List<FailingIp> failingLocked() {
		List<FailingIp> failing = new ArrayList<>();
		for (InetAddress ip : this.addresses) {
			IpHealth ipHealth = this.health.get(ip);
			if (ipHealth.blacklist == null && ipHealth.consecutiveFailures > 0) {
				failing.add(new FailingIp(ip.getHostAddress(), ipHealth.consecutiveFailures, ipHealth.lastFailure,
						ipHealth.failingSince));
			}
		}
		return failing;
	}

	/** The servers' keep-alive timeout as far as known, or {@code null}. */
	private Duration keepAliveTimeout() {
		long nanos = this.keepAlive.timeoutNanos(System.nanoTime());
		return (nanos == 0) ? null : Duration.ofNanos(nanos);
	}

	private List<BlacklistedIp> blacklistLocked() {
		List<BlacklistedIp> entries = new ArrayList<>();
		for (InetAddress ip : this.addresses) {
			Blacklisting entry = this.health.get(ip).blacklist;
			if (entry != null) {
				entries.add(new BlacklistedIp(ip.getHostAddress(), entry.reason, entry.since, entry.until, entry.source));
			}
		}
		return entries;
	}

	HostStats stats() {
		this.lock.lock();
		try {
			List<ConnectionStats> details = new ArrayList<>(this.connections.size());
			Set<String> draining = new LinkedHashSet<>();
			int idleCount = 0;
			int leased = 0;
			int warming = 0;
			int healthy = 0;
			int streams = 0;
			for (PooledConnection connection : inUseLocked()) {
				ConnectionStats stats = connection.stats();
				details.add(stats);
				streams += stats.streams();
				if (stats.state() == ConnectionState.RETIRED) {
					draining.add(stats.ip()); // retired, its last streams still running
					continue;
				}
				switch (stats.state()) {
					case IDLE -> idleCount++;
					case LEASED -> leased++;
					case WARMING -> warming++;
					default -> {
					}
				}
				if (stats.healthy() && stats.state() != ConnectionState.WARMING) {
					healthy++;
				}
				if (!this.health.containsKey(connection.ip)) {
					draining.add(stats.ip());
				}
			}
			return new HostStats(this.settings.host(), this.settings.port(),
					this.addresses.stream().map(InetAddress::getHostAddress).toList(), blacklistLocked(),
					List.copyOf(draining), this.connections.size(), idleCount, leased, warming, healthy,
					this.waiters.size(), this.settings.maxConnections(),
					this.settings.warmTarget(usableAddressesLocked().size()), streams, details, failingLocked(),
					keepAliveTimeout());
		}
		finally {
			unlock();
		}
	}

	/** A lease that ran nothing: the connection serves again, its IP's failure count stands. */
	static final LeaseOutcome UNUSED = new LeaseOutcome(null, null, null);

	/** Connections the caller closes and connections it warms, decided under the lock. */
	record Changes(List<PooledConnection> toClose, List<PooledConnection> toWarm) {
	}

	/**
	 * What a lease saw: why to retire its connection ({@code null}: it may serve again); for a blacklist status, why
	 * to blacklist the IP; and the failure that counts towards the IP's failure threshold, if any.
	 */
	record LeaseOutcome(RetireReason reason, String blacklistReason, String ipFailure) {
	}

	/** One IP's health. Guarded by the host's lock. */
	private static final class IpHealth {

		/** Leases held on the IP's connections: acquire prefers IPs with fewer. */
		int leases;

		int consecutiveFailures;

		/** The last failure counted towards the threshold, and since when the IP fails; reset by a success. */
		String lastFailure;

		Instant failingSince;

		void succeeded() {
			this.consecutiveFailures = 0;
			this.lastFailure = null;
			this.failingSince = null;
		}

		Blacklisting blacklist;

	}

	/**
	 * A blacklist entry; {@code untilNanos} is monotonic, the instants are for display; {@code source} is who
	 * reported it, {@code null} when this pool saw it itself.
	 */
	private record Blacklisting(String reason, Instant since, Instant until, long untilNanos, String source) {
	}

	/** One blocked acquire. Fields are guarded by the host's lock. */
	private static final class Waiter {

		final Condition condition;

		/** Whether it needs a connection to itself rather than a stream. */
		final boolean exclusive;

		PooledConnection connection;

		RuntimeException failure;

		Waiter(Condition condition, boolean exclusive) {
			this.condition = condition;
			this.exclusive = exclusive;
		}

	}

}
