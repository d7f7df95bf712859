package io.hotconnpool.pool;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.hotconnpool.tls.NoDelaySocketFactory;
import io.hotconnpool.tls.TlsContext;
import io.hotconnpool.tls.TlsProfile;
import io.hotconnpool.tls.TlsSelfTest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

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

	final HotConnPoolConfig config;

	final PoolCounters counters = new PoolCounters();

	final Listeners listeners;

	/** Observes the lease API for tracing; {@code null} when none is set. */
	final LeaseObserver leaseObserver;

	/** Who may re-probe an expired blacklist entry; {@code null}: this pool, always. */
	private final ReprobeGate reprobeGate;

	private final HostResolver resolver;

	private final Executor executor;

	private final ExecutorService ownedExecutor;

	private final Warmer warmer;

	private final Consumer<OkHttpClient.Builder> clientCustomizer;

	/** One base client per TLS material and profile: connections derive their pinned clients from it. */
	private final Map<TlsSetup, OkHttpClient> baseClients = new ConcurrentHashMap<>();

	private final TlsContext defaultTls;

	private volatile List<TlsSelfTest.Result> tlsSelfTests = List.of();

	private final Map<String, HostPool> hosts = new ConcurrentHashMap<>();

	/** Targets as callers write them ("api.example.com") → host: spares the hot path parsing. Bounded. */
	private final Map<String, HostPool> hostsByTarget = new ConcurrentHashMap<>();

	private final AtomicLong connectionIds = new AtomicLong();

	private final AtomicBoolean started = new AtomicBoolean();

	private final AtomicBoolean closed = new AtomicBoolean();

	private final int phase;

	/** Whether leases are watched for leaks: only then does acquire keep the lease. */
	final boolean detectsLeaks;

	/** {@code keep-alive.alive-bypass-window}: connections used more recently are leased without a liveness check. */
	final long aliveBypassNanos;

	/** Whether a leak report has carried the acquirer's stack trace: only the first does, at WARN. */
	private final AtomicBoolean leakTraceLogged = new AtomicBoolean();

	private final Maintenance maintenance;

	private final ThreadPoolTaskScheduler ownedScheduler;

	private HotConnPool(Builder builder) {
		this.config = builder.config;
		this.phase = builder.phase;
		this.detectsLeaks = !this.config.getLeakDetectionThreshold().isZero();
		this.aliveBypassNanos = this.config.getKeepAlive().getAliveBypassWindow().toNanos();
		this.listeners = new Listeners(builder.listeners);
		this.reprobeGate = builder.reprobeGate;
		this.ownedScheduler = (builder.scheduler != null) ? null : defaultScheduler();
		this.maintenance = new Maintenance((builder.scheduler != null) ? builder.scheduler : this.ownedScheduler);
		this.resolver = builder.resolver;
		this.ownedExecutor = (builder.executor != null) ? null : Executors.newCachedThreadPool(daemonThreads());
		this.executor = (builder.executor != null) ? builder.executor : this.ownedExecutor;
		this.warmer = new Warmer(this.executor, this.config.getWarmUp().getConcurrency());
		this.clientCustomizer = builder.clientCustomizer;
		this.leaseObserver = builder.leaseObserver;
		TlsSetup defaults = new TlsSetup(this.config.defaultTls(), TlsProfile.defaultProfile());
		this.defaultTls = defaults.context(this.config);
		// Built now so that bad trust material, a profile the stack cannot produce (strict mode) or a missing TLS
		// provider fails at start, not at first use.
		this.config.defaultTlsProfiles().forEach((profile) -> baseClient(this.config.defaultTls(), profile));
		this.config.hostSettings()
			.forEach((host) -> host.tlsProfiles().forEach((profile) -> baseClient(host.tls(), profile)));
	}

	OkHttpClient baseClient(TlsMaterial material, TlsProfile profile) {
		return this.baseClients.computeIfAbsent(new TlsSetup(material, profile),
				(setup) -> newBaseClient(this.config, setup, setup.context(this.config), this.clientCustomizer));
	}

	private static OkHttpClient newBaseClient(HotConnPoolConfig config, TlsSetup setup, TlsContext tls,
			Consumer<OkHttpClient.Builder> customizer) {
		OkHttpClient.Builder builder = new OkHttpClient.Builder().connectTimeout(config.getConnectTimeout())
			.readTimeout(config.getReadTimeout())
			.writeTimeout(config.getWriteTimeout())
			.callTimeout(config.getCallTimeout())
			// Failures must reach the pool, which retires the connection; a redirect elsewhere is the caller's.
			.retryOnConnectionFailure(false)
			.followRedirects(false)
			.followSslRedirects(false);
		customizer.accept(builder);
		// Applied after the customizer: the profile's one ConnectionSpec, protocols and verifying TLS context,
		// and TCP_NODELAY, are not negotiable.
		return setup.profile().configure(builder, tls, config.getTls().isStrict())
			.socketFactory(new NoDelaySocketFactory())
			.build();
	}

	/** The TLS material and profile a base client is built from. */
	private record TlsSetup(TlsMaterial material, TlsProfile profile) {

		TlsContext context(HotConnPoolConfig config) {
			return TlsContext.create(this.profile, this.material.trustStore(), this.material.keyManagers(),
					config.getTlsHandshakeTimeout(), config.getTls().isAllowJdkFallback());
		}

	}

	/**
	 * Captures, on loopback, the ClientHello each TLS profile in use sends, and logs its fingerprint; a client built
	 * exactly as the pool builds them, with a fresh TLS context so no session is resumed.
	 */
	private void runTlsSelfTests() {
		// Each profile once, whatever trust material it runs with: the ClientHello does not depend on it. The
		// pool-wide profiles come first when hosts warmed on first use take them.
		Set<TlsProfile> profiles = new LinkedHashSet<>();
		if (this.config.getUnknownHosts() == UnknownHostPolicy.WARM_ON_FIRST_USE) {
			profiles.addAll(this.config.defaultTlsProfiles());
		}
		this.config.hostSettings().forEach((host) -> profiles.addAll(host.tlsProfiles()));
		List<TlsSelfTest.Result> results = new ArrayList<>();
		for (TlsProfile profile : profiles) {
			TlsSetup fresh = new TlsSetup(TlsMaterial.SYSTEM, profile);
			// No customizer: the profile is applied after it, so it cannot change the ClientHello.
			OkHttpClient client = newBaseClient(this.config, fresh, fresh.context(this.config), (builder) -> {
			});
			results.add(TlsSelfTest.run(profile, client, this.config.getProbeTimeout())); // logs its outcome
		}
		this.tlsSelfTests = List.copyOf(results);
	}

	/**
	 * The fingerprints the start-up self-test captured, one per TLS profile in use (JA4, JA4_r, JA3), the pool-wide
	 * profiles first; also in {@link PoolStats#tlsSelfTests()}.
	 * @return the results; empty when the self-test is off or the pool has not started
	 */
	public List<TlsSelfTest.Result> tlsSelfTests() {
		return this.tlsSelfTests;
	}

	private static ThreadPoolTaskScheduler defaultScheduler() {
		ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
		scheduler.setPoolSize(1);
		scheduler.setThreadNamePrefix("hotconnpool-maintenance-");
		scheduler.setDaemon(true);
		scheduler.initialize();
		return scheduler;
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
	 * @param config what to keep warm; building the pool {@link HotConnPoolConfig#seal() seals} it
	 * @return a builder
	 */
	public static Builder builder(HotConnPoolConfig config) {
		return new Builder(config);
	}

	/**
	 * Resolves every configured host, warms every (IP, slot), at most {@code warm-up.concurrency} at once, and
	 * schedules the background tasks. In {@link WarmUpMode#BLOCKING} mode it waits up to {@code warm-up.timeout}
	 * (warming goes on in the background past it) and logs one line per host.
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
		if (this.config.hostSettings().isEmpty()) {
			// Allowed (unknown hosts are warmed on first use), but the starter's promise does not hold: say so once.
			logger.warn("hotconnpool has no hosts (hotconnpool.hosts is empty): no connection is warm before"
					+ " traffic; each host is warmed on its first use, so its first requests open connections."
					+ " List the hosts you call under hotconnpool.hosts to have them hot.");
		}
		List<HostPool> configured = this.config.hostSettings()
			.stream()
			.map((host) -> this.hosts.computeIfAbsent(host.key(), (key) -> new HostPool(this, host)))
			.toList();
		CompletableFuture<?>[] warmUps = configured.stream().map(this::resolveAndWarm).toArray(CompletableFuture[]::new);
		scheduleMaintenance();
		if (this.config.getTls().isSelfTest()) {
			runTlsSelfTests();
		}
		if (this.config.getWarmUp().getMode() == WarmUpMode.BACKGROUND) {
			return;
		}
		try {
			CompletableFuture.allOf(warmUps).get(this.config.getWarmUp().getTimeout().toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			logger.warn("hotconnpool warm-up did not finish within " + this.config.getWarmUp().getTimeout()
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

	private void scheduleMaintenance() {
		this.maintenance.schedule("health check", this.config.getHealthCheckInterval(), this::checkHealth);
		this.maintenance.schedule("cleanup", this.config.getCleanupInterval(), this::cleanUp);
		this.maintenance.schedule("keep-alive check", this.config.getKeepAlive().getCheckInterval(),
				this::checkKeepAlive);
		this.maintenance.schedule("blacklist check", this.config.getBlacklist().getCheckInterval(),
				this::checkBlacklist);
		this.maintenance.schedule("DNS update", this.config.getDnsUpdateInterval(), this::updateDns);
		Duration leakThreshold = this.config.getLeakDetectionThreshold();
		if (!leakThreshold.isZero()) {
			this.maintenance.schedule("leak detection", leakThreshold.dividedBy(2), this::detectLeaks);
		}
	}

	/**
	 * Reports, once each, leases held past the leak detection threshold: one line per lease, with the acquirer's
	 * stack trace for the first report of the pool's life, at DEBUG for later ones, so that a holder that is merely
	 * slow costs one line, not a stack trace per request.
	 */
	void detectLeaks() {
		long threshold = this.config.getLeakDetectionThreshold().toNanos();
		long now = System.nanoTime();
		for (HostPool host : this.hosts.values()) {
			for (HotConnection lease : host.maintenance.leasedLongerThan(threshold, now)) {
				if (lease.markLeakReported()) {
					long held = now - lease.leasedAtNanos();
					this.counters.leaksDetected.increment();
					String line = "hotconnpool " + lease + " has been held for " + Duration.ofNanos(held).toMillis()
							+ " ms without being closed (leak-detection-threshold "
							+ this.config.getLeakDetectionThreshold().toMillis() + " ms): a leak, or a slow holder?";
					if (this.leakTraceLogged.compareAndSet(false, true)) {
						logger.warn(line + " Acquired at (later reports log this trace at DEBUG):", lease.acquiredAt());
					}
					else {
						logger.warn(line);
						logger.debug(lease + " was acquired at:", lease.acquiredAt());
					}
					String ip = lease.ip().getHostAddress();
					this.listeners.fire((listener) -> listener.leakDetected(host.key(), ip, held));
				}
			}
		}
	}

	/**
	 * Probes idle connections not used for a while (reserved first, never leased ones) and refills missing slots. A
	 * host whose keep-alive timeout is known has its connections probed after half of it, if that is sooner.
	 */
	void checkHealth() {
		long threshold = this.config.getHealthCheckIdleThreshold().toNanos();
		for (HostPool host : this.hosts.values()) {
			if (this.closed.get()) {
				return;
			}
			long revalidate = host.keepAlive.revalidateAfterNanos(System.nanoTime());
			host.maintenance.reserveForHealthCheck(Math.min(threshold, revalidate), System.nanoTime()).forEach(this::warm);
			host.maintenance.fill().forEach(this::warm);
		}
	}

	/**
	 * Keeps idle connections short of their servers' keep-alive timeout. Where it is known, connections idle for half
	 * of it are re-probed: the probe starts the server's idle timer again, so spares stay open, and one the server
	 * closed all the same is replaced in the background. Where it is not, idle HTTP/1.1 connections get a liveness
	 * check (a read of at most 1 ms, no request) at growing idle times, so that a close is found, replaced and
	 * learned from before a caller meets it; HTTP/2 connections report a close by themselves.
	 */
	void checkKeepAlive() {
		long maxIdle = this.config.getHealthCheckIdleThreshold().toNanos();
		for (HostPool host : this.hosts.values()) {
			if (this.closed.get()) {
				return;
			}
			long revalidate = host.keepAlive.revalidateAfterNanos(System.nanoTime());
			if (revalidate != Long.MAX_VALUE) {
				host.maintenance.reserveForHealthCheck(revalidate, System.nanoTime()).forEach(this::warm);
			}
			else {
				host.maintenance.reserveForLivenessCheck(maxIdle, System.nanoTime()).forEach(this::checkLiveness);
			}
		}
	}

	/** Checks a reserved idle connection for a close by its server, in the background, without sending anything. */
	private void checkLiveness(PooledConnection connection) {
		HostPool host = connection.host;
		this.warmer.submit(() -> {
			long idle = connection.idleNanos(System.nanoTime());
			if (connection.isAlive()) {
				host.keepAlive.stayedOpen(idle);
				host.maintenance.livenessChecked(connection, idle);
			}
			else {
				apply(host.leases.retireClosedByServer(connection));
			}
		});
	}

	/** Retires expired and surplus idle connections and warms replacements. */
	void cleanUp() {
		long idleTimeout = this.config.getIdleTimeout().toNanos();
		for (HostPool host : this.hosts.values()) {
			if (this.closed.get()) {
				return;
			}
			apply(host.maintenance.cleanUp(idleTimeout, System.nanoTime()));
		}
	}

	/**
	 * Re-probes blacklisted IPs whose entry expired, over a fresh connection each, where the re-probe gate allows
	 * (a gate that fails allows).
	 */
	void checkBlacklist() {
		for (HostPool host : this.hosts.values()) {
			for (InetAddress ip : host.maintenance.expiredBlacklistings(System.nanoTime())) {
				if (this.closed.get()) {
					return;
				}
				if (this.reprobeGate == null) {
					reprobe(host, ip);
					continue;
				}
				this.reprobeGate.mayReprobe(host.key(), ip.getHostAddress()).whenComplete((allowed, failure) -> {
					if (failure != null || Boolean.TRUE.equals(allowed)) {
						reprobe(host, ip);
					}
				});
			}
		}
	}

	private void reprobe(HostPool host, InetAddress ip) {
		PooledConnection probe = host.maintenance.reprobe(ip, System.nanoTime());
		if (probe != null) {
			warm(probe);
		}
	}

	/** Resolves every host again: new IPs are warmed, vanished ones drained; a failed look-up changes nothing. */
	void updateDns() {
		for (HostPool host : this.hosts.values()) {
			if (this.closed.get()) {
				return;
			}
			if (host.settings.dnsEnabled()) {
				resolve(host).thenAccept((resolved) -> {
					if (resolved != null && !this.closed.get()) {
						apply(host.maintenance.updateAddresses(resolved, true));
					}
				}).join();
			}
		}
	}

	/** Closes what a host decided to close and warms what it decided to warm, outside its lock. */
	void apply(HostPool.Changes changes) {
		changes.toClose().forEach(PooledConnection::close);
		changes.toWarm().forEach(this::warm);
	}

	/**
	 * The socket of a connection closed: an idle one is retired and replaced off the closing thread, which is
	 * OkHttp's (HTTP/2 reader) and may hold its locks. A leased or probing one is judged when it comes back.
	 */
	void socketClosed(PooledConnection connection) {
		if (connection.state == ConnectionState.RETIRED || this.closed.get()) {
			return; // closed by the pool itself
		}
		try {
			this.executor.execute(() -> apply(connection.host.maintenance.retireIfSocketClosed(connection)));
		}
		catch (RejectedExecutionException ex) {
			// the pool is stopping, or the executor is saturated: acquire never hands the connection out anyway
		}
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
		return resolve(host).thenCompose((resolved) -> {
			HostPool.Changes changes = host.maintenance.updateAddresses((resolved != null) ? resolved : List.of(), false);
			changes.toClose().forEach(PooledConnection::close);
			return CompletableFuture.allOf(changes.toWarm().stream().map(this::warm).toArray(CompletableFuture[]::new));
		});
	}

	/** The host's addresses from the resolver, or {@code null} when the look-up failed or timed out. */
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
			.orTimeout(this.config.getResolveTimeout().toNanos(), TimeUnit.NANOSECONDS)
			.handle((resolved, failure) -> {
				host.maintenance.resolved(failure);
				return (failure != null) ? null : resolved;
			});
	}

	PooledConnection newConnection(HostPool host, InetAddress ip, int slot) {
		this.counters.connectionsCreated.increment();
		int profile = host.nextProfileIndex();
		return new PooledConnection(this.connectionIds.incrementAndGet(), host, ip, slot, host.baseClient(profile),
				host.settings.tlsProfiles().get(profile).id());
	}

	/** Opens and validates the connection (or probes a reserved one) in the background. */
	CompletableFuture<Boolean> warm(PooledConnection connection) {
		CompletableFuture<Boolean> result = new CompletableFuture<>();
		this.warmer.submit(() -> result.complete(probe(connection)));
		return result;
	}

	private boolean probe(PooledConnection connection) {
		HostPool host = connection.host;
		if (connection.state == ConnectionState.RETIRED) {
			apply(host.maintenance.probeSkipped(connection));
			return false;
		}
		long start = System.nanoTime();
		boolean healthy = false;
		try {
			if (connection.state == ConnectionState.RESERVED) {
				// An idle connection its server closed is no failure of its IP: it is replaced, and teaches the timeout.
				long idle = connection.idleNanos(start);
				if (!connection.isAlive()) {
					apply(host.leases.retireClosedByServer(connection));
					return false;
				}
				host.keepAlive.stayedOpen(idle);
			}
			int status = connection.probe(host.probeRequest, this.config.getProbeTimeout());
			String outcome = "probe answered " + status + " on " + connection;
			if (host.settings.blacklistStatuses().contains(status)) {
				apply(host.maintenance.probeFailed(connection, RetireReason.BLACKLISTED, outcome,
						"status " + status + " on probe " + host.probeRequest.method() + " " + host.settings.probePath()));
				return false;
			}
			if (!host.settings.probeSuccessStatuses().contains(status)) {
				apply(host.maintenance.probeFailed(connection, RetireReason.UNHEALTHY, outcome, null));
				return false;
			}
			if (!connection.survivedExchange()) {
				apply(host.maintenance.probeFailed(connection, RetireReason.BROKEN,
						"the server closed " + connection + " after the probe (Connection: close?)", null));
				return false;
			}
			boolean newFromDns = connection.takeFoundByDns();
			apply(host.maintenance.probeSucceeded(connection, connection.speaksHttp2()));
			healthy = connection.state != ConnectionState.RETIRED;
			if (newFromDns && healthy) {
				this.counters.newConnectionsFromDns.increment();
			}
			return healthy;
		}
		catch (IOException ex) {
			apply(host.maintenance.probeFailed(connection, RetireReason.BROKEN, ex + " on " + connection, null));
			return false;
		}
		finally {
			long nanos = System.nanoTime() - start;
			boolean outcome = healthy;
			this.listeners.fire((listener) -> listener.probeEnded(host.key(), connection.ip.getHostAddress(), nanos, outcome));
		}
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
	public HotConnection acquire(String target) throws InterruptedException {
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
	public HotConnection acquire(String target, Duration timeout) throws InterruptedException {
		return acquire(target, timeout, null, false);
	}

	/**
	 * Leases a whole connection to the host, waiting up to the pool's {@code acquire-timeout}: no other lease
	 * shares it until it is closed, on HTTP/2 too (the Go pool's contract). For callers that need the connection to
	 * themselves, such as one TLS session or one server-side connection for a sequence of requests.
	 * @param target {@code host} or {@code host:port}
	 * @return the lease; close it to give the connection back
	 * @throws AcquireTimeoutException when no connection became free in time
	 * @throws PoolClosedException when the pool is closed
	 * @throws HostNotConfiguredException when the host is not served
	 * @throws InterruptedException when the waiting thread is interrupted
	 */
	public HotConnection acquireExclusive(String target) throws InterruptedException {
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
	public HotConnection acquireExclusive(String target, Duration timeout) throws InterruptedException {
		return acquire(target, timeout, null, true);
	}

	/**
	 * Acquires, preferring a connection to another IP than {@code avoid} when there is one; with {@code avoid}
	 * (a retry) the connection is checked alive whatever its idle time.
	 */
	private HotConnection acquire(String target, Duration timeout, InetAddress avoid, boolean exclusive)
			throws InterruptedException {
		Objects.requireNonNull(timeout, "timeout");
		if (timeout.isNegative()) {
			throw new IllegalArgumentException("Acquire timeout must not be negative, was " + timeout);
		}
		HostPool host = hostFor(target);
		long start = this.listeners.any() ? System.nanoTime() : 0;
		boolean validate = avoid != null;
		PooledConnection connection = (this.leaseObserver != null)
				? observedAcquire(host, timeout, avoid, exclusive, validate)
				: host.leases.acquire(timeout.toNanos(), avoid, exclusive, validate);
		if (start != 0) {
			long waited = System.nanoTime() - start;
			this.listeners.fire((listener) -> listener.acquireEnded(host.key(), waited, connection != null));
		}
		if (connection == null) {
			this.counters.acquireTimeouts.increment();
			HostStats stats = host.stats();
			String failure = host.lastFailure();
			throw new AcquireTimeoutException("No connection to " + stats.summary() + " became free within "
					+ timeout + ((failure != null) ? "; last connection failure: " + failure : ""), stats);
		}
		boolean stream = connection.multiplexed && !exclusive;
		if (!this.detectsLeaks) {
			// the hold time is read only by listeners
			return new HotConnection(this, connection, stream, null, this.listeners.any() ? System.nanoTime() : 0);
		}
		HotConnection lease = new HotConnection(this, connection, stream, new Throwable("acquired here"),
				System.nanoTime());
		connection.leases.add(lease);
		return lease;
	}

	private PooledConnection observedAcquire(HostPool host, Duration timeout, InetAddress avoid, boolean exclusive,
			boolean validate) throws InterruptedException {
		LeaseObserver.Acquire observed = this.leaseObserver.acquireStarted(host.key());
		PooledConnection connection = null;
		try {
			connection = host.leases.acquire(timeout.toNanos(), avoid, exclusive, validate);
			return connection;
		}
		finally {
			observed.ended(connection != null);
		}
	}

	private HostPool hostFor(String target) {
		if (target == null) {
			throw new IllegalArgumentException("Host must not be null or blank");
		}
		if (this.closed.get()) {
			throw closedException();
		}
		if (!this.started.get()) {
			throw new IllegalStateException("hotconnpool is not started: call start() first");
		}
		HostPool known = this.hostsByTarget.get(target); // never holds a blank target
		if (known != null) {
			return known;
		}
		if (target.isBlank()) {
			throw new IllegalArgumentException("Host must not be null or blank");
		}
		HostSettings.HostAndPort parsed = HostSettings.parseTarget(target);
		String key = HostSettings.key(parsed.host(), parsed.port());
		HostPool host = this.hosts.get(key);
		if (host != null) {
			if (this.hostsByTarget.size() < 4 * this.config.getMaxHosts()) {
				this.hostsByTarget.putIfAbsent(target, host);
			}
			return host;
		}
		if (this.config.getUnknownHosts() == UnknownHostPolicy.REFUSE) {
			throw new HostNotConfiguredException("Host " + key + " is not configured: add it under hotconnpool.hosts,"
					+ " or set hotconnpool.unknown-hosts=warm-on-first-use");
		}
		HostPool[] created = new HostPool[1];
		host = this.hosts.computeIfAbsent(key, (unused) -> {
			if (this.hosts.size() >= this.config.getMaxHosts()) {
				throw new HostNotConfiguredException("Host " + key + " is not configured and hotconnpool already"
						+ " serves hotconnpool.max-hosts=" + this.config.getMaxHosts() + " hosts");
			}
			created[0] = new HostPool(this, this.config.settingsForUnknownHost(parsed.host(), parsed.port()));
			return created[0];
		});
		if (host == created[0]) {
			resolveAndWarm(host);
		}
		return host;
	}

	/**
	 * Acquires a connection to the request's host, executes the request and gives the connection back when the
	 * response body is closed. An idempotent request (GET, HEAD, OPTIONS, PUT, DELETE, TRACE, without a one-shot
	 * body) whose connection fails is retried once, on a connection known alive (checked just before, whatever its
	 * idle time, or newly opened) to another IP where one is idle ({@code retry-on-connection-failure}); retries are
	 * counted by outcome in {@link PoolStats}.
	 * @param request an https request
	 * @return the response; close it
	 * @throws IOException when the exchange fails (after the retry), or as {@link InterruptedIOException} when
	 * interrupted while waiting for a connection
	 */
	public Response execute(Request request) throws IOException {
		HotConnection lease = acquireFor(request, null);
		try {
			return releasingOnClose(lease.execute(request), lease);
		}
		catch (IOException ex) {
			lease.close();
			if (!this.config.isRetryOnConnectionFailure() || !isRetryable(request)) {
				throw ex;
			}
			this.counters.retries.increment();
			HotConnection retry;
			try {
				retry = acquireFor(request, lease.ip());
			}
			catch (IOException | RuntimeException again) {
				this.counters.retriesFailed.increment();
				again.addSuppressed(ex);
				throw again;
			}
			try {
				Response response = releasingOnClose(retry.execute(request), retry);
				this.counters.retriesSucceeded.increment();
				return response;
			}
			catch (IOException | RuntimeException again) {
				this.counters.retriesFailed.increment();
				retry.close();
				again.addSuppressed(ex);
				throw again;
			}
		}
		catch (RuntimeException ex) {
			lease.close();
			throw ex;
		}
	}

	private HotConnection acquireFor(Request request, InetAddress avoid) throws InterruptedIOException {
		try {
			return acquire(request.url().host() + ":" + request.url().port(), this.config.getAcquireTimeout(), avoid,
					false);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while waiting for a connection to " + request.url().host());
		}
	}

	private static boolean isRetryable(Request request) {
		boolean idempotent = switch (request.method()) {
			case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
			default -> false;
		};
		return idempotent && (request.body() == null || !request.body().isOneShot());
	}

	private static Response releasingOnClose(Response response, HotConnection lease) {
		// Given back when the body ends, however it ends: read to the end, failed, or closed (string(), a stream).
		return response.newBuilder().body(new ExchangeEndingBody(response.body(), (failure) -> lease.close())).build();
	}

	/**
	 * Warms the host's missing connections now (after a forced cleanup, or for an unknown host ahead of use).
	 * @param target {@code host} or {@code host:port}
	 * @return completes when the warm-ups end
	 */
	public CompletableFuture<Void> warmUp(String target) {
		HostPool host = hostFor(target);
		return CompletableFuture.allOf(host.maintenance.fill().stream().map(this::warm).toArray(CompletableFuture[]::new));
	}

	/**
	 * Closes and removes every connection, leased ones too (their holders get a {@link ConnectionRetiredException}
	 * on next use), then warms every host again unless the pool is closed.
	 * @return the number of connections closed
	 */
	public int forceCleanup() {
		int count = 0;
		for (HostPool host : this.hosts.values()) {
			List<PooledConnection> retired = host.retireAll(RetireReason.FORCED);
			retired.forEach(PooledConnection::close);
			count += retired.size();
			host.maintenance.fill().forEach(this::warm);
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
		int streams = 0;
		int idle = 0;
		int warming = 0;
		int healthy = 0;
		int waiting = 0;
		int blacklisted = 0;
		for (HostStats host : hostStats) {
			blacklisted += host.blacklisted().size();
			total += host.total();
			leased += host.leased();
			streams += host.streams();
			idle += host.idle();
			warming += host.warming();
			healthy += host.healthy();
			waiting += host.waiting();
		}
		long requests = this.counters.totalRequests.sum();
		long failed = this.counters.failedRequests.sum();
		double successRate = (requests == 0) ? 1.0 : 1.0 - (double) failed / requests;
		return new PoolStats(total, leased, streams, idle, warming, healthy, waiting, blacklisted, requests, failed, successRate,
				this.counters.responsesByStatusClass(),
				this.counters.hotHits.sum(), this.counters.handshakes.sum(), this.counters.connectionsCreated.sum(),
				this.counters.newConnectionsFromDns.sum(), this.counters.acquireTimeouts.sum(),
				this.counters.leaksDetected.sum(), this.counters.retries.sum(), this.counters.retriesSucceeded.sum(),
				this.counters.retriesFailed.sum(),
				this.counters.retiredByReason(), hostStats, this.tlsSelfTests);
	}

	/** The configuration this pool was built from, sealed. */
	public HotConnPoolConfig config() {
		return this.config;
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
		return this.defaultTls.providerName();
	}

	/** Whether {@link #close()} has been called. */
	public boolean isClosed() {
		return this.closed.get();
	}


	/**
	 * Closes at once: refuses new acquires with {@link PoolClosedException}, wakes waiters with it, stops the
	 * background tasks and closes every connection, leased ones too. Idempotent.
	 * @throws IllegalStateException carrying the first error of closing a connection, the others suppressed
	 */
	@Override
	public void close() {
		shutdown(Duration.ZERO);
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
		HostPool served = servedHost(host);
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
	 * @param until when the entry expires (wall clock)
	 * @param source who reports it, shown with the entry ({@link BlacklistedIp#source()})
	 * @return whether the entry was applied
	 */
	public boolean blacklist(String host, InetAddress ip, String reason, Instant until, String source) {
		Objects.requireNonNull(until, "until");
		Objects.requireNonNull(source, "source");
		HostPool served = servedHost(host);
		List<PooledConnection> toClose = (served != null)
				? served.maintenance.blacklistFrom(ip, reason, until, source) : null;
		if (toClose == null) {
			return false;
		}
		toClose.forEach(PooledConnection::close);
		return true;
	}

	/** The host with this key if the pool serves it now, without creating it; {@code null} otherwise. */
	private HostPool servedHost(String host) {
		return this.closed.get() ? null : this.hosts.get(host);
	}

	@Override
	public boolean isRunning() {
		return this.started.get() && !this.closed.get();
	}

	@Override
	public int getPhase() {
		return this.phase;
	}

	/** Closes the pool at once; see {@link #close()}. A stopped pool cannot start again. */
	@Override
	public void stop() {
		close();
	}

	/**
	 * Stops gracefully: 1. refuses new acquires and wakes waiters with {@link PoolClosedException}; 2. cancels the
	 * background tasks and waits for runs in flight; 3. waits for leases to come back, up to
	 * {@code shutdown.drain-timeout}; 4. closes every connection, cutting leases still held (and logging how many);
	 * then calls back. Idempotent: a second stop only calls back.
	 * @param callback called when the pool has stopped
	 */
	@Override
	public void stop(Runnable callback) {
		try {
			shutdown(this.config.getShutdown().getDrainTimeout());
		}
		catch (RuntimeException ex) {
			logger.warn("hotconnpool stopped with errors", ex);
		}
		finally {
			callback.run();
		}
	}

	private void shutdown(Duration drainTimeout) {
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		long deadline = System.nanoTime() + drainTimeout.toNanos();
		this.hosts.values().forEach(HostPool::beginClose);
		boolean drained = awaitDrain(deadline);
		int cut = this.hosts.values().stream().mapToInt((host) -> host.stats().streams()).sum();
		List<PooledConnection> retired = new ArrayList<>();
		this.hosts.values().forEach((host) -> retired.addAll(host.retireAll(RetireReason.CLOSED)));
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
		if (this.ownedScheduler != null) {
			this.ownedScheduler.shutdown();
		}
		if (this.ownedExecutor != null) {
			this.ownedExecutor.shutdownNow();
		}
		if (cut > 0) {
			logger.warn("hotconnpool stopped: closed " + retired.size() + " connections, cutting " + cut
					+ " leases still held after the drain timeout of " + drainTimeout);
		}
		else {
			logger.info("hotconnpool stopped: closed " + retired.size() + " connections"
					+ (drained ? "" : " (background tasks still running were abandoned)"));
		}
		if (failure != null) {
			throw failure;
		}
	}

	/** Steps 2 and 3 of the drain: background runs in flight, then leases. */
	private boolean awaitDrain(long deadline) {
		try {
			boolean tasksDone = this.maintenance.stop(deadline);
			for (HostPool host : this.hosts.values()) {
				if (!host.awaitLeasesReturned(deadline)) {
					return false;
				}
			}
			return tasksDone;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	PoolClosedException closedException() {
		return new PoolClosedException("hotconnpool is closed: it hands out no more connections");
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

		private int phase = DEFAULT_PHASE;

		private TaskScheduler scheduler;

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
		 * then applies its TLS context and socket factory, which cannot be replaced.
		 * @param customizer changes to the client builder
		 * @return this builder
		 */
		public Builder clientCustomizer(Consumer<OkHttpClient.Builder> customizer) {
			this.clientCustomizer = Objects.requireNonNull(customizer, "customizer");
			return this;
		}

		/**
		 * Sets the scheduler of the background tasks (health check, cleanup, blacklist check, DNS update). Default:
		 * a one-thread {@link ThreadPoolTaskScheduler} owned and shut down by the pool.
		 * @param scheduler the scheduler
		 * @return this builder
		 */
		public Builder scheduler(TaskScheduler scheduler) {
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
		 * Sets the {@link SmartLifecycle} phase (default {@link HotConnPool#DEFAULT_PHASE}).
		 * @param phase the phase
		 * @return this builder
		 */
		public Builder phase(int phase) {
			this.phase = phase;
			return this;
		}

		/**
		 * Seals the configuration and builds the pool; call {@link HotConnPool#start()} to warm it.
		 * @return the pool
		 * @throws InvalidSettingException naming the first property of the configuration at fault
		 * @throws io.hotconnpool.tls.TlsProviderUnavailableException when Conscrypt cannot load and the JDK
		 * fallback is not allowed
		 */
		public HotConnPool build() {
			this.config.seal();
			return new HotConnPool(this);
		}

	}

}
