package io.hotconnpool.pool;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The addresses of one host and the health of each IP: its consecutive failures, its blacklist entry, and the leases
 * it holds (acquire prefers IPs with fewer). An IP is blacklisted on a blacklist status or at
 * {@code blacklist.failure-threshold} consecutive failures; any healthy release or probe resets its count. Times are
 * {@link System#nanoTime()} values from the caller; the instants are for display.
 * <p>
 * Guarded by the host's lock: every method but {@link #anyFailing()} is called with it held. Log lines and listener
 * events decided here run after the lock is released ({@link HostLock#later}); retiring the connections of an IP
 * that became unusable is the caller's part.
 */
final class HostIps {

	/**
	 * The furthest ahead an entry from another source may end (an operator's "forever"): it is re-probed then. Far
	 * inside the nanosecond deadlines, which overflow about 292 years ahead.
	 */
	static final Duration LONGEST_ENTRY = Duration.ofDays(365);

	private static final Log logger = LogFactory.getLog(HostPool.class);

	private final HostLock lock;

	private final String key;

	/** Its settings (blacklist TTL, threshold, policy) and listeners. */
	private final HotConnPool pool;

	private List<InetAddress> addresses = List.of();

	private final Map<InetAddress, IpHealth> health = new HashMap<>();

	/** Whether an IP has failures counted: a healthy stream's release then takes the lock to reset them. */
	private volatile boolean failing;

	HostIps(HostLock lock, String key, HotConnPool pool) {
		this.lock = lock;
		this.key = key;
		this.pool = pool;
	}

	/**
	 * Sets the addresses; IPs that left forget their health, new ones start healthy.
	 * @return the previous addresses
	 */
	Set<InetAddress> update(Set<InetAddress> merged) {
		Set<InetAddress> previous = new HashSet<>(this.addresses);
		this.addresses = List.copyOf(merged);
		this.health.keySet().retainAll(merged);
		merged.forEach((ip) -> this.health.computeIfAbsent(ip, (unused) -> new IpHealth()));
		this.failing = this.health.values().stream().anyMatch((h) -> h.consecutiveFailures != 0);
		return previous;
	}

	List<InetAddress> addresses() {
		return this.addresses;
	}

	/** Whether the IP is in the answer; one that left is drained. */
	boolean contains(InetAddress ip) {
		return this.health.containsKey(ip);
	}

	/** IPs that may get connections: not blacklisted, or the least bad one when all are and the policy says so. */
	List<InetAddress> usable() {
		List<InetAddress> usable = new ArrayList<>(this.addresses.size());
		for (InetAddress ip : this.addresses) {
			if (this.health.get(ip).blacklist == null) {
				usable.add(ip);
			}
		}
		if (usable.isEmpty() && !this.addresses.isEmpty()
				&& this.pool.config.getBlacklist().getAllBlacklisted() == AllBlacklistedPolicy.SERVE_LEAST_BAD) {
			usable.add(this.addresses.stream()
				.min(Comparator.comparingLong((InetAddress ip) -> this.health.get(ip).blacklist.untilNanos))
				.orElseThrow());
		}
		return usable;
	}

	/** Whether the IP is in the answer and may serve: not blacklisted, or served as the least bad. */
	boolean isUsable(InetAddress ip) {
		IpHealth ipHealth = this.health.get(ip);
		return ipHealth != null && (ipHealth.blacklist == null || usable().contains(ip));
	}

	boolean isBlacklisted(InetAddress ip) {
		IpHealth ipHealth = this.health.get(ip);
		return ipHealth != null && ipHealth.blacklist != null;
	}

	/** Whether some IP has failures counted; read without the lock. */
	boolean anyFailing() {
		return this.failing;
	}

	int leases(InetAddress ip) {
		IpHealth ipHealth = this.health.get(ip);
		return (ipHealth != null) ? ipHealth.leases : 0;
	}

	void leaseStarted(InetAddress ip) {
		IpHealth ipHealth = this.health.get(ip);
		if (ipHealth != null) {
			ipHealth.leases++;
		}
	}

	void leaseEnded(InetAddress ip) {
		IpHealth ipHealth = this.health.get(ip);
		if (ipHealth != null && ipHealth.leases > 0) {
			ipHealth.leases--;
		}
	}

	/** A healthy release or probe: the IP's failure count starts again. */
	void succeeded(InetAddress ip) {
		IpHealth ipHealth = this.health.get(ip);
		if (ipHealth != null && ipHealth.consecutiveFailures != 0) {
			ipHealth.consecutiveFailures = 0;
			ipHealth.lastFailure = null;
			ipHealth.failingSince = null;
			this.failing = this.health.values().stream().anyMatch((h) -> h.consecutiveFailures != 0);
		}
	}

	/**
	 * Counts a failure against the IP and blacklists it at the threshold.
	 * @return whether the IP was blacklisted now
	 */
	boolean countFailure(InetAddress ip, String failure, long now) {
		IpHealth ipHealth = this.health.get(ip);
		if (ipHealth == null || ipHealth.blacklist != null) {
			return false;
		}
		this.failing = true;
		ipHealth.lastFailure = failure;
		if (ipHealth.failingSince == null) {
			ipHealth.failingSince = Instant.now();
		}
		if (++ipHealth.consecutiveFailures < this.pool.config.getBlacklist().getFailureThreshold()) {
			return false;
		}
		return blacklist(ip, ipHealth.consecutiveFailures + " consecutive failures, last: " + failure, now);
	}

	/**
	 * Blacklists the IP for one TTL (again, for a failed re-probe).
	 * @return whether the IP is known (and now blacklisted)
	 */
	boolean blacklist(InetAddress ip, String reason, long now) {
		IpHealth ipHealth = this.health.get(ip);
		if (ipHealth == null) {
			return false;
		}
		Duration ttl = this.pool.config.getBlacklist().getTtl();
		Instant since = Instant.now();
		if (ipHealth.blacklist == null) { // not again for each failed re-probe or concurrent probe
			this.lock.later(() -> logger.warn("hotconnpool blacklisted " + ip.getHostAddress() + " of " + this.key
					+ " for " + ttl + ", then re-probed: " + reason));
		}
		set(ip, new Blacklisting(reason, since, since.plus(ttl), now + ttl.toNanos(), null));
		return true;
	}

	/**
	 * Applies a blacklist entry another source reported (a fleet peer), as if this pool had seen its reason. An
	 * entry that ends before the IP's current one changes nothing; one that ends more than {@link #LONGEST_ENTRY}
	 * ahead ends then.
	 * @param requestedUntil when the entry expires (wall clock)
	 * @return whether the IP was blacklisted now (known, not expired, longer than its entry)
	 */
	boolean blacklistFrom(InetAddress ip, String reason, Instant requestedUntil, String source, long now) {
		IpHealth ipHealth = this.health.get(ip);
		Instant since = Instant.now();
		Instant until = requestedUntil.isAfter(since.plus(LONGEST_ENTRY)) ? since.plus(LONGEST_ENTRY) : requestedUntil;
		if (ipHealth == null || !until.isAfter(since)
				|| (ipHealth.blacklist != null && !ipHealth.blacklist.until.isBefore(until))) {
			return false;
		}
		long remaining = Duration.between(since, until).toNanos();
		if (ipHealth.blacklist == null) { // INFO: the instance that saw it logged the WARN; a fleet need not repeat it
			this.lock.later(() -> logger.info("hotconnpool blacklisted " + ip.getHostAddress() + " of " + this.key
					+ " until " + until + " as " + source + " reported: " + reason));
		}
		set(ip, new Blacklisting(reason, since, until, now + remaining, source));
		return true;
	}

	private void set(InetAddress ip, Blacklisting entry) {
		this.health.get(ip).blacklist = entry;
		String address = ip.getHostAddress();
		this.lock.later(() -> this.pool.listeners
			.fire((listener) -> listener.ipBlacklisted(this.key, address, entry.reason, entry.until, entry.source)));
	}

	/**
	 * Takes the IP off the blacklist, and resets its failure count.
	 * @param source who restored it: {@code null} for this pool, else the source that reported it restored
	 * @param why the log line's reason
	 * @return whether it was blacklisted
	 */
	boolean restore(InetAddress ip, String source, String why) {
		IpHealth ipHealth = this.health.get(ip);
		if (ipHealth == null) {
			return false;
		}
		succeeded(ip);
		if (ipHealth.blacklist == null) {
			return false;
		}
		ipHealth.blacklist = null;
		String address = ip.getHostAddress();
		this.lock.later(() -> logger.info("hotconnpool restored " + address + " of " + this.key + ": " + why));
		this.lock.later(() -> this.pool.listeners.fire((listener) -> listener.ipRestored(this.key, address, source)));
		return true;
	}

	/** Whether the IP's blacklist entry has expired at {@code now}. */
	boolean isExpired(InetAddress ip, long now) {
		IpHealth ipHealth = this.health.get(ip);
		return ipHealth != null && ipHealth.blacklist != null && now - ipHealth.blacklist.untilNanos >= 0;
	}

	List<BlacklistedIp> blacklisted() {
		List<BlacklistedIp> entries = new ArrayList<>();
		for (InetAddress ip : this.addresses) {
			Blacklisting entry = this.health.get(ip).blacklist;
			if (entry != null) {
				entries.add(new BlacklistedIp(ip.getHostAddress(), entry.reason, entry.since, entry.until, entry.source));
			}
		}
		return entries;
	}

	/** IPs whose latest connections or probes failed, not blacklisted (yet). */
	List<FailingIp> failing() {
		List<FailingIp> failingIps = new ArrayList<>();
		for (InetAddress ip : this.addresses) {
			IpHealth ipHealth = this.health.get(ip);
			if (ipHealth.blacklist == null && ipHealth.consecutiveFailures > 0) {
				failingIps.add(new FailingIp(ip.getHostAddress(), ipHealth.consecutiveFailures, ipHealth.lastFailure,
						ipHealth.failingSince));
			}
		}
		return failingIps;
	}

	/** One IP's health. */
	private static final class IpHealth {

		int leases;

		int consecutiveFailures;

		/** The last failure counted towards the threshold, and since when the IP fails; reset by a success. */
		String lastFailure;

		Instant failingSince;

		Blacklisting blacklist;

	}

	/**
	 * A blacklist entry; {@code untilNanos} is monotonic, the instants are for display; {@code source} is who
	 * reported it, {@code null} when this pool saw it itself.
	 */
	private record Blacklisting(String reason, Instant since, Instant until, long untilNanos, String source) {
	}

}
