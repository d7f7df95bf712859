package io.hotconnpool.pool;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import io.hotconnpool.pool.HostPool.Changes;
import io.hotconnpool.pool.HostPool.LeaseOutcome;

/**
 * The lease paths of one host: acquire (a stream without the lock when one is free, else an idle connection, else a
 * wait and perhaps a connection on demand) and release, which judges what the lease saw. Its state is the host's
 * ({@link HostPool}), guarded by the host's lock, which these paths take only when a compare-and-set will not do;
 * what they decide to close or warm is carried out after the lock ({@link Changes}).
 */
final class HostLeases {

	private final HostPool host;

	private final HotConnPool pool;

	HostLeases(HostPool host) {
		this.host = host;
		this.pool = host.pool;
	}

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
		if (!exclusive && !this.host.isClosed()) {
			PooledConnection stream = acquireStream(avoid);
			if (stream != null) {
				return stream; // HTTP/2 reports a close by itself: no liveness check
			}
		}
		long deadline = this.host.clock.getAsLong() + timeoutNanos;
		while (true) {
			Waiters.Waiter waiter = null;
			PooledConnection connection;
			PooledConnection onDemand = null;
			Changes closedMeanwhile = Changes.NONE;
			this.host.lock.lock();
			try {
				if (this.host.isClosed()) {
					throw this.pool.closedException();
				}
				connection = this.host.pollIdleLocked(avoid);
				if (connection != null && connection.isSocketClosed()) {
					// Its socket closed a moment ago and its retirement has not run yet: never hand it out.
					List<PooledConnection> broken = new ArrayList<>();
					this.host.retireLocked(connection, RetireReason.BROKEN, broken);
					closedMeanwhile = retireClosedLocked().plus(broken);
					connection = this.host.pollIdleLocked(avoid);
				}
				if (connection != null) {
					this.host.leaseLocked(connection);
				}
				else {
					if (!this.host.ips.addresses().isEmpty() && this.host.ips.usable().isEmpty()) {
						throw new HostUnavailableException("Every IP of " + this.host.key() + " is blacklisted: "
								+ this.host.ips.blacklisted() + " (hotconnpool.blacklist.all-blacklisted=fail)");
					}
					if (closedMeanwhile == Changes.NONE && hasClosedSocketLocked()) {
						closedMeanwhile = retireClosedLocked(); // shared ones whose socket closed a moment ago
					}
					// Queued before the last look at the streams: a stream released meanwhile sees the waiter.
					waiter = this.host.waiters.enqueue(exclusive);
					// Under the lock no shared connection is retired: a stream taken here needs no second look.
					connection = this.host.takeLocked(exclusive, avoid);
					if (connection != null) {
						this.host.waiters.cancel(waiter);
						waiter = null;
					}
					else {
						onDemand = createOnDemandLocked(avoid);
					}
				}
			}
			finally {
				this.host.lock.unlock();
			}
			this.pool.apply(closedMeanwhile);
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

	/**
	 * Leases a connection for a retry, which must not fail as its attempt did: as {@link #acquire} with
	 * {@code validate}, and the connection answers a probe request first (on a stream of its own lease for HTTP/2),
	 * within the probe timeout. Why a round trip: a server that reaps an idle connection closes it at its end, and
	 * the close takes a while to reach the client. Meanwhile the connection looks alive to every check without one
	 * (an HTTP/2 reader, HTTP/1.1's read), and a request sent on it is lost; when servers reap together (the
	 * keep-alive check probes the spares together), the retry's connection is closing as its attempt's was. A close
	 * on its way fails the probe instead of the retry, and an answer restarts the server's idle timer, so the retry
	 * runs a keep-alive timeout clear of the next reaping. A connection that fails the probe is retired without a
	 * failure against its IP, and the next one taken, until the timeout. Only retries pay the round trip: the first
	 * attempt's acquire is unchanged.
	 * @return the leased connection, or {@code null} when the timeout passed
	 */
	PooledConnection acquireAlive(long timeoutNanos, InetAddress avoid, boolean exclusive) throws InterruptedException {
		long deadline = this.host.clock.getAsLong() + timeoutNanos;
		while (true) {
			long left = Math.max(0, deadline - this.host.clock.getAsLong());
			PooledConnection connection = acquire(left, avoid, exclusive, true);
			if (connection == null || answersProbe(connection, connection.multiplexed && !exclusive)) {
				return connection;
			}
		}
	}

	/**
	 * Whether a leased connection answers a probe; if not, its lease is given back and it is retired, with no failure
	 * against its IP. No lock.
	 * @throws InterruptedException when an interrupt cut the probe (OkHttp keeps the flag): the connection, its
	 * exchange cut, is retired all the same, and teaches nothing of its server's keep-alive
	 */
	private boolean answersProbe(PooledConnection connection, boolean stream) throws InterruptedException {
		long idle = connection.idleNanos(this.host.clock.getAsLong());
		try {
			connection.probe(this.host.probeRequest, this.pool.config.getProbeTimeout());
			if (connection.survivedExchange()) {
				return true;
			}
		}
		catch (IOException | RuntimeException ex) {
			// closed by its server, or unusable (a customizer's interceptor threw): retired below all the same
		}
		boolean interrupted = Thread.interrupted();
		if (!interrupted && connection.isSocketClosed()) {
			this.host.keepAlive.idleClosed(idle, this.host.clock.getAsLong());
		}
		if (stream) {
			releaseStream(connection, HostPool.CLOSED_BY_SERVER);
		}
		else {
			release(connection, HostPool.CLOSED_BY_SERVER);
		}
		if (interrupted) {
			throw new InterruptedException("Interrupted while probing " + connection + " for a retry");
		}
		return false;
	}

	/** Whether a leased connection is alive: checked unless it was used within the alive-bypass window. No lock. */
	private boolean isAlive(PooledConnection connection, boolean validate) {
		long idle = connection.idleNanos(this.host.clock.getAsLong());
		if (!validate && idle < this.pool.aliveBypassNanos) {
			return true;
		}
		if (!connection.isAlive()) {
			return false;
		}
		this.host.keepAlive.stayedOpen(idle);
		return true;
	}

	/**
	 * A connection its holder (a lease or a reservation) found closed by its server: it is retired, with every idle
	 * one whose socket closed, replacements are created, and its idle time teaches the host's keep-alive timeout.
	 * @return the connections to close and to warm
	 */
	Changes retireClosedByServer(PooledConnection connection) {
		long now = this.host.clock.getAsLong();
		this.host.keepAlive.idleClosed(connection.idleNanos(now), now);
		this.host.lock.lock();
		try {
			if (connection.state == ConnectionState.RETIRED) {
				return Changes.NONE;
			}
			List<PooledConnection> broken = new ArrayList<>();
			this.host.retireLocked(connection, RetireReason.BROKEN, broken);
			return retireClosedLocked().plus(broken);
		}
		finally {
			this.host.lock.unlock();
		}
	}

	/**
	 * The lock-free path of a shared lease: a stream on the multiplexed connection with the fewest in flight.
	 * @return the connection, its stream taken, or {@code null} when none has one free
	 */
	private PooledConnection acquireStream(InetAddress avoid) {
		for (int attempt = 0; attempt < 3; attempt++) {
			PooledConnection connection = this.host.shared.pickStream(avoid);
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

	private boolean hasClosedSocketLocked() {
		for (PooledConnection connection : this.host.idle) {
			if (connection.isSocketClosed()) {
				return true;
			}
		}
		for (PooledConnection connection : this.host.shared.all()) {
			if (connection.isSocketClosed()) {
				return true;
			}
		}
		return false;
	}

	/** Retires every idle or shared connection whose socket closed (their streams failed with it) and refills. */
	private Changes retireClosedLocked() {
		return new Changes(this.host.retireIdleLocked(PooledConnection::isSocketClosed, RetireReason.BROKEN),
				this.host.fillLocked());
	}

	private PooledConnection awaitHandOff(Waiters.Waiter waiter, long deadline) throws InterruptedException {
		List<PooledConnection> toClose = new ArrayList<>();
		this.host.lock.lock();
		try {
			return this.host.waiters.await(waiter, deadline, this.host.clock, (handed) -> {
				// handed over just as the wait was interrupted: pass it on
				if (handed.multiplexed && !waiter.exclusive) {
					handed.streams.release();
					this.host.streamEndedLocked(handed, toClose);
				}
				else {
					this.host.offerLocked(handed, this.host.clock.getAsLong(), true);
				}
			});
		}
		finally {
			this.host.lock.unlock();
			this.pool.apply(new Changes(toClose, List.of()));
		}
	}

	/**
	 * Opens one more connection when the waiters outnumber the connections already warming and the host is below
	 * its maximum, to the usable IP with the fewest connections, other than {@code avoid} where possible. A waiter
	 * still takes whichever connection comes first, a released one or the new one.
	 */
	private PooledConnection createOnDemandLocked(InetAddress avoid) {
		List<InetAddress> usable = this.host.ips.usable();
		if (usable.isEmpty() || this.host.connections.size() >= this.host.settings.maxConnections()) {
			return null;
		}
		long warming = this.host.connections.stream().filter((c) -> c.state == ConnectionState.WARMING).count();
		// A host that speaks HTTP/2 will carry many waiters on each connection warming.
		long perConnection = this.host.shared.isEmpty() ? 1 : this.pool.config.getHttp2().getMaxStreamsPerConnection();
		if (warming * perConnection >= this.host.waiters.size()) {
			return null;
		}
		InetAddress ip = this.host.plan.onDemandIp(this.host.connections, usable, avoid);
		return this.host.createLocked(ip, this.host.plan.freeSlot(this.host.connections, ip));
	}

	/**
	 * Takes a connection back from a lease that held it whole: an HTTP/1.1 lease, or an exclusive one.
	 * @param connection the connection
	 * @param outcome what the lease saw: {@code null} if healthy (its IP's failure count starts again), else why it
	 * must be retired and, for a blacklist status, the reason to blacklist its IP; with no reason and no IP failure
	 * (a lease that ran nothing) it serves again and its IP's count stands
	 */
	void release(PooledConnection connection, LeaseOutcome outcome) {
		this.pool.apply(returned(connection, outcome, false, false));
	}

	/**
	 * Gives a stream back to its multiplexed connection. Without the lock, and without reading the clock (the
	 * exchange stamped the last use), when nothing else is to be done: no waiter to hand it to, nothing to judge, no
	 * failure count to reset, the connection in service.
	 * @param outcome what the lease saw, as for {@link #release}; a connection it retires drains its other streams
	 */
	void releaseStream(PooledConnection connection, LeaseOutcome outcome) {
		connection.streams.release();
		// A healthy stream resets its IP's failure count, if any; one that ran nothing leaves it as it is.
		boolean nothingToJudge = (outcome == null) ? !this.host.ips.anyFailing()
				: outcome.reason() == null && outcome.blacklistReason() == null && outcome.ipFailure() == null;
		if (nothingToJudge && !this.host.waiters.any() && !this.host.isClosed()
				&& connection.state != ConnectionState.RETIRED) {
			return;
		}
		this.pool.apply(streamReleased(connection, outcome, false));
	}

	/**
	 * The locked part of a stream's end, its count already given back: judges the lease, serves the waiters, closes
	 * a draining connection with its last stream.
	 * @param restore whether a blacklisted IP is restored (a health probe's stream succeeded)
	 */
	Changes streamReleased(PooledConnection connection, LeaseOutcome outcome, boolean restore) {
		return returned(connection, outcome, true, restore);
	}

	/**
	 * A lease came back, a whole connection or a stream (whose count is already given back): judged, the
	 * connection is retired (a shared one drains its other streams) or serves again, and the waiters are served.
	 */
	private Changes returned(PooledConnection connection, LeaseOutcome outcome, boolean stream, boolean restore) {
		long now = this.host.clock.getAsLong();
		List<PooledConnection> toClose = new ArrayList<>();
		List<PooledConnection> toWarm = List.of();
		this.host.lock.lock();
		try {
			this.host.signalIfClosingLocked();
			if (connection.state != ConnectionState.RETIRED) { // else retired while leased, and closed or draining
				boolean restored = restore && this.host.ips.restore(connection.ip, null, "its re-probe succeeded");
				if (judgeLocked(connection, outcome, now, toClose)) {
					if (stream) {
						this.host.closeOrDrainLocked(connection, toClose);
					}
					else {
						toClose.add(connection); // held whole: its count is no stream
					}
					toWarm = this.host.fillLocked();
				}
				else if (!stream) {
					this.host.offerLocked(connection, now, true);
				}
				else if (restored) {
					toWarm = this.host.fillLocked();
				}
			}
			if (stream) {
				this.host.streamEndedLocked(connection, toClose);
			}
		}
		finally {
			this.host.lock.unlock();
		}
		return new Changes(toClose, toWarm);
	}

	/**
	 * Judges a returned lease: counts its IP's failure, resets the count after a healthy one, and retires the
	 * connection if the lease or the connection's state says so.
	 * @param toClose receives other connections to close (the IP's, when it is blacklisted)
	 * @return whether the connection was retired
	 */
	boolean judgeLocked(PooledConnection connection, LeaseOutcome outcome, long now, List<PooledConnection> toClose) {
		// The connection works but its IP did not serve (503): the connection goes only if the IP does.
		if (outcome != null && outcome.reason() == null && outcome.ipFailure() != null) {
			String failure = outcome.ipFailure() + " on " + connection;
			toClose.addAll(this.host.maintenance.countFailureLocked(connection.ip, failure, now));
		}
		RetireReason reason = (outcome != null && outcome.reason() != null) ? outcome.reason()
				: retireReasonLocked(connection, now);
		if (reason == null) {
			if (outcome == null) {
				this.host.ips.succeeded(connection.ip);
			}
			return false;
		}
		this.host.retireLocked(connection, reason, null);
		if (outcome != null && outcome.blacklistReason() != null) {
			toClose.addAll(this.host.maintenance.blacklistLocked(connection.ip, outcome.blacklistReason(), now));
		}
		else if (outcome != null && outcome.reason() != null && outcome.ipFailure() != null) {
			String failure = outcome.ipFailure() + " on " + connection;
			toClose.addAll(this.host.maintenance.countFailureLocked(connection.ip, failure, now));
		}
		return true;
	}

	/** Why a healthy returned connection must still go, or {@code null} if it may serve again. */
	RetireReason retireReasonLocked(PooledConnection connection, long now) {
		if (this.host.isClosed()) {
			return RetireReason.CLOSED;
		}
		if (connection.isSocketClosed()) {
			return RetireReason.BROKEN; // closed after its last check: no closing report will find it idle
		}
		if (!this.host.ips.contains(connection.ip)) {
			return RetireReason.DNS_REMOVED;
		}
		if (this.host.ips.isBlacklisted(connection.ip) && !this.host.ips.isUsable(connection.ip)) {
			return RetireReason.BLACKLISTED;
		}
		if (connection.isExpired(now)) {
			return RetireReason.EXPIRED;
		}
		int max = this.host.settings.maxConnections();
		if (this.host.connections.size() > max
				&& this.host.plan.inService(this.host.connections, this.host.ips.usable()) > max) {
			// Its IP came back (re-probe, DNS) after the others were filled up to the maximum: a surplus.
			return RetireReason.IDLE;
		}
		return null;
	}

}
