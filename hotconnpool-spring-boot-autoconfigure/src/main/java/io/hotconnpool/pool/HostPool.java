package io.hotconnpool.pool;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * it: methods that decide to open or close connections return them, and the caller acts after unlocking. Times are
 * {@link System#nanoTime()}, immune to wall-clock jumps.
 * <p>
 * <b>Fairness and spread.</b> Idle connections form a queue: a released connection goes to the back and acquire
 * takes from the front, so the least recently used connection serves next and load and warmth rotate over every
 * IP. Waiters are served first-come first-served, and a released or newly warmed connection is handed directly to
 * the longest waiter.
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
	 * Log lines and listener events decided under the lock (an IP blacklisted or restored), run once it is released:
	 * a listener may hand them to another thread, never under a host's lock.
	 */
	private final Queue<Runnable> logLines = new ConcurrentLinkedQueue<>();

	private boolean closed;

	private volatile String lastFailure;

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
			this.lock.unlock();
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
			this.lock.unlock();
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
		for (PooledConnection connection : List.copyOf(this.idle)) {
			if (retired.size() >= needed) {
				break;
			}
			if (connection.slot >= perIp && usableSet.contains(connection.ip)) {
				retireLocked(connection, RetireReason.IDLE);
				retired.add(connection);
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
	 * Leases a connection, waiting up to the timeout.
	 * @return the leased connection, or {@code null} when the timeout passed
	 * @throws PoolClosedException when the pool closed before or during the wait
	 * @throws HostUnavailableException when every IP is blacklisted and the policy is to fail
	 */
	PooledConnection acquire(long timeoutNanos, InetAddress avoid) throws InterruptedException {
		long deadline = 0;
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
				deadline = System.nanoTime() + timeoutNanos;
				waiter = new Waiter(this.lock.newCondition());
				this.waiters.addLast(waiter);
				onDemand = createOnDemandLocked();
			}
		}
		finally {
			this.lock.unlock();
		}
		if (closedMeanwhile != null) {
			this.pool.apply(closedMeanwhile);
		}
		if (connection != null) {
			return connection;
		}
		if (onDemand != null) {
			this.pool.warm(onDemand);
		}
		return awaitHandOff(waiter, deadline);
	}

	/**
	 * Retires the polled connection and every idle one whose socket closed, and creates their replacements.
	 * @return the connections to close and to warm
	 */
	private Changes retireClosedLocked(PooledConnection polled) {
		retireLocked(polled, RetireReason.BROKEN);
		List<PooledConnection> toClose = retireIdleLocked(PooledConnection::isSocketClosed, RetireReason.BROKEN);
		toClose.add(polled);
		return new Changes(toClose, fillLocked());
	}

	/** The least recently used idle connection, to another IP than {@code avoid} if one is idle. */
	private PooledConnection pollIdleLocked(InetAddress avoid) {
		if (avoid != null) {
			for (PooledConnection connection : this.idle) {
				if (!connection.ip.equals(avoid)) {
					this.idle.remove(connection);
					return connection;
				}
			}
		}
		return this.idle.pollFirst();
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
					return null;
				}
				try {
					waiter.condition.awaitNanos(remaining);
				}
				catch (InterruptedException ex) {
					this.waiters.remove(waiter);
					if (waiter.connection != null) {
						// handed over just as we were interrupted: pass it on
						offerLocked(waiter.connection, System.nanoTime());
					}
					throw ex;
				}
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Opens one more connection when the waiters outnumber the connections already warming and the host is below
	 * its maximum. A waiter still takes whichever connection comes first, a released one or the new one.
	 */
	private PooledConnection createOnDemandLocked() {
		List<InetAddress> usable = usableAddressesLocked();
		if (usable.isEmpty() || this.connections.size() >= this.settings.maxConnections()) {
			return null;
		}
		long warming = this.connections.stream().filter((c) -> c.state == ConnectionState.WARMING).count();
		if (warming >= this.waiters.size()) {
			return null;
		}
		Map<InetAddress, Set<Integer>> slotsByIp = new HashMap<>();
		usable.forEach((ip) -> slotsByIp.put(ip, new HashSet<>()));
		this.connections.stream()
			.filter((c) -> slotsByIp.containsKey(c.ip))
			.forEach((c) -> slotsByIp.get(c.ip).add(c.slot));
		InetAddress ip = usable.stream().min(Comparator.comparingInt((InetAddress a) -> slotsByIp.get(a).size())).orElseThrow();
		return createLocked(ip, freeSlotLocked(ip));
	}

	/**
	 * Takes a connection back from its lease.
	 * @param connection the connection
	 * @param outcome what the lease saw: {@code null} if healthy, else why it must be retired and, for a blacklist
	 * status, the reason to blacklist its IP
	 */
	void release(PooledConnection connection, LeaseOutcome outcome) {
		long now = System.nanoTime();
		List<PooledConnection> toClose;
		List<PooledConnection> toWarm;
		this.lock.lock();
		try {
			if (this.closed) {
				this.leaseReturned.signalAll();
			}
			if (connection.state == ConnectionState.RETIRED) {
				return; // retired while leased (forced cleanup, close): already closed
			}
			IpHealth ipHealth = this.health.get(connection.ip);
			// The connection works but its IP did not serve (503): the connection goes only if the IP does.
			List<PooledConnection> ipFailed = (outcome != null && outcome.reason() == null
					&& outcome.ipFailure() != null)
							? countFailureLocked(connection.ip, outcome.ipFailure() + " on " + connection) : List.of();
			RetireReason reason = (outcome != null && outcome.reason() != null) ? outcome.reason()
					: retireReasonLocked(connection, ipHealth, now);
			if (reason == null) {
				if (outcome == null) {
					ipHealth.consecutiveFailures = 0;
				}
				offerLocked(connection, now);
				toClose = ipFailed;
				toWarm = List.of();
			}
			else {
				retireLocked(connection, reason);
				toClose = new ArrayList<>(ipFailed);
				toClose.add(connection);
				if (outcome != null && outcome.blacklistReason() != null) {
					toClose.addAll(blacklistLocked(connection.ip, outcome.blacklistReason()));
				}
				else if (outcome != null && outcome.reason() != null && outcome.ipFailure() != null) {
					toClose.addAll(countFailureLocked(connection.ip, outcome.ipFailure() + " on " + connection));
				}
				toWarm = fillLocked();
			}
		}
		finally {
			this.lock.unlock();
		}
		writeLogLines();
		toClose.forEach(PooledConnection::close);
		toWarm.forEach(this.pool::warm);
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
	 * @return the connection to close if it must go after all, and a restored IP's other slots to warm
	 */
	Changes probeSucceeded(PooledConnection connection) {
		this.lock.lock();
		try {
			if (connection.state != ConnectionState.WARMING && connection.state != ConnectionState.RESERVED) {
				return new Changes(List.of(), List.of()); // retired meanwhile, and closed by whoever retired it
			}
			IpHealth ipHealth = this.health.get(connection.ip);
			boolean restored = false;
			if (ipHealth != null) {
				ipHealth.consecutiveFailures = 0;
				restored = ipHealth.blacklist != null;
				ipHealth.blacklist = null;
			}
			if (restored) {
				this.logLines.add(() -> logger.info("hotconnpool restored " + connection.ip.getHostAddress() + " of "
						+ key() + ": its re-probe succeeded"));
				fireRestoredLocked(connection.ip, null);
			}
			long now = System.nanoTime();
			RetireReason reason = retireReasonLocked(connection, this.health.get(connection.ip), now);
			if (reason != null) {
				retireLocked(connection, reason);
				return new Changes(List.of(connection), fillLocked());
			}
			offerLocked(connection, now);
			return new Changes(List.of(), restored ? fillLocked() : List.of());
		}
		finally {
			this.lock.unlock();
			writeLogLines();
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
		List<PooledConnection> toClose = new ArrayList<>();
		toClose.add(connection);
		this.lock.lock();
		try {
			if (connection.state != ConnectionState.RETIRED) {
				retireLocked(connection, reason);
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
			this.lock.unlock();
		}
		writeLogLines();
		toClose.forEach(PooledConnection::close);
	}

	/** Writes the log lines decided under the lock; called after releasing it. */
	private void writeLogLines() {
		Runnable line;
		while ((line = this.logLines.poll()) != null) {
			line.run();
		}
	}

	/** Counts a failure against the IP and blacklists it at the threshold. */
	private List<PooledConnection> countFailureLocked(InetAddress ip, String failure) {
		IpHealth ipHealth = this.health.get(ip);
		if (ipHealth == null || ipHealth.blacklist != null
				|| ++ipHealth.consecutiveFailures < this.pool.settings.blacklistFailureThreshold()) {
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
			this.logLines.add(() -> logger.warn("hotconnpool blacklisted " + ip.getHostAddress() + " of " + key()
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
				this.logLines.add(() -> logger.warn("hotconnpool blacklisted " + ip.getHostAddress() + " of " + key()
						+ " until " + until + " as " + source + " reported: " + reason));
			}
			return setBlacklistLocked(ip, new Blacklisting(reason, Instant.now(), until, System.nanoTime() + remaining,
					source));
		}
		finally {
			this.lock.unlock();
			writeLogLines();
		}
	}

	private List<PooledConnection> setBlacklistLocked(InetAddress ip, Blacklisting entry) {
		this.health.get(ip).blacklist = entry;
		String address = ip.getHostAddress();
		this.logLines.add(() -> this.pool.listeners
			.fire((listener) -> listener.ipBlacklisted(key(), address, entry.reason, entry.until, entry.source)));
		return retireIdleLocked((c) -> c.ip.equals(ip) && !isUsableLocked(ip), RetireReason.BLACKLISTED);
	}

	private void fireRestoredLocked(InetAddress ip, String source) {
		String address = ip.getHostAddress();
		this.logLines.add(() -> this.pool.listeners.fire((listener) -> listener.ipRestored(key(), address, source)));
	}

	/**
	 * Blacklisted IPs due for a re-probe: their entry expired and no connection of theirs is unleased (a probation
	 * one, or the one serving the IP as the least bad, whose own probe re-tests it).
	 * @return the IPs
	 */
	List<InetAddress> expiredBlacklistings() {
		this.lock.lock();
		try {
			return this.closed ? List.of() : this.addresses.stream().filter(this::isReprobeDueLocked).toList();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Opens one probation connection, in a free slot, to re-probe the IP, if it is still due.
	 * @return the probation connection to warm, or {@code null}
	 */
	PooledConnection reprobe(InetAddress ip) {
		this.lock.lock();
		try {
			if (this.closed || !this.health.containsKey(ip) || !isReprobeDueLocked(ip)) {
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

	private boolean isReprobeDueLocked(InetAddress ip) {
		Blacklisting entry = this.health.get(ip).blacklist;
		return entry != null && System.nanoTime() - entry.untilNanos >= 0 && !hasUnleasedConnectionLocked(ip);
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
			ipHealth.consecutiveFailures = 0;
			String by = (source != null) ? source + " reported it restored" : "taken off the blacklist by an operator";
			this.logLines.add(() -> logger.info("hotconnpool restored " + ip.getHostAddress() + " of " + key() + ": " + by));
			fireRestoredLocked(ip, source);
			return fillLocked();
		}
		finally {
			this.lock.unlock();
			writeLogLines();
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
			retireLocked(connection, RetireReason.BROKEN);
			return new Changes(List.of(connection), fillLocked());
		}
		finally {
			this.lock.unlock();
		}
	}

	// ---- background maintenance ---------------------------------------------------------------------------

	/**
	 * Reserves idle connections that have not been used for the threshold, for a health probe. A reserved
	 * connection is never leased until the probe is done.
	 */
	List<PooledConnection> reserveForHealthCheck(long idleThresholdNanos) {
		this.lock.lock();
		try {
			long now = System.nanoTime();
			List<PooledConnection> reserved = new ArrayList<>();
			// One pass: removeAll(reserved) would scan the list for every idle connection, quadratic at scale.
			this.idle.removeIf((connection) -> {
				if (connection.idleNanos(now) < idleThresholdNanos) {
					return false;
				}
				connection.state = ConnectionState.RESERVED;
				reserved.add(connection);
				return true;
			});
			return reserved;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Retires idle connections past their lifetime, and idle connections above the warm target unused for the
	 * idle timeout. Leased connections are never touched: an expired one is retired when it comes back.
	 * @return connections to close and replacements to warm
	 */
	Changes cleanUp(long idleTimeoutNanos) {
		this.lock.lock();
		try {
			long now = System.nanoTime();
			List<PooledConnection> toClose = retireIdleLocked((c) -> c.isExpired(now), RetireReason.EXPIRED);
			int surplus = this.connections.size() - this.settings.warmTarget(usableAddressesLocked().size());
			// Connections opened on demand go first, so that the warm slots of every IP stay (and no refill follows).
			List<PooledConnection> candidates = new ArrayList<>(this.idle);
			candidates.sort(Comparator.comparing((PooledConnection c) -> c.slot < this.settings.connectionsPerIp()));
			for (PooledConnection connection : candidates) {
				if (surplus <= 0) {
					break;
				}
				if (connection.idleNanos(now) >= idleTimeoutNanos) {
					retireLocked(connection, RetireReason.IDLE);
					toClose.add(connection);
					surplus--;
				}
			}
			toClose.addAll(yieldExtrasLocked());
			return new Changes(toClose, fillLocked());
		}
		finally {
			this.lock.unlock();
		}
	}

	private List<PooledConnection> retireIdleLocked(Predicate<PooledConnection> condition,
			RetireReason reason) {
		List<PooledConnection> retired = new ArrayList<>();
		for (PooledConnection connection : List.copyOf(this.idle)) {
			if (condition.test(connection)) {
				retireLocked(connection, reason);
				retired.add(connection);
			}
		}
		return retired;
	}

	/** Leased connections held for at least the threshold. */
	List<PooledConnection> leasedLongerThan(long thresholdNanos, long now) {
		this.lock.lock();
		try {
			return this.connections.stream()
				.filter((c) -> c.state == ConnectionState.LEASED && now - c.leasedAtNanos >= thresholdNanos)
				.toList();
		}
		finally {
			this.lock.unlock();
		}
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
			while (this.connections.stream().anyMatch((c) -> c.state == ConnectionState.LEASED)) {
				long remaining = deadlineNanos - System.nanoTime();
				if (remaining <= 0) {
					return false;
				}
				this.leaseReturned.awaitNanos(remaining);
			}
			return true;
		}
		finally {
			this.lock.unlock();
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
			return retired;
		}
		finally {
			this.lock.unlock();
		}
	}

	// ---- state changes ------------------------------------------------------------------------------------

	/**
	 * Leases the connection. Its last use is stamped when its requests and the lease end, and the clock is read
	 * only for leak detection: the hot path is short.
	 */
	private void leaseLocked(PooledConnection connection) {
		connection.setStateLocked(ConnectionState.LEASED);
		if (this.pool.detectsLeaks) {
			connection.leasedAtNanos = System.nanoTime();
		}
	}

	/** Hands the connection to the longest waiter, or makes it idle; {@code now} is {@link System#nanoTime()}. */
	private void offerLocked(PooledConnection connection, long now) {
		connection.probation = false;
		Waiter waiter = this.waiters.pollFirst();
		if (waiter != null) {
			leaseLocked(connection);
			waiter.connection = connection;
			waiter.condition.signal();
		}
		else {
			connection.setStateLocked(ConnectionState.IDLE);
			connection.markUsed(now);
			this.idle.addLast(connection);
		}
	}

	private void retireLocked(PooledConnection connection, RetireReason reason) {
		if (connection.state == ConnectionState.IDLE) {
			this.idle.remove(connection);
		}
		connection.retireReason = reason;
		connection.state = ConnectionState.RETIRED;
		this.connections.remove(connection);
		this.pool.counters.retired(reason);
		this.pool.listeners.fire((listener) -> listener.connectionRetired(key(), connection.ip.getHostAddress(), reason));
	}

	// ---- views --------------------------------------------------------------------------------------------

	String lastFailure() {
		return this.lastFailure;
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
			for (PooledConnection connection : this.connections) {
				ConnectionStats stats = connection.stats();
				details.add(stats);
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
					this.settings.warmTarget(usableAddressesLocked().size()), details);
		}
		finally {
			this.lock.unlock();
		}
	}

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

		int consecutiveFailures;

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

		PooledConnection connection;

		RuntimeException failure;

		Waiter(Condition condition) {
			this.condition = condition;
		}

	}

}
