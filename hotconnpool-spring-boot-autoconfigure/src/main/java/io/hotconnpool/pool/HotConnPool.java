package io.hotconnpool.pool;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.hotconnpool.tls.NoDelaySocketFactory;
import io.hotconnpool.tls.TlsContext;
import okhttp3.ConnectionSpec;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;

/**
 * A pool of hot TLS connections: opened, handshaken and validated before anyone needs them, to every IP address of
 * each configured host, each handed to exactly one holder at a time.
 *
 * <pre>{@code
 * HotConnPool pool = HotConnPool.builder(HotConnPoolSettings.builder().host("api.example.com").build()).build();
 * pool.start();                                   // resolves and warms every (IP, slot)
 * try (Response response = pool.execute(request)) { ... }   // acquire, execute, release on close
 * pool.close();
 * }</pre>
 *
 * Thread-safe. See {@link HostPool} for the locking rules: one lock per host, never held across I/O.
 * <p>
 * As a {@link SmartLifecycle} bean it starts in {@link #DEFAULT_PHASE}, below Spring's executors and the web
 * server: it is warm before traffic arrives and closes only after the server has drained.
 */
public final class HotConnPool implements AutoCloseable, SmartLifecycle {

	/**
	 * The default lifecycle phase: below Spring's executors ({@code Integer.MAX_VALUE / 2}) and the web server
	 * ({@code Integer.MAX_VALUE - 2048}), so the pool starts before them and stops after them.
	 */
	public static final int DEFAULT_PHASE = Integer.MAX_VALUE / 2 - 1024;

	private static final Log logger = LogFactory.getLog(HotConnPool.class);

	final HotConnPoolSettings settings;

	final PoolCounters counters = new PoolCounters();

	private final HostResolver resolver;

	private final Executor executor;

	private final ExecutorService ownedExecutor;

	private final Warmer warmer;

	private final Consumer<OkHttpClient.Builder> clientCustomizer;

	/** One base client per TLS material: connections derive their pinned clients from it. */
	private final Map<TlsMaterial, OkHttpClient> baseClients = new ConcurrentHashMap<>();

	private final TlsContext defaultTls;

	private final Map<String, HostPool> hosts = new ConcurrentHashMap<>();

	private final AtomicLong connectionIds = new AtomicLong();

	private final AtomicBoolean started = new AtomicBoolean();

	private final AtomicBoolean closed = new AtomicBoolean();

	private final int phase;

	private HotConnPool(Builder builder) {
		this.settings = builder.settings;
		this.phase = builder.phase;
		this.resolver = builder.resolver;
		this.ownedExecutor = (builder.executor != null) ? null : Executors.newCachedThreadPool(daemonThreads());
		this.executor = (builder.executor != null) ? builder.executor : this.ownedExecutor;
		this.warmer = new Warmer(this.executor, this.settings.warmUpConcurrency());
		this.clientCustomizer = builder.clientCustomizer;
		this.defaultTls = tlsContext(this.settings.defaultTls());
		// Built now so that bad trust material or a missing TLS provider fails at start, not at first use.
		this.settings.hosts().forEach((host) -> baseClient(host.tls()));
	}

	private TlsContext tlsContext(TlsMaterial material) {
		return TlsContext.create(material.trustStore(), material.keyManagers(), this.settings.tlsHandshakeTimeout(),
				this.settings.allowJdkTlsFallback());
	}

	OkHttpClient baseClient(TlsMaterial material) {
		return this.baseClients.computeIfAbsent(material,
				(key) -> newBaseClient(this.settings, tlsContext(key), this.clientCustomizer));
	}

