package io.hotconnpool.pool;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.ConnectionPool;
import okhttp3.EventListener;
import okhttp3.Handshake;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Okio;

/**
 * One warm TLS connection to (host, IP, slot).
 * <p>
 * It owns a pinned OkHttp client: a {@link PinnedDns} that answers only this IP (SNI and certificate verification keep
 * the host name) and a private one-connection {@link ConnectionPool}. The private pool keeps OkHttp's global idle
 * limit from evicting warm connections, lets {@link #close()} close exactly this socket, and lets the pool see
 * after each exchange whether the physical connection survived ({@link #isPhysicallyIdle()}). Its sockets come
 * from a {@link WatchedSocketFactory}, which tells the pool when OkHttp closes one that its pool still counts idle.
 * <p>
 * <b>Streams.</b> Once its warm-up shows that it speaks HTTP/2, the connection is {@linkplain #multiplexed
 * multiplexed}: it carries up to {@link #streamLimit()} leases at once, one stream each, and OkHttp multiplexes
 * their calls on the one physical connection. {@link #streams} counts them with compare-and-set, without the host's
 * lock. An HTTP/1.1 connection is always leased whole, through its state.
 * <p>
 * It owns its state: the host reads its fields and changes them only through its methods. {@link #state} and the
 * host's marks (probation, hand-over, liveness schedule) change only under the host's lock; counters are atomics
 * read without it.
 */
final class PooledConnection {

	private static final VarHandle STATE;

	private static final VarHandle LAST_USED_NANOS;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			STATE = lookup.findVarHandle(PooledConnection.class, "state", ConnectionState.class);
			LAST_USED_NANOS = lookup.findVarHandle(PooledConnection.class, "lastUsedNanos", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}


	/** OkHttp must never evict a warm connection on its own: the pool's maintenance decides. */
	private static final long OKHTTP_KEEP_ALIVE_DAYS = 1;

	private static final double LIFETIME_JITTER = 0.05;

	final long id;

	final HostPool host;

	final InetAddress ip;

	final int slot;

	private final ConnectionPool okPool;

	private final WatchedSocketFactory sockets;

	private final OkHttpClient client;

	private final long createdNanos;

	private final Instant createdAt;

	/**
	 * Changed under the host's lock; volatile so that snapshots can read it without the lock. The lease hand-offs set
	 * it with {@link #setStateLocked} instead.
	 */
	volatile ConnectionState state = ConnectionState.WARMING;

	/** Why it was retired; set with {@code state = RETIRED}. */
	volatile RetireReason retireReason;

	/** Opened to re-probe a blacklisted IP: its success restores the IP. Guarded by the host's lock. */
	boolean probation;

	/**
	 * The idle time at which maintenance next checks this HTTP/1.1 connection for a close while its host's
	 * keep-alive timeout is unknown; 0 until its first check, which comes after the alive-bypass window. Guarded by
	 * the host's lock.
	 */
	private long nextLivenessCheckNanos;

	/**
	 * Handed to a waiting acquire straight from its warm-up: the handshake was on that caller's path, so its first
	 * request does not count as hot. Set under the host's lock, cleared by the lease holder.
	 */
	private volatile boolean handedOverWarm;

	/** Opened for an IP that a DNS refresh found; counted once warm. */
	private volatile boolean foundByDns;

	/** This connection's lifetime: the maximum less up to 5 % at random, so connections do not expire together. */
	private final long lifetimeNanos;

	private volatile boolean healthy;

	private volatile String protocol;

	/** The socket OkHttp's connection speaks through (TLS), for the liveness check of an idle HTTP/1.1 connection. */
	private volatile Socket socket;

	private volatile long lastUsedNanos;

	/** Calls in flight: one on HTTP/1.1, one per stream on HTTP/2. */
	private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();

	/** Leases in flight on this connection; compare-and-set, no lock. Only a multiplexed one is leased by stream. */
	final StreamCount streams = new StreamCount();

	/** The most streams the pool puts on it, before the server's own limit. */
	private final int maxStreams;

	/**
	 * Whether it carries concurrent leases (it negotiated HTTP/2 and may carry more than one stream). Set under the
	 * host's lock once its warm-up shows the protocol ({@link #protocolKnown}), before it is offered to anyone.
	 */
	volatile boolean multiplexed;

