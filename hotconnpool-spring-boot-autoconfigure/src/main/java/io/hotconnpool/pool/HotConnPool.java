package io.hotconnpool.pool;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.hotconnpool.tls.TlsProfile;
import io.hotconnpool.tls.TlsSelfTest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A pool of hot TLS connections: opened, handshaken and validated before anyone needs them, to every IP address of
 * each configured host. An HTTP/1.1 connection serves one lease at a time; an HTTP/2 one carries many, one stream
 * each ({@link #acquire(String)}), unless a lease takes it whole ({@link #acquireExclusive(String)}).
 *
 * <pre>{@code
 * HotConnPool pool = HotConnPool.builder(config).build();
 * pool.start();                                   // resolves and warms every (IP, slot)
 * try (Response response = pool.execute(request)) { ... }   // acquire, execute, release on close
 * pool.close();
 * }</pre>
 *
 * A plain object with a restartable life: {@link #start()} warms it, {@link #stop()} drains it and closes its
 * connections, a later {@code start()} warms it again (checkpoint/restore, a context restart); {@link #close()} ends
 * it for good. Counters, listeners and TLS self-test results outlive a stop; hosts, connections and blacklistings
 * do not. The Spring Boot starter drives it from a {@code SmartLifecycle} adapter.
 * <p>
 * Thread-safe. See {@link HostPool} for the locking rules: one lock per host, never held across I/O; start, stop
 * and close are serialised by one lock of their own, never taken by the lease path.
 */
public final class HotConnPool implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(HotConnPool.class);

	final HotConnPoolConfig config;

	final PoolCounters counters = new PoolCounters();

	final Listeners listeners;

	/** Observes the lease API for tracing; {@code null} when none is set. */
	final LeaseObserver leaseObserver;

	/** Who may re-probe an expired blacklist entry; {@code null}: this pool, always. */
	final ReprobeGate reprobeGate;

	final HostResolver resolver;

	/** Runs blocking work: DNS look-ups and warm-ups. */
	final Executor executor;

	final PoolLifecycle life;

	final TlsClients tlsClients;

	final Probes probes;

	/** Whether leases are watched for leaks: only then does acquire keep the lease. */
	final boolean detectsLeaks;

	/** {@code keep-alive.alive-bypass-window}: connections used more recently are leased without a liveness check. */
	final long aliveBypassNanos;

	/** Whether a leak report has carried the acquirer's stack trace: only the first does, at WARN. */
	final AtomicBoolean leakTraceLogged = new AtomicBoolean();

	private final Leases leases;

	private HotConnPool(Builder builder) {
		this.config = builder.config.validatedCopy();
		this.detectsLeaks = !this.config.getLeakDetectionThreshold().isZero();
		this.aliveBypassNanos = this.config.getKeepAlive().getAliveBypassWindow().toNanos();
		this.listeners = new Listeners(builder.listeners);
		this.reprobeGate = builder.reprobeGate;
		this.resolver = builder.resolver;
		this.leaseObserver = builder.leaseObserver;
		this.life = new PoolLifecycle(this, builder.executor, builder.scheduler);
		this.executor = this.life.executor;
		this.probes = new Probes(this, new Warmer(this.executor, this.config.getWarmUp().getConcurrency()));
		this.tlsClients = new TlsClients(this.config, builder.clientCustomizer);
		this.leases = new Leases(this);
	}

	/**
	 * Starts building a pool.
	 * @param config what to keep warm; building the pool takes a validated copy of it
	 * @return a builder
	 */
	public static Builder builder(HotConnPoolConfig config) {
		return new Builder(config);
	}

	/**
	 * Resolves every configured host, warms every (IP, slot), at most {@code warm-up.concurrency} at once, and
	 * schedules the background tasks. In {@link WarmUpMode#BLOCKING} mode it waits up to {@code warm-up.timeout}
	 * (warming goes on in the background past it) and logs one line per host. After {@link #stop()} it starts the
	 * pool again: hosts are resolved and warmed afresh. Does nothing while the pool runs.
	 * @throws PoolClosedException when the pool was closed
	 */
	public void start() {
		this.life.start();
	}

	/** Stops gracefully, waiting up to {@code shutdown.drain-timeout}; see {@link #stop(Duration)}. */
	public void stop() {
		stop(this.config.getShutdown().getDrainTimeout());
	}

	/**
	 * Stops gracefully, so that {@link #start()} can start the pool again: 1. refuses new acquires and wakes waiters
	 * with {@link PoolClosedException}; 2. cancels the background tasks and waits for runs in flight; 3. waits for
	 * leases to come back, up to the drain timeout; 4. closes every connection, cutting leases still held (and
	 * logging how many). Statistics, counters and listeners stay; the threads the pool made wait for the next start.
	 * Does nothing unless the pool runs.
	 * @param drainTimeout how long to wait for background runs and leases
	 * @throws IllegalStateException carrying the first error of closing a connection, the others suppressed (the
	 * pool is stopped all the same)
	 */
	public void stop(Duration drainTimeout) {
		this.life.stop(Objects.requireNonNull(drainTimeout, "drainTimeout"));
	}

	/**
	 * Closes for good, at once: refuses new acquires with {@link PoolClosedException}, wakes waiters with it, stops
	 * the background tasks, closes every connection, leased ones too, and shuts down the threads the pool made. A
	 * closed pool cannot start again; to pause it, {@link #stop()} it. Idempotent.
	 * @throws IllegalStateException carrying the first error of closing a connection, the others suppressed
	 */
	@Override
	public void close() {
		this.life.close();
	}

	/** Whether the pool runs: started, and neither stopping, stopped nor closed. */
	public boolean isRunning() {
		return this.life.isRunning();
	}

	/** Whether {@link #close()} has been called. */
	public boolean isClosed() {
		return this.life.isClosed();
	}

	PoolClosedException closedException() {
		return this.life.closedException();
	}

	HostPool hostFor(String target) {
		return this.life.hosts().hostFor(target);
	}

	OkHttpClient baseClient(TlsMaterial material, TlsProfile profile) {
		return this.tlsClients.baseClient(material, profile);
	}

	PooledConnection newConnection(HostPool host, InetAddress ip, int slot) {
		return this.probes.newConnection(host, ip, slot);
	}

	/** Opens and validates the connection (or probes a reserved one) in the background. */
	CompletableFuture<Boolean> warm(PooledConnection connection) {
		return this.probes.warm(connection);
	}

	/** Closes what a host decided to close and warms what it decided to warm, outside its lock. */
	void apply(HostPool.Changes changes) {
		this.probes.apply(changes);
	}

	/** The socket of a connection closed; see {@link Probes#socketClosed}. */
	void socketClosed(PooledConnection connection) {
		this.probes.socketClosed(connection);
	}

	/**
	 * Leases a connection to the host for one request at a time, waiting up to the pool's {@code acquire-timeout}.
	 * On HTTP/2 the lease is a stream: other leases share the connection, up to
	 * {@code http2.max-streams-per-connection} and the server's limit, and the one with the fewest streams in
	 * flight serves. On HTTP/1.1 the lease holds the connection whole.
	 * @param target {@code host} or {@code host:port}
	 * @return the lease; close it to give it back
	 * @throws AcquireTimeoutException when no stream or connection became free in time
	 * @throws PoolClosedException when the pool is closed
	 * @throws HostNotConfiguredException when the host is not served
	 * @throws InterruptedException when the waiting thread is interrupted
	 * @see #acquireExclusive(String)
	 */
	public Lease acquire(String target) throws InterruptedException {
		return acquire(target, this.config.getAcquireTimeout());
	}

	/**
	 * Leases a connection to the host for one request at a time, waiting up to the given timeout; see
	 * {@link #acquire(String)}.
	 * @param target {@code host} or {@code host:port}
	 * @param timeout how long to wait for a free stream or connection; zero means only one free right now
	 * @return the lease; close it to give it back
	 * @throws AcquireTimeoutException when no stream or connection became free in time
	 * @throws PoolClosedException when the pool is closed
	 * @throws HostNotConfiguredException when the host is not served
	 * @throws IllegalArgumentException when the target is blank or malformed or the timeout negative
	 * @throws InterruptedException when the waiting thread is interrupted
	 */
	public Lease acquire(String target, Duration timeout) throws InterruptedException {
		return this.leases.acquire(target, timeout, null, false);
	}

	/**
	 * Leases a whole connection to the host, waiting up to the pool's {@code acquire-timeout}: no other lease
	 * shares it until it is closed, on HTTP/2 too. For callers that need the connection to themselves, such as one
	 * TLS session or one server-side connection for a sequence of requests.
	 * @param target {@code host} or {@code host:port}
	 * @return the lease; close it to give the connection back
	 * @throws AcquireTimeoutException when no connection became free in time
	 * @throws PoolClosedException when the pool is closed
	 * @throws HostNotConfiguredException when the host is not served
	 * @throws InterruptedException when the waiting thread is interrupted
	 */
	public Lease acquireExclusive(String target) throws InterruptedException {
		return acquireExclusive(target, this.config.getAcquireTimeout());
	}

	/**
	 * Leases a whole connection to the host, waiting up to the given timeout; see {@link #acquireExclusive(String)}.
	 * @param target {@code host} or {@code host:port}
	 * @param timeout how long to wait for a free connection; zero means only one free right now
	 * @return the lease; close it to give the connection back
	 * @throws AcquireTimeoutException when no connection became free in time
	 * @throws PoolClosedException when the pool is closed
	 * @throws HostNotConfiguredException when the host is not served
	 * @throws IllegalArgumentException when the target is blank or malformed or the timeout negative
	 * @throws InterruptedException when the waiting thread is interrupted
	 */
	public Lease acquireExclusive(String target, Duration timeout) throws InterruptedException {
		return this.leases.acquire(target, timeout, null, true);
	}

	/**
	 * Acquires a connection to the request's host, executes the request and gives the connection back when the
	 * response body is closed. An idempotent request (GET, HEAD, OPTIONS, PUT, DELETE, TRACE, without a one-shot
	 * body) whose connection fails is retried once, on a connection known alive (it answered a probe request just
	 * before, which a server's close still on its way fails instead of the retry) to another IP where one is idle
	 * ({@code retry-on-connection-failure}); retries are counted by outcome in {@link PoolStats}.
	 * @param request an https request
	 * @return the response; close it
	 * @throws IOException when the exchange fails (after the retry), or as {@link InterruptedIOException} when
	 * interrupted while waiting for a connection
	 */
	public Response execute(Request request) throws IOException {
		return this.leases.execute(request);
	}

	/**
	 * Warms the host's missing connections now (after a forced cleanup, or for an unknown host ahead of use).
	 * @param target {@code host} or {@code host:port}
	 * @return completes when the warm-ups end
	 */
	public CompletableFuture<Void> warmUp(String target) {
		return this.probes.warmAll(hostFor(target).maintenance.fill());
	}

	/**
	 * Closes and removes every connection, leased ones too (their holders get a {@link ConnectionRetiredException}
	 * on next use), then warms every host again; a stopped pool has none.
	 * @return the number of connections closed
	 */
	public int forceCleanup() {
		int count = 0;
		for (HostPool host : this.life.currentHosts()) {
			List<PooledConnection> retired = host.retireAll(RetireReason.FORCED);
			retired.forEach(PooledConnection::close);
			count += retired.size();
			host.maintenance.fill().forEach(this::warm);
		}
		logger.info("hotconnpool force cleanup closed " + count + " connections");
		return count;
	}

	/**
	 * Takes a blacklisted IP off the blacklist now and warms its connections.
	 * @param target {@code host} or {@code host:port}
	 * @param ip the IP address
	 * @return whether the IP was blacklisted
	 */
	public boolean unblacklist(String target, InetAddress ip) {
		return unblacklist(hostFor(target), ip, null);
	}

	/**
	 * Restores a blacklisted IP that another source reports restored (a fleet peer whose re-probe succeeded), and
	 * warms its connections. A host this pool does not serve is ignored.
	 * @param host the host key ({@code host:port})
	 * @param ip the IP address
	 * @param source who reports it, passed on to {@link HotConnPoolListener#ipRestored}
	 * @return whether the IP was blacklisted here
	 */
	public boolean unblacklist(String host, InetAddress ip, String source) {
		HostPool served = this.life.served(host);
		return served != null && unblacklist(served, ip, Objects.requireNonNull(source, "source"));
	}

	private boolean unblacklist(HostPool host, InetAddress ip, String source) {
		List<PooledConnection> toWarm = host.maintenance.unblacklist(ip, source);
		if (toWarm == null) {
			return false;
		}
		toWarm.forEach(this::warm);
		return true;
	}

	/**
	 * Applies a blacklist entry another source reports (a fleet peer saw a 403), as if this pool had seen it: the
	 * IP gets no new leases, its idle connections are closed at once and its leased ones on release, until the
	 * entry expires and the IP is re-probed. An entry for a host or IP this pool does not serve, already expired, or
	 * ending before the IP's current entry changes nothing.
	 * @param host the host key ({@code host:port})
	 * @param ip the IP address
	 * @param reason why, as the source saw it
	 * @param until when the entry expires (wall clock); at most a year ahead, later ends then
	 * @param source who reports it, shown with the entry ({@link BlacklistedIp#source()})
	 * @return whether the entry was applied
	 */
	public boolean blacklist(String host, InetAddress ip, String reason, Instant until, String source) {
		Objects.requireNonNull(until, "until");
		Objects.requireNonNull(source, "source");
		HostPool served = this.life.served(host);
		List<PooledConnection> toClose = (served != null) ? served.maintenance.blacklistFrom(ip, reason, until, source) : null;
		if (toClose == null) {
			return false;
		}
		toClose.forEach(PooledConnection::close);
		return true;
	}

	/**
	 * A snapshot of the pool's statistics; a stopped pool has no hosts, and its counters go on from where they were.
	 * @return the statistics
	 */
	public PoolStats stats() {
		return this.counters.snapshot(this.life.currentHosts().stream().map(HostPool::stats).toList(), tlsSelfTests());
	}

	/**
	 * The fingerprints the start-up self-test captured, one per TLS profile in use (JA4, JA4_r, JA3), the pool-wide
	 * profiles first; also in {@link PoolStats#tlsSelfTests()}.
	 * @return the results; empty when the self-test is off or the pool has not started
	 */
	public List<TlsSelfTest.Result> tlsSelfTests() {
		return this.tlsClients.selfTests();
	}

	/** A copy of the configuration this pool runs on, taken when it was built: changing it changes nothing. */
	public HotConnPoolConfig config() {
		return this.config.copy();
	}

	/**
	 * An OkHttp client with the pool's default TLS material, TLS provider, timeouts and client customizer, for
	 * requests the pool does not serve: it opens connections on demand and keeps none warm.
	 * @return the client
	 */
	public OkHttpClient plainClient() {
		return baseClient(this.config.defaultTls(), this.config.defaultTlsProfiles().get(0));
	}

	/** The name of the TLS provider in use ({@code Conscrypt}, or the JDK's where the fallback is allowed). */
	public String tlsProvider() {
		return this.tlsClients.providerName();
	}

	/**
	 * Builds a {@link HotConnPool}.
	 */
	public static final class Builder {

		private final HotConnPoolConfig config;

		private HostResolver resolver = HostResolver.system();

		private Executor executor;

		private Consumer<OkHttpClient.Builder> clientCustomizer = (builder) -> {
		};

		private MaintenanceScheduler scheduler;

		private final List<HotConnPoolListener> listeners = new ArrayList<>();

		private LeaseObserver leaseObserver;

		private ReprobeGate reprobeGate;

		private Builder(HotConnPoolConfig config) {
			this.config = Objects.requireNonNull(config, "config");
		}

		/**
		 * Sets how host names are resolved (default: the system resolver, every A and AAAA record).
		 * @param resolver the resolver
		 * @return this builder
		 */
		public Builder resolver(HostResolver resolver) {
			this.resolver = Objects.requireNonNull(resolver, "resolver");
			return this;
		}

		/**
		 * Sets the executor that runs blocking work: DNS look-ups and warm-ups (the pool bounds their concurrency
		 * itself, so an unbounded or virtual-thread executor is fine). Default: a cached pool of daemon threads,
		 * owned and shut down by the pool.
		 * @param executor the executor
		 * @return this builder
		 */
		public Builder executor(Executor executor) {
			this.executor = Objects.requireNonNull(executor, "executor");
			return this;
		}

		/**
		 * Sets the observer of the lease API (each acquire's wait, each request on a lease), for tracing.
		 * Default: none.
		 * @param observer the observer
		 * @return this builder
		 */
		public Builder leaseObserver(LeaseObserver observer) {
			this.leaseObserver = Objects.requireNonNull(observer, "observer");
			return this;
		}

		/**
		 * Customises the OkHttp client every connection is built from (interceptors, event listeners). The pool
		 * then applies its TLS context, host-name verifier and socket factory, which cannot be replaced.
		 * @param customizer changes to the client builder
		 * @return this builder
		 */
		public Builder clientCustomizer(Consumer<OkHttpClient.Builder> customizer) {
			this.clientCustomizer = Objects.requireNonNull(customizer, "customizer");
			return this;
		}

		/**
		 * Sets the scheduler of the background tasks (health check, cleanup, blacklist check, DNS update). Default:
		 * a one-thread {@link java.util.concurrent.ScheduledExecutorService} owned and shut down by the pool.
		 * @param scheduler the scheduler
		 * @return this builder
		 */
		public Builder scheduler(MaintenanceScheduler scheduler) {
			this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
			return this;
		}

		/**
		 * Adds a listener for timing and outcome events (metrics).
		 * @param listener the listener
		 * @return this builder
		 */
		public Builder listener(HotConnPoolListener listener) {
			this.listeners.add(Objects.requireNonNull(listener, "listener"));
			return this;
		}

		/**
		 * Sets who decides whether this pool re-probes an expired blacklist entry (default: it always does), such
		 * as a fleet that lets one instance re-probe each IP.
		 * @param gate the gate
		 * @return this builder
		 */
		public Builder reprobeGate(ReprobeGate gate) {
			this.reprobeGate = Objects.requireNonNull(gate, "gate");
			return this;
		}

		/**
		 * Validates the configuration and builds the pool on a copy of it; call {@link HotConnPool#start()} to warm
		 * it.
		 * @return the pool
		 * @throws InvalidSettingException naming the first property of the configuration at fault
		 * @throws io.hotconnpool.tls.TlsProviderUnavailableException when Conscrypt cannot load and the JDK
		 * fallback is not allowed
		 */
		public HotConnPool build() {
			return new HotConnPool(this);
		}

	}

}