	private static OkHttpClient newBaseClient(HotConnPoolSettings settings, TlsContext tls,
			Consumer<OkHttpClient.Builder> customizer) {
		OkHttpClient.Builder builder = new OkHttpClient.Builder().connectTimeout(settings.connectTimeout())
			.readTimeout(settings.readTimeout())
			.writeTimeout(settings.writeTimeout())
			.callTimeout(settings.callTimeout())
			// Failures must reach the pool, which retires the connection; a redirect elsewhere is the caller's.
			.retryOnConnectionFailure(false)
			.followRedirects(false)
			.followSslRedirects(false)
			.protocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1))
			// Exactly one spec: a fallback spec would add TLS_FALLBACK_SCSV and change the fingerprint.
			.connectionSpecs(List.of(ConnectionSpec.MODERN_TLS));
		customizer.accept(builder);
		// Applied after the customizer: TLS verification and TCP_NODELAY are not negotiable.
		return builder.socketFactory(new NoDelaySocketFactory())
			.sslSocketFactory(tls.socketFactory(), tls.trustManager())
			.build();
	}

	private static ThreadFactory daemonThreads() {
		AtomicInteger count = new AtomicInteger();
		return (task) -> {
			Thread thread = new Thread(task, "hotconnpool-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	/**
	 * Starts building a pool.
	 * @param settings what to keep warm
	 * @return a builder
	 */
	public static Builder builder(HotConnPoolSettings settings) {
		return new Builder(settings);
	}

	/**
	 * Resolves every configured host and warms every (IP, slot), at most {@code warm-up.concurrency} at once,
	 * waiting up to {@code warm-up.timeout}; warming goes on in the background past it. Logs one line per host.
	 * @throws PoolClosedException when the pool was closed
	 */
	@Override
	public void start() {
		if (this.closed.get()) {
			throw closedException();
		}
		if (!this.started.compareAndSet(false, true)) {
			return;
		}
		long startNanos = System.nanoTime();
		List<HostPool> configured = this.settings.hosts()
			.stream()
			.map((host) -> this.hosts.computeIfAbsent(host.key(), (key) -> new HostPool(this, host)))
			.toList();
		CompletableFuture<?>[] warmUps = configured.stream().map(this::resolveAndWarm).toArray(CompletableFuture[]::new);
		try {
			CompletableFuture.allOf(warmUps).get(this.settings.warmUpTimeout().toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			logger.warn("hotconnpool warm-up did not finish within " + this.settings.warmUpTimeout()
					+ "; it goes on in the background");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException ex) {
			logger.error("hotconnpool warm-up failed", ex.getCause());
		}
		long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
		configured.forEach((host) -> logWarmth(host, millis));
	}

	private void logWarmth(HostPool host, long millis) {
		HostStats stats = host.stats();
		long warmIps = stats.connections()
			.stream()
			.filter((c) -> c.state() == ConnectionState.IDLE || c.state() == ConnectionState.LEASED)
			.map(ConnectionStats::ip)
			.distinct()
			.count();
		int warm = stats.idle() + stats.leased();
		String line = "hotconnpool warmed " + host.key() + ": " + warmIps + " of " + stats.addresses().size()
				+ " IPs, " + warm + " of " + stats.warmTarget() + " connections in " + millis + " ms";
		if (warm < stats.warmTarget()) {
			String failure = host.lastFailure();
			logger.warn(line + ((failure != null) ? "; last failure: " + failure : ""));
		}
		else {
			logger.info(line);
		}
	}

	/** Resolves the host (with a deadline) and warms its missing slots; completes when those warm-ups end. */
	private CompletableFuture<Void> resolveAndWarm(HostPool host) {
		return resolve(host).thenCompose((addresses) -> {
			List<CompletableFuture<Boolean>> warmUps = host.updateAddresses(addresses).stream().map(this::warm).toList();
			return CompletableFuture.allOf(warmUps.toArray(CompletableFuture[]::new));
		});
	}

	private CompletableFuture<List<InetAddress>> resolve(HostPool host) {
		String name = host.settings.host();
		if (!host.settings.dnsEnabled()) {
			return CompletableFuture.completedFuture(List.of());
		}
		return CompletableFuture.supplyAsync(() -> {
			try {
				return this.resolver.resolve(name);
			}
			catch (UnknownHostException ex) {
				throw new UncheckedIOException(ex);
			}
		}, this.executor)
			.orTimeout(this.settings.resolveTimeout().toNanos(), TimeUnit.NANOSECONDS)
			.exceptionally((failure) -> {
				logger.warn("hotconnpool could not resolve " + name + " within " + this.settings.resolveTimeout()
						+ ": " + failure + "; keeping its static and last known addresses");
				return List.of();
			});
	}

	PooledConnection newConnection(HostPool host, InetAddress ip, int slot) {
		this.counters.connectionsCreated.increment();
		return new PooledConnection(this.connectionIds.incrementAndGet(), host, ip, slot, host.baseClient);
	}

	/** Opens and validates the connection in the background. */
	CompletableFuture<Boolean> warm(PooledConnection connection) {
		CompletableFuture<Boolean> result = new CompletableFuture<>();
		this.warmer.submit(() -> result.complete(runWarmUp(connection)));
		return result;
	}

	private boolean runWarmUp(PooledConnection connection) {
		HostPool host = connection.host;
		if (connection.state != ConnectionState.WARMING) {
			return false;
		}
		try {
			int status = connection.probe(host.probeRequest, this.settings.probeTimeout());
			if (host.settings.blacklistStatuses().contains(status)) {
				host.warmFailed(connection, RetireReason.BLACKLISTED, "probe answered " + status + " on " + connection);
				return false;
			}
			if (!host.settings.probeSuccessStatuses().contains(status)) {
				host.warmFailed(connection, RetireReason.UNHEALTHY, "probe answered " + status + " on " + connection);
				return false;
			}
			if (!connection.isPhysicallyIdle()) {
				host.warmFailed(connection, RetireReason.BROKEN,
						"the server closed " + connection + " after the probe (Connection: close?)");
				return false;
			}
			return host.warmed(connection);
		}
		catch (IOException ex) {
			host.warmFailed(connection, RetireReason.BROKEN, ex + " on " + connection);
			return false;
		}
	}

	/**
	 * Leases a connection to the host, waiting up to the pool's {@code acquire-timeout}.
	 * @param target {@code host} or {@code host:port}
	 * @return the lease; close it to give the connection back
	 * @throws AcquireTimeoutException when no connection became free in time
	 * @throws PoolClosedException when the pool is closed
	 * @throws HostNotConfiguredException when the host is not served
	 * @throws InterruptedException when the waiting thread is interrupted
	 */
	public HotConnection acquire(String target) throws InterruptedException {
		return acquire(target, this.settings.acquireTimeout());
	}

	/**
	 * Leases a connection to the host, waiting up to the given timeout.
	 * @param target {@code host} or {@code host:port}
	 * @param timeout how long to wait for a free connection; zero means only an idle one right now
	 * @return the lease; close it to give the connection back
	 * @throws AcquireTimeoutException when no connection became free in time
	 * @throws PoolClosedException when the pool is closed
	 * @throws HostNotConfiguredException when the host is not served
	 * @throws IllegalArgumentException when the target is blank or malformed or the timeout negative
	 * @throws InterruptedException when the waiting thread is interrupted
	 */
	public HotConnection acquire(String target, Duration timeout) throws InterruptedException {
		Objects.requireNonNull(timeout, "timeout");
		if (timeout.isNegative()) {
			throw new IllegalArgumentException("Acquire timeout must not be negative, was " + timeout);
		}
		HostPool host = hostFor(target);
		PooledConnection connection = host.acquire(timeout.toNanos());
		if (connection == null) {
			this.counters.acquireTimeouts.increment();
			HostStats stats = host.stats();
			String failure = host.lastFailure();
			throw new AcquireTimeoutException("No connection to " + stats.summary() + " became free within "
					+ timeout + ((failure != null) ? "; last connection failure: " + failure : ""), stats);
		}
		return new HotConnection(this, connection);
	}

	private HostPool hostFor(String target) {
		if (target == null || target.isBlank()) {
			throw new IllegalArgumentException("Host must not be null or blank");
		}
		if (this.closed.get()) {
			throw closedException();
		}
		if (!this.started.get()) {
			throw new IllegalStateException("hotconnpool is not started: call start() first");
		}
		HostSettings.HostAndPort parsed = HostSettings.parseTarget(target);
		String key = HostSettings.key(parsed.host(), parsed.port());
		HostPool host = this.hosts.get(key);
		if (host != null) {
			return host;
		}
		if (this.settings.unknownHosts() == UnknownHostPolicy.REFUSE) {
			throw new HostNotConfiguredException("Host " + key + " is not configured: add it under hotconnpool.hosts,"
					+ " or set hotconnpool.unknown-hosts=warm-on-first-use");
		}
		HostPool[] created = new HostPool[1];
		host = this.hosts.computeIfAbsent(key, (unused) -> {
			if (this.hosts.size() >= this.settings.maxHosts()) {
				throw new HostNotConfiguredException("Host " + key + " is not configured and hotconnpool already"
						+ " serves hotconnpool.max-hosts=" + this.settings.maxHosts() + " hosts");
			}
			created[0] = new HostPool(this, this.settings.settingsForUnknownHost(parsed.host(), parsed.port()));
			return created[0];
		});
		if (host == created[0]) {
			resolveAndWarm(host);
		}
		return host;
	}

	/**
	 * Acquires a connection to the request's host, executes the request and gives the connection back when the
	 * response body is closed (or read to its end).
	 * @param request an https request
	 * @return the response; close it
	 * @throws IOException when the exchange fails, or as {@link InterruptedIOException} when interrupted while
	 * waiting for a connection
	 */
	public Response execute(Request request) throws IOException {
		HotConnection lease;
		try {
			lease = acquire(request.url().host() + ":" + request.url().port());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while waiting for a connection to " + request.url().host());
		}
		try {
			Response response = lease.execute(request);
			return response.newBuilder().body(new LeaseReleasingBody(response.body(), lease)).build();
		}
		catch (IOException | RuntimeException ex) {
			lease.close();
			throw ex;
		}
	}

	/**
	 * Warms the host's missing connections now (after a forced cleanup, or for an unknown host ahead of use).
	 * @param target {@code host} or {@code host:port}
	 * @return completes when the warm-ups end
	 */
	public CompletableFuture<Void> warmUp(String target) {
		HostPool host = hostFor(target);
		return CompletableFuture.allOf(host.fill().stream().map(this::warm).toArray(CompletableFuture[]::new));
	}

	/**
	 * Closes and removes every connection, leased ones too (their holders get a {@link ConnectionRetiredException}
	 * on next use), then warms every host again unless the pool is closed.
	 * @return the number of connections closed
	 */
	public int forceCleanup() {
		int count = 0;
		for (HostPool host : this.hosts.values()) {
			List<PooledConnection> retired = host.retireAll(RetireReason.FORCED, false);
			retired.forEach(PooledConnection::close);
			count += retired.size();
			host.fill().forEach(this::warm);
		}
		logger.info("hotconnpool force cleanup closed " + count + " connections");
		return count;
	}

	/**
	 * A snapshot of the pool's statistics.
	 * @return the statistics
	 */
	public PoolStats stats() {
		List<HostStats> hostStats = this.hosts.values().stream().map(HostPool::stats).toList();
		int total = 0;
		int leased = 0;
		int idle = 0;
		int warming = 0;
		int healthy = 0;
		int waiting = 0;
		for (HostStats host : hostStats) {
			total += host.total();
			leased += host.leased();
			idle += host.idle();
			warming += host.warming();
			healthy += host.healthy();
			waiting += host.waiting();
		}
		long requests = this.counters.totalRequests.sum();
		long failed = this.counters.failedRequests.sum();
		double successRate = (requests == 0) ? 1.0 : 1.0 - (double) failed / requests;
		return new PoolStats(total, leased, idle, warming, healthy, waiting, requests, failed, successRate,
				this.counters.hotHits.sum(), this.counters.handshakes.sum(), this.counters.connectionsCreated.sum(),
				this.counters.newConnectionsFromDns.sum(), this.counters.acquireTimeouts.sum(),
				this.counters.retiredByReason(), hostStats);
	}

	/** The settings this pool was built from. */
	public HotConnPoolSettings settings() {
		return this.settings;
	}

	/**
	 * An OkHttp client with the pool's default TLS material, TLS provider, timeouts and client customizer, for
	 * requests the pool does not serve: it opens connections on demand and keeps none warm.
	 * @return the client
	 */
	public OkHttpClient plainClient() {
		return baseClient(this.settings.defaultTls());
	}

	/** The name of the TLS provider in use ({@code Conscrypt}, or the JDK's where the fallback is allowed). */
	public String tlsProvider() {
		return this.defaultTls.providerName();
	}

	/** Whether {@link #close()} has been called. */
	public boolean isClosed() {
		return this.closed.get();
	}

	@Override
	public boolean isRunning() {
		return this.started.get() && !this.closed.get();
	}

	@Override
	public int getPhase() {
		return this.phase;
	}

	/** Closes the pool; see {@link #close()}. A stopped pool cannot start again. */
	@Override
	public void stop() {
		close();
	}

	/**
	 * Refuses new acquires with {@link PoolClosedException}, wakes waiters with it, and closes every connection,
	 * leased ones too. Idempotent.
	 * @throws IllegalStateException carrying the first error of closing a connection, the others suppressed
	 */
	@Override
	public void close() {
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		List<PooledConnection> retired = new ArrayList<>();
		this.hosts.values().forEach((host) -> retired.addAll(host.retireAll(RetireReason.CLOSED, true)));
		RuntimeException failure = null;
		for (PooledConnection connection : retired) {
			try {
				connection.close();
			}
			catch (RuntimeException ex) {
				if (failure == null) {
					failure = new IllegalStateException("Closing hotconnpool connections failed", ex);
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		if (this.ownedExecutor != null) {
			this.ownedExecutor.shutdownNow();
		}
		logger.info("hotconnpool closed " + retired.size() + " connections");
		if (failure != null) {
			throw failure;
		}
	}

	PoolClosedException closedException() {
		return new PoolClosedException("hotconnpool is closed: it hands out no more connections");
	}

	/**
	 * Builds a {@link HotConnPool}.
	 */
	public static final class Builder {

		private final HotConnPoolSettings settings;

		private HostResolver resolver = HostResolver.system();

		private Executor executor;

		private Consumer<OkHttpClient.Builder> clientCustomizer = (builder) -> {
		};

		private int phase = DEFAULT_PHASE;

		private Builder(HotConnPoolSettings settings) {
			this.settings = Objects.requireNonNull(settings, "settings");
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
		 * Customises the OkHttp client every connection is built from (interceptors, event listeners). The pool
		 * then applies its TLS context and socket factory, which cannot be replaced.
		 * @param customizer changes to the client builder
		 * @return this builder
		 */
		public Builder clientCustomizer(Consumer<OkHttpClient.Builder> customizer) {
			this.clientCustomizer = Objects.requireNonNull(customizer, "customizer");
			return this;
		}

		/**
		 * Sets the {@link SmartLifecycle} phase (default {@link HotConnPool#DEFAULT_PHASE}).
		 * @param phase the phase
		 * @return this builder
		 */
		public Builder phase(int phase) {
			this.phase = phase;
			return this;
		}

		/**
		 * Builds the pool; call {@link HotConnPool#start()} to warm it.
		 * @return the pool
		 * @throws io.hotconnpool.tls.TlsProviderUnavailableException when Conscrypt cannot load and the JDK
		 * fallback is not allowed
		 */
		public HotConnPool build() {
			return new HotConnPool(this);
		}

	}

	/** Gives the lease back when the body is closed, however it is closed (string(), bytes(), a stream). */
	private static final class LeaseReleasingBody extends ResponseBody {

		private final ResponseBody delegate;

		private final BufferedSource source;

		LeaseReleasingBody(ResponseBody delegate, HotConnection lease) {
			this.delegate = delegate;
			this.source = Okio.buffer(new ForwardingSource(delegate.source()) {
				@Override
				public void close() throws IOException {
					try {
						super.close();
					}
					finally {
						lease.close();
					}
				}
			});
		}

		@Override
		public MediaType contentType() {
			return this.delegate.contentType();
		}

		@Override
		public long contentLength() {
			return this.delegate.contentLength();
		}

		@Override
		public BufferedSource source() {
			return this.source;
		}

	}

}