	/** OkHttp's physical connection, from which the server's limit of concurrent streams is read. */
	private volatile Connection physical;

	/** Leases being held, for leak detection; empty when it is off. */
	final Set<Lease> leases = ConcurrentHashMap.newKeySet();

	private final AtomicLong requests = new AtomicLong();

	private final AtomicLong errors = new AtomicLong();

	/** TCP connects started through this connection's client: a change during a request means a cold request. */
	private final AtomicLong connectsStarted = new AtomicLong();

	/** The id of the TLS profile this connection's ClientHello and headers follow. */
	private final String tlsProfile;

	PooledConnection(long id, HostPool host, InetAddress ip, int slot, OkHttpClient baseClient, String tlsProfile) {
		this.tlsProfile = tlsProfile;
		this.id = id;
		this.host = host;
		this.ip = ip;
		this.slot = slot;
		this.okPool = new ConnectionPool(1, OKHTTP_KEEP_ALIVE_DAYS, TimeUnit.DAYS);
		this.sockets = new WatchedSocketFactory(() -> host.pool.socketClosed(this));
		HotConnPoolConfig config = host.pool.config;
		this.maxStreams = config.getHttp2().getMaxStreamsPerConnection();
		this.client = baseClient.newBuilder()
			.dns(PinnedDns.to(host.settings.host(), ip))
			.connectionPool(this.okPool)
			.socketFactory(this.sockets)
			// One listener per call (concurrent calls on an HTTP/2 connection time their own connects), followed by
			// the customizer's own.
			.eventListenerFactory((call) -> new ConnectionEvents().plus(baseClient.eventListenerFactory().create(call)))
			// An unanswered PING closes the socket, which the socket factory reports: retired and replaced.
			.pingInterval(config.getHttp2().getPingInterval())
			.build();
		long maxLifetime = config.getMaxLifetime().toNanos();
		this.lifetimeNanos = maxLifetime - (long) (maxLifetime * LIFETIME_JITTER * ThreadLocalRandom.current().nextDouble());
		this.createdNanos = host.clock.getAsLong();
		this.createdAt = Instant.now();
		this.lastUsedNanos = this.createdNanos;
	}


	/**
	 * Sends the probe request and reads its answer, within the probe timeout.
	 * @return the status code
	 * @throws IOException when the connection or the exchange fails
	 */
	int probe(Request probe, Duration timeout) throws IOException {
		Call call = this.client.newCall(probe);
		call.timeout().timeout(timeout.toNanos(), TimeUnit.NANOSECONDS);
		try (Response response = call(call)) {
			this.host.keepAlive.learn(response);
			ResponseBody body = response.body();
			body.source().readAll(Okio.blackhole()); // keeps an HTTP/1.1 connection reusable after a GET probe
			this.healthy = true;
			return response.code();
		}
		catch (IOException ex) {
			exchangeFailed();
			throw ex;
		}
	}

	/**
	 * Executes a user request. The caller holds the lease.
	 * @return the response and whether it was served without a new connection
	 * @throws IOException when the exchange fails
	 */
	Exchange execute(Request request) throws IOException {
		long connectsBefore = this.connectsStarted.get();
		this.requests.incrementAndGet();
		try {
			Response response = call(this.client.newCall(request));
			return new Exchange(response, this.connectsStarted.get() == connectsBefore);
		}
		catch (IOException ex) {
			exchangeFailed();
			throw ex;
		}
	}

	/** Runs a call, cancellable by {@link #cancelInFlight()} meanwhile; its end stamps the connection's last use. */
	private Response call(Call call) throws IOException {
		this.inFlight.add(call);
		try {
			return call.execute();
		}
		finally {
			this.inFlight.remove(call);
			this.lastUsedNanos = this.host.clock.getAsLong();
		}
	}

