package io.hotconnpool.pool;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;

/**
 * The connections of one target host, spread over its IP addresses.
 * <p>
 * <b>Locking.</b> One {@link ReentrantLock} per host guards its addresses, connections, idle queue and waiters.
 * No code holds two host locks at once, and no I/O (connect, handshake, probe, close, DNS) ever runs under it:
 * methods that decide to open or close connections return them, and the caller acts after unlocking.
 * <p>
 * <b>Fairness and spread.</b> Idle connections form a queue: a released connection goes to the back and acquire
 * takes from the front, so the least recently used connection serves next and load and warmth rotate over every
 * IP. Waiters are served first-come first-served, and a released or newly warmed connection is handed directly to
 * the longest waiter.
 */
final class HostPool {

	final HotConnPool pool;

	final HostSettings settings;

	final Request probeRequest;

	/** The client this host's connections derive their pinned clients from. */
	final OkHttpClient baseClient;

	private final ReentrantLock lock = new ReentrantLock();

	private List<InetAddress> addresses = List.of();

	private final List<PooledConnection> connections = new ArrayList<>();

	private final ArrayDeque<PooledConnection> idle = new ArrayDeque<>();

	private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

	private boolean closed;

	private volatile String lastFailure;

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
		this.baseClient = pool.baseClient(settings.tls());
	}

	String key() {
		return this.settings.key();
	}

	/**
	 * Sets the host's addresses: the static ones and those resolved.
	 * @return new connections to warm so that every (IP, slot) is filled
	 */
	List<PooledConnection> updateAddresses(List<InetAddress> resolved) {
		Set<InetAddress> merged = new LinkedHashSet<>(this.settings.staticAddresses());
		merged.addAll(resolved);
		this.lock.lock();
		try {
			this.addresses = List.copyOf(merged);
			return fillLocked();
		}
		finally {
			this.lock.unlock();
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
		int target = this.settings.warmTarget(this.addresses.size());
		Set<String> occupied = new HashSet<>();
		this.connections.forEach((c) -> occupied.add(slotKey(c.ip, c.slot)));
		List<PooledConnection> created = new ArrayList<>();
		// Slot-major order spreads a capped warm target evenly over the IPs.
		for (int slot = 0; slot < this.settings.connectionsPerIp(); slot++) {
			for (InetAddress ip : this.addresses) {
				if (this.connections.size() >= target) {
					return created;
				}
				if (occupied.add(slotKey(ip, slot))) {
					created.add(createLocked(ip, slot));
				}
			}
		}
		return created;
	}

	private static String slotKey(InetAddress ip, int slot) {
		return ip.getHostAddress() + "#" + slot;
	}

	private PooledConnection createLocked(InetAddress ip, int slot) {
		PooledConnection connection = this.pool.newConnection(this, ip, slot);
		this.connections.add(connection);
		return connection;
	}

	/**
	 * Leases a connection, waiting up to the timeout.
	 * @return the leased connection, or {@code null} when the timeout passed
	 * @throws PoolClosedException when the pool closed before or during the wait
	 */
	PooledConnection acquire(long timeoutNanos) throws InterruptedException {
		long deadline = System.nanoTime() + timeoutNanos;
		Waiter waiter;
		PooledConnection onDemand;
		this.lock.lock();
		try {
			if (this.closed) {
				throw this.pool.closedException();
			}
			PooledConnection connection = this.idle.pollFirst();
			if (connection != null) {
				leaseLocked(connection);
				return connection;
			}
			waiter = new Waiter(this.lock.newCondition());
			this.waiters.addLast(waiter);
			onDemand = createOnDemandLocked();
		}
		finally {
			this.lock.unlock();
		}
		if (onDemand != null) {
			this.pool.warm(onDemand);
		}
		return awaitHandOff(waiter, deadline);
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
						offerLocked(waiter.connection); // handed over just as we were interrupted: pass it on
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
		if (this.addresses.isEmpty() || this.connections.size() >= this.settings.maxConnections()) {
			return null;
		}
		long warming = this.connections.stream().filter((c) -> c.state == ConnectionState.WARMING).count();
		if (warming >= this.waiters.size()) {
			return null;
		}
		InetAddress leastUsed = null;
		int fewest = Integer.MAX_VALUE;
		for (InetAddress ip : this.addresses) {
			int count = (int) this.connections.stream().filter((c) -> c.ip.equals(ip)).count();
			if (count < fewest) {
				fewest = count;
				leastUsed = ip;
			}
		}
		InetAddress ip = leastUsed;
		Set<Integer> usedSlots = new HashSet<>();
		this.connections.stream().filter((c) -> c.ip.equals(ip)).forEach((c) -> usedSlots.add(c.slot));
		int slot = 0;
		while (usedSlots.contains(slot)) {
			slot++;
		}
		return createLocked(ip, slot);
	}

	/**
	 * Takes a connection back from its lease.
	 * @param connection the connection
	 * @param retireReason why it must be retired, or {@code null} if it is healthy and may serve again
	 */
	void release(PooledConnection connection, RetireReason retireReason) {
		List<PooledConnection> replacements;
		this.lock.lock();
		try {
			if (connection.state == ConnectionState.RETIRED) {
				return; // retired while leased (forced cleanup, close): already closed
			}
			if (retireReason == null && !this.closed) {
				offerLocked(connection);
				return;
			}
			retireLocked(connection, (retireReason != null) ? retireReason : RetireReason.CLOSED);
			replacements = fillLocked();
		}
		finally {
			this.lock.unlock();
		}
		connection.close();
		replacements.forEach(this.pool::warm);
	}

	/**
	 * A warm-up finished successfully: the connection joins the pool (or goes straight to a waiter).
	 * @return {@code false} if it was retired meanwhile
	 */
	boolean warmed(PooledConnection connection) {
		this.lock.lock();
		try {
			if (connection.state != ConnectionState.WARMING) {
				return false;
			}
			offerLocked(connection);
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * A warm-up failed: the connection is retired and closed. No replacement is opened here, so a host that is down
	 * is not hammered; background maintenance refills with back-off.
	 */
	void warmFailed(PooledConnection connection, RetireReason reason, String failure) {
		this.lastFailure = failure;
		this.lock.lock();
		try {
			if (connection.state != ConnectionState.RETIRED) {
				retireLocked(connection, reason);
			}
		}
		finally {
			this.lock.unlock();
		}
		connection.close();
	}

	/**
	 * Retires every connection, leased ones too.
	 * @param closeHost whether the host closes as well: waiters fail with {@link PoolClosedException}
	 * @return the retired connections, for the caller to close outside the lock
	 */
	List<PooledConnection> retireAll(RetireReason reason, boolean closeHost) {
		this.lock.lock();
		try {
			if (closeHost) {
				this.closed = true;
				PoolClosedException failure = this.pool.closedException();
				this.waiters.forEach((waiter) -> {
					waiter.failure = failure;
					waiter.condition.signal();
				});
				this.waiters.clear();
			}
			List<PooledConnection> retired = new ArrayList<>(this.connections);
			retired.forEach((connection) -> retireLocked(connection, reason));
			return retired;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void leaseLocked(PooledConnection connection) {
		connection.state = ConnectionState.LEASED;
		connection.markUsed();
	}

	private void offerLocked(PooledConnection connection) {
		Waiter waiter = this.waiters.pollFirst();
		if (waiter != null) {
			leaseLocked(connection);
			waiter.connection = connection;
			waiter.condition.signal();
		}
		else {
			connection.state = ConnectionState.IDLE;
			connection.markUsed();
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
	}

	String lastFailure() {
		return this.lastFailure;
	}

	HostStats stats() {
		this.lock.lock();
		try {
			List<ConnectionStats> details = new ArrayList<>(this.connections.size());
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
			}
			return new HostStats(this.settings.host(), this.settings.port(),
					this.addresses.stream().map(InetAddress::getHostAddress).toList(), this.connections.size(),
					idleCount, leased, warming, healthy, this.waiters.size(), this.settings.maxConnections(),
					this.settings.warmTarget(this.addresses.size()), details);
		}
		finally {
			this.lock.unlock();
		}
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
