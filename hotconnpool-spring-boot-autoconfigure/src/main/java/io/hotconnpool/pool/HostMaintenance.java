package io.hotconnpool.pool;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import io.hotconnpool.pool.HostPool.Changes;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * What the background tasks decide for one host, and the outcomes they report: addresses from DNS, warm-up and
 * health probe outcomes, reservations for probes and liveness checks, clean-up of expired and surplus connections,
 * leak scans, sockets closed by servers, and the blacklist's re-probes, fleet entries and operator restores. Its
 * state is the host's ({@link HostPool}), guarded by the host's lock; times are parameters or the host's
 * {@link HostPool#clock}, so each decision can be tested by clock.
 */
final class HostMaintenance {

	private static final Log logger = LogFactory.getLog(HostPool.class);

	private final HostPool host;

	private final HotConnPool pool;

	private final HostSettings settings;

	private final HostLock lock;

	private final HostIps ips;

	/** Whether the last look-up failed: failures are logged once per streak, not at every refresh. */
	private final AtomicBoolean resolveFailing = new AtomicBoolean();

	HostMaintenance(HostPool host) {
		this.host = host;
		this.pool = host.pool;
		this.settings = host.settings;
		this.lock = host.lock;
		this.ips = host.ips;
	}

	// ---- addresses ------------------------------------------------------------------------------------------

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
			Set<InetAddress> previous = this.ips.update(merged);
			List<PooledConnection> toClose = this.host.retireIdleLocked((c) -> !merged.contains(c.ip), RetireReason.DNS_REMOVED);
			toClose.addAll(yieldExtrasLocked());
			List<PooledConnection> toWarm = this.host.fillLocked();
			if (refresh) {
				toWarm.stream().filter((c) -> !previous.contains(c.ip)).forEach(PooledConnection::markFoundByDns);
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
				logger.info("hotconnpool resolves " + this.host.key() + " again");
			}
			return;
		}
		if (this.resolveFailing.compareAndSet(false, true)) {
			String what = (cause instanceof TimeoutException)
					? "did not answer within " + this.pool.config.getResolveTimeout() : "failed: " + cause;
			logger.warn("hotconnpool look-up of " + this.settings.host() + " " + what
					+ "; keeping its static and last known addresses (logged once until it succeeds)");
		}
	}

	/** Creates the missing warm connections; the caller warms them. */
	List<PooledConnection> fill() {
		this.lock.lock();
		try {
			return this.host.fillLocked();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Retires idle connections opened on demand while a usable IP lacks a warm slot ({@link SlotPlan}). */
	List<PooledConnection> yieldExtrasLocked() {
		List<InetAddress> usable = this.ips.usable();
		long needed = this.host.plan.extrasToYield(this.host.connections, usable);
		List<PooledConnection> retired = new ArrayList<>();
		for (PooledConnection connection : this.host.unleasedLocked()) {
			if (retired.size() >= needed) {
				break;
			}
			if (this.host.plan.isExtra(connection) && usable.contains(connection.ip)) {
				this.host.retireLocked(connection, RetireReason.IDLE, retired);
			}
		}
		return retired;
	}

	// ---- probes -------------------------------------------------------------------------------------------

	/**
	 * A warm-up or health probe succeeded: the connection joins the pool (or goes straight to a waiter), and a
	 * blacklisted IP that passed its re-probe is restored. A shared connection's probe ran as one of its streams,
	 * which is given back.
	 * @param http2 whether the connection negotiated HTTP/2: a new one is then shared, stream by stream
	 * @return the connection to close if it must go after all, and a restored IP's other slots to warm
	 */
	Changes probeSucceeded(PooledConnection connection, boolean http2) {
		if (connection.multiplexed) {
			connection.streams.release();
			return this.host.leases.streamReleased(connection, null, true);
		}
		this.lock.lock();
		try {
			if (connection.state != ConnectionState.WARMING && connection.state != ConnectionState.RESERVED) {
				return Changes.NONE; // retired meanwhile, and closed by whoever retired it
			}
			boolean restored = this.ips.restore(connection.ip, null, "its re-probe succeeded");
			if (connection.state == ConnectionState.WARMING) {
				// Its protocol is known now, before anyone leases it, and does not change.
				connection.protocolKnown(http2 && this.pool.config.getHttp2().getMaxStreamsPerConnection() > 1);
			}
			long now = this.host.clock.getAsLong();
			RetireReason reason = this.host.leases.retireReasonLocked(connection, now);
			if (reason != null) {
				this.host.retireLocked(connection, reason, null);
				return new Changes(List.of(connection), this.host.fillLocked());
			}
			this.host.offerLocked(connection, now, true);
			return new Changes(List.of(), restored ? this.host.fillLocked() : List.of());
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * A warm-up or health probe failed: the connection is retired and closed (a shared one drains its other
	 * streams), and the IP's health updated. A blacklist status blacklists the IP; connection failures and statuses
	 * that are not a success (a 503) count towards the threshold; a failed re-probe keeps the IP blacklisted for
	 * another TTL. No replacement is opened here, so an IP that is down is not hammered: the next health check
	 * refills. A connection the pool itself retired meanwhile (a force clean-up, a stop) leaves the IP's health alone:
	 * its close is what failed the probe.
	 * @param blacklistReason why to blacklist the IP at once, or {@code null}
	 * @return the connections to close
	 */
	Changes probeFailed(PooledConnection connection, RetireReason reason, String failure, String blacklistReason) {
		boolean stream = connection.multiplexed; // its probe ran as one of its streams
		if (stream) {
			connection.streams.release();
		}
		List<PooledConnection> toClose = new ArrayList<>();
		this.lock.lock();
		try {
			long now = this.host.clock.getAsLong();
			boolean retiredMeanwhile = connection.state == ConnectionState.RETIRED;
			// A probe the pool itself cut (a force clean-up, a stop) says nothing of the IP; one whose connection the
			// server closed meanwhile still counts against it.
			boolean judged = !retiredMeanwhile || (connection.retireReason != RetireReason.FORCED
					&& connection.retireReason != RetireReason.CLOSED);
			if (judged) {
				this.host.failed(failure);
			}
			if (!retiredMeanwhile) {
				this.host.retireLocked(connection, reason, toClose);
			}
			else if (stream) {
				this.host.streamEndedLocked(connection, toClose); // this may be its last stream
			}
			if (!stream && !toClose.contains(connection)) {
				toClose.add(connection);
			}
			if (judged && this.ips.contains(connection.ip) && !this.host.isClosed()) {
				if (connection.probation) {
					toClose.addAll(blacklistLocked(connection.ip, "re-probe failed: " + failure, now));
				}
				else if (blacklistReason != null) {
					toClose.addAll(blacklistLocked(connection.ip, blacklistReason, now));
				}
				else if (reason == RetireReason.BROKEN || reason == RetireReason.UNHEALTHY) {
					toClose.addAll(countFailureLocked(connection.ip, failure, now));
				}
			}
		}
		finally {
			this.lock.unlock();
		}
		return new Changes(toClose, List.of());
	}

	/**
	 * A probe did not run: its connection was retired meanwhile. A shared connection's probe stream is given back,
	 * so that a drain waiting for it ends.
	 * @return the connection to close, if that was its last stream
	 */
	Changes probeSkipped(PooledConnection connection) {
		if (!connection.multiplexed) {
			return Changes.NONE;
		}
		connection.streams.release();
		return this.host.leases.streamReleased(connection, HostPool.UNUSED, false);
	}

	// ---- reservations, liveness and clean-up ----------------------------------------------------------------

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
	List<PooledConnection> reserveForLivenessCheck(long maxIdleNanos, long now) {
		return reserveIdle((connection) -> connection.isLivenessCheckDue(now, this.pool.aliveBypassNanos, maxIdleNanos));
	}

	/** Reserves the idle connections that are due, for a probe or check outside the lock. */
	private List<PooledConnection> reserveIdle(Predicate<PooledConnection> due) {
		this.lock.lock();
		try {
			List<PooledConnection> reserved = new ArrayList<>();
			for (PooledConnection connection : this.host.idle) {
				if (due.test(connection)) {
					reserved.add(connection);
				}
			}
			this.host.reserveLocked(reserved);
			// A shared connection's probe is one more of its streams: stream leases keep coming meanwhile.
			for (PooledConnection connection : this.host.shared.all()) {
				if (connection.state == ConnectionState.IDLE && due.test(connection) && !connection.isSocketClosed()
						&& connection.tryAcquireStream()) {
					reserved.add(connection);
				}
			}
			return reserved;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** A reserved connection passed its liveness check after {@code idleNanos}: it is idle again, as a spare. */
	void livenessChecked(PooledConnection connection, long idleNanos) {
		this.lock.lock();
		try {
			if (connection.state == ConnectionState.RESERVED) {
				connection.livenessChecked(idleNanos, this.pool.aliveBypassNanos);
				this.host.offerLocked(connection, this.host.clock.getAsLong(), false);
			}
		}
		finally {
			this.lock.unlock();
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
			List<PooledConnection> toClose = this.host.retireIdleLocked((c) -> c.isExpired(now), RetireReason.EXPIRED);
			int surplus = this.host.connections.size() - this.settings.warmTarget(this.ips.usable().size());
			// Connections opened on demand go first, so that the warm slots of every IP stay (and no refill follows).
			List<PooledConnection> candidates = this.host.unleasedLocked();
			candidates.sort(Comparator.comparing((PooledConnection c) -> !this.host.plan.isExtra(c)));
			for (PooledConnection connection : candidates) {
				if (surplus <= 0) {
					break;
				}
				if (connection.idleNanos(now) >= idleTimeoutNanos) {
					this.host.retireLocked(connection, RetireReason.IDLE, toClose); // a stream may have come meanwhile
					surplus--;
				}
			}
			toClose.addAll(yieldExtrasLocked());
			return new Changes(toClose, this.host.fillLocked());
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Leases held for at least the threshold, draining connections' included. */
	List<Lease> leasedLongerThan(long thresholdNanos, long now) {
		this.lock.lock();
		try {
			List<Lease> held = new ArrayList<>();
			for (PooledConnection connection : this.host.inUseLocked()) {
				connection.leases.stream()
					.filter((lease) -> now - lease.leasedAtNanos() >= thresholdNanos)
					.forEach(held::add);
			}
			return held;
		}
		finally {
			this.lock.unlock();
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
				return Changes.NONE;
			}
			long now = this.host.clock.getAsLong();
			this.host.keepAlive.idleClosed(connection.idleNanos(now), now);
			// A shared one's streams failed with its socket: their holders see the error and give them back.
			List<PooledConnection> toClose = new ArrayList<>();
			this.host.retireLocked(connection, RetireReason.BROKEN, toClose);
			return new Changes(toClose, this.host.fillLocked());
		}
		finally {
			this.lock.unlock();
		}
	}

	// ---- blacklist ------------------------------------------------------------------------------------------

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
			if (this.host.isClosed() || !this.ips.blacklistFrom(ip, reason, until, source, this.host.clock.getAsLong())) {
				return null;
			}
			return retireUnusableLocked(ip);
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Takes the IP off the blacklist now and warms its slots.
	 * @param source who restored it: {@code null} for an operator, else the source that reported it restored
	 * @return connections to warm, or {@code null} if the IP was not blacklisted
	 */
	List<PooledConnection> unblacklist(InetAddress ip, String source) {
		this.lock.lock();
		try {
			String by = (source != null) ? source + " reported it restored" : "taken off the blacklist by an operator";
			return this.ips.restore(ip, source, by) ? this.host.fillLocked() : null;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Blacklisted IPs due for a re-probe: their entry expired and no connection of theirs is unleased (a probation
	 * one, or the one serving the IP as the least bad, whose own probe re-tests it).
	 * @param now {@link System#nanoTime()}
	 */
	List<InetAddress> expiredBlacklistings(long now) {
		this.lock.lock();
		try {
			return this.host.isClosed() ? List.of()
					: this.ips.addresses().stream().filter((ip) -> isReprobeDueLocked(ip, now)).toList();
		}
		finally {
			this.lock.unlock();
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
			if (this.host.isClosed() || !isReprobeDueLocked(ip, now)) {
				return null;
			}
			PooledConnection probe = this.host.createLocked(ip, this.host.plan.freeSlot(this.host.connections, ip));
			probe.probation(true);
			return probe;
		}
		finally {
			this.lock.unlock();
		}
	}

	private boolean isReprobeDueLocked(InetAddress ip, long now) {
		return this.ips.isExpired(ip, now) && this.host.connections.stream()
			.noneMatch((c) -> c.ip.equals(ip) && c.state != ConnectionState.LEASED);
	}

	/** Counts a failure against the IP; at the threshold it is blacklisted and its idle connections retired. */
	List<PooledConnection> countFailureLocked(InetAddress ip, String failure, long now) {
		return this.ips.countFailure(ip, failure, now) ? retireUnusableLocked(ip) : List.of();
	}

	/** Blacklists the IP for one TTL and retires its idle connections; returns them for closing. */
	List<PooledConnection> blacklistLocked(InetAddress ip, String reason, long now) {
		return this.ips.blacklist(ip, reason, now) ? retireUnusableLocked(ip) : List.of();
	}

	/** Retires the idle connections of an IP that may no longer serve (not when it serves as the least bad). */
	List<PooledConnection> retireUnusableLocked(InetAddress ip) {
		return this.host.retireIdleLocked((c) -> c.ip.equals(ip) && !this.ips.isUsable(ip), RetireReason.BLACKLISTED);
	}

}