	/**
	 * Whether the connection is still open at the server's end, as far as one can tell without sending anything.
	 * An HTTP/2 connection has a reader that notices a close at once: its socket's state answers, without I/O. An
	 * idle HTTP/1.1 connection has no reader, so a server's close waits unread in the socket: this reads for at most
	 * a millisecond (OkHttp's extensive health check, at any idle time). A timeout means alive; end of stream, an
	 * error or unsolicited bytes (nothing may arrive between HTTP/1.1 exchanges) mean unusable. Called by the sole
	 * holder of the connection (a lease or a reservation), never under a lock.
	 * @return whether it may carry a request
	 */
	boolean isAlive() {
		if (isSocketClosed()) {
			return false;
		}
		Socket current = this.socket;
		if (current == null || !isHttp11()) {
			return true;
		}
		try {
			int timeout = current.getSoTimeout();
			current.setSoTimeout(1);
			try {
				current.getInputStream().read();
				return false;
			}
			catch (SocketTimeoutException ex) {
				return true;
			}
			finally {
				current.setSoTimeout(timeout);
			}
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** An exchange, or the caller reading a response body, failed: counted as an error of this connection. */
	void exchangeFailed() {
		this.healthy = false;
		this.errors.incrementAndGet();
	}

	/** Whether the physical connection is open and free in OkHttp's pool: false once the server or an error closed it. */
	boolean isPhysicallyIdle() {
		return !isSocketClosed() && this.okPool.idleConnectionCount() == 1;
	}

	/**
	 * Whether the physical connection survived an exchange. A multiplexed one is in use by other streams, so it is
	 * not idle in OkHttp's pool, yet fine as long as its socket is open and OkHttp still holds it.
	 */
	boolean survivedExchange() {
		if (!this.multiplexed) {
			return isPhysicallyIdle();
		}
		return !isSocketClosed() && this.okPool.connectionCount() == 1;
	}

	// ---- streams: compare-and-set, no lock ----------------------------------------------------------------

	/**
	 * The most streams this connection carries at once: the configured limit, lowered by the server's
	 * {@code SETTINGS_MAX_CONCURRENT_STREAMS}, which OkHttp tracks as the connection's allocation limit (beyond it,
	 * OkHttp would open a second connection, cold, on the caller's time).
	 */
	int streamLimit() {
		return Math.min(this.maxStreams, OkHttpInternals.allocationLimit(this.physical));
	}

	/** Takes a stream if one is free under the limit. */
	boolean tryAcquireStream() {
		return this.streams.tryAcquire(streamLimit());
	}

	/** Whether the physical connection's socket is closed (OkHttp's pool may still count it idle). No I/O, no lock. */
	boolean isSocketClosed() {
		return this.sockets.isLatestClosed();
	}

	/** Aborts every exchange in flight (forced cleanup, pool close); their holders see an I/O error. */
	void cancelInFlight() {
		this.inFlight.forEach(Call::cancel);
	}

	/** Closes the socket. Never called under a lock. */
	void close() {
		cancelInFlight();
		this.okPool.evictAll();
	}

	/**
	 * Sets the state under the host's lock with a release store: holders of the lock see it through the lock, and
	 * lock-free readers (statistics) a moment later, without the full fence of a volatile write on every lease.
	 */
	void setStateLocked(ConnectionState state) {
		STATE.setRelease(this, state);
	}

	/**
	 * Stamps the last use with a release store, as {@link #setStateLocked}: read only for idle times and snapshots.
	 * Called under the host's lock.
	 */
	void markUsed(long now) {
		LAST_USED_NANOS.setRelease(this, now);
		this.nextLivenessCheckNanos = 0;
	}

	/** Retires it, for the reason; under the host's lock. */
	void retire(RetireReason reason) {
		this.retireReason = reason;
		this.state = ConnectionState.RETIRED;
	}

	/** Reserves it for a probe or liveness check outside the lock; under the host's lock. */
	void reserve() {
		this.state = ConnectionState.RESERVED;
	}

	/** Its warm-up showed the protocol: whether it carries streams from now on; under the host's lock. */
	void protocolKnown(boolean multiplexed) {
		this.multiplexed = multiplexed;
	}

	/** Opened to re-probe a blacklisted IP, or no longer; under the host's lock. */
	void probation(boolean probation) {
		this.probation = probation;
	}

	/** Whether it was handed to a waiter straight from its warm-up (set under the host's lock). */
	void handedOverWarm(boolean warm) {
		this.handedOverWarm = warm;
	}

	/** Whether it came to its lease straight from its warm-up, once: the lease's first request is then not hot. */
	boolean takeHandedOverWarm() {
		boolean warm = this.handedOverWarm;
		if (warm) {
			this.handedOverWarm = false;
		}
		return warm;
	}

	/** Opened for an IP that a DNS refresh found. */
	void markFoundByDns() {
		this.foundByDns = true;
	}

	/** Whether it was opened for an IP a DNS refresh found, once: counted when warm. */
	boolean takeFoundByDns() {
		boolean found = this.foundByDns;
		this.foundByDns = false;
		return found;
	}

	/**
	 * Whether maintenance should check this HTTP/1.1 connection for a close now: idle at least the alive-bypass
	 * window and its next check's idle time, and less than {@code maxIdleNanos}. Under the host's lock.
	 */
	boolean isLivenessCheckDue(long now, long aliveBypassNanos, long maxIdleNanos) {
		long idle = idleNanos(now);
		return isHttp11() && idle < maxIdleNanos && idle >= Math.max(aliveBypassNanos, this.nextLivenessCheckNanos);
	}

	/** It passed a liveness check after {@code idleNanos}: the next comes when its idle time has grown by half. */
	void livenessChecked(long idleNanos, long aliveBypassNanos) {
		this.nextLivenessCheckNanos = Math.max(idleNanos, aliveBypassNanos) * 3 / 2;
	}

	/** Whether the connection speaks HTTP/1.1: it has no reader, so only a liveness check notices a close. */
	boolean isHttp11() {
		return "http/1.1".equals(this.protocol);
	}

	boolean isHealthy() {
		return this.healthy;
	}

	/** Whether its warm-up negotiated HTTP/2. */
	boolean speaksHttp2() {
		Connection current = this.physical;
		return current != null && current.protocol() == Protocol.HTTP_2;
	}

	boolean isExpired(long now) {
		return now - this.createdNanos >= this.lifetimeNanos;
	}

	long idleNanos(long now) {
		return now - this.lastUsedNanos;
	}

	ConnectionStats stats() {
		ConnectionState current = this.state;
		int inFlightNow = this.multiplexed ? this.streams.inFlight() : (current == ConnectionState.LEASED) ? 1 : 0;
		// A shared connection carrying streams is leased, by each of them.
		ConnectionState shown = (current == ConnectionState.IDLE && inFlightNow > 0) ? ConnectionState.LEASED : current;
		Instant lastUsedAt = this.createdAt.plusNanos(this.lastUsedNanos - this.createdNanos);
		return new ConnectionStats(this.id, this.host.settings.host(), this.host.settings.port(),
				this.ip.getHostAddress(), this.slot, shown, this.healthy && current != ConnectionState.RETIRED,
				this.protocol, this.requests.get(), this.errors.get(), this.createdAt, lastUsedAt,
				this.createdAt.plusNanos(this.lifetimeNanos), this.tlsProfile, inFlightNow,
				this.multiplexed ? streamLimit() : 1);
	}

	@Override
	public String toString() {
		return "connection #" + this.id + " to " + this.host.key() + " via " + this.ip.getHostAddress() + " slot "
				+ this.slot;
	}

	/** The outcome of a user request. */
	record Exchange(Response response, boolean hot) {
	}

	/** Counts connects and handshakes of one call of this connection's client, and times them. */
	private final class ConnectionEvents extends EventListener {

		/** One instance per call, so concurrent calls (HTTP/2 streams) never share these. */
		private long connectStartNanos;

		private long handshakeStartNanos;

		@Override
		public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
			PooledConnection.this.connectsStarted.incrementAndGet();
			this.connectStartNanos = System.nanoTime();
		}

		@Override
		public void secureConnectStart(Call call) {
			this.handshakeStartNanos = System.nanoTime();
		}

		@Override
		public void secureConnectEnd(Call call, Handshake handshake) {
			HotConnPool pool = PooledConnection.this.host.pool;
			pool.counters.handshakes.increment();
			long connectNanos = this.handshakeStartNanos - this.connectStartNanos;
			long handshakeNanos = System.nanoTime() - this.handshakeStartNanos;
			String hostKey = PooledConnection.this.host.key();
			String address = PooledConnection.this.ip.getHostAddress();
			pool.listeners.fire((listener) -> listener.connectionOpened(hostKey, address, connectNanos, handshakeNanos));
		}

		@Override
		public void connectionAcquired(Call call, Connection connection) {
			PooledConnection.this.protocol = connection.protocol().toString();
			PooledConnection.this.physical = connection;
			PooledConnection.this.socket = connection.socket();
		}

	}

}
