package io.hotconnpool.pool;

import java.net.InetAddress;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

import javax.net.ssl.KeyManagerFactory;

import io.hotconnpool.tls.TlsProfile;

/**
 * Everything a {@link HotConnPool} is built from: pool-wide defaults, the target hosts with their overrides,
 * deadlines and TLS material. Immutable; made with {@link #builder()}, which validates every value and names the
 * setting at fault.
 * <p>
 * Every knob, its default and its floor:
 * <table>
 * <caption>Settings</caption>
 * <tr><th>setting</th><th>default</th><th>floor</th></tr>
 * <tr><td>connections-per-ip</td><td>2</td><td>1</td></tr>
 * <tr><td>max-connections-per-host</td><td>16</td><td>1</td></tr>
 * <tr><td>acquire-timeout</td><td>5s</td><td>1ms</td></tr>
 * <tr><td>connect-timeout, tls-handshake-timeout, probe-timeout, resolve-timeout</td><td>5s</td><td>1ms</td></tr>
 * <tr><td>read-timeout, write-timeout</td><td>10s</td><td>1ms</td></tr>
 * <tr><td>call-timeout</td><td>30s</td><td>1ms</td></tr>
 * <tr><td>warm-up.timeout</td><td>30s</td><td>1ms</td></tr>
 * <tr><td>health-check-interval, health-check-idle-threshold</td><td>30s, 10s</td><td>1ms</td></tr>
 * <tr><td>cleanup-interval, max-lifetime, idle-timeout</td><td>60s, 30m, 10m</td><td>1ms</td></tr>
 * <tr><td>blacklist.check-interval, blacklist.ttl</td><td>5m, 15m</td><td>1ms</td></tr>
 * <tr><td>blacklist.failure-threshold</td><td>3</td><td>1</td></tr>
 * <tr><td>dns-update-interval</td><td>30m</td><td>1ms</td></tr>
 * <tr><td>shutdown.drain-timeout</td><td>10s</td><td>0</td></tr>
 * <tr><td>leak-detection-threshold</td><td>0 (off)</td><td>100ms when on</td></tr>
 * <tr><td>http2.max-streams-per-connection</td><td>100</td><td>1</td></tr>
 * <tr><td>http2.ping-interval</td><td>30s</td><td>0 (off), else 100ms</td></tr>
 * <tr><td>warm-up.concurrency</td><td>8</td><td>1</td></tr>
 * <tr><td>max-hosts</td><td>256</td><td>1</td></tr>
 * <tr><td>probe.method / probe.path</td><td>HEAD /</td><td></td></tr>
 * <tr><td>probe.success-statuses</td><td>2xx, 3xx</td><td></td></tr>
 * <tr><td>blacklist-statuses</td><td>403, 429</td><td></td></tr>
 * </table>
 */
public final class HotConnPoolSettings {

	private final List<HostSettings> hosts;

	private final HostSettings hostDefaults;

	private final UnknownHostPolicy unknownHosts;

	private final int maxHosts;

	private final Duration acquireTimeout;

	private final Duration connectTimeout;

	private final Duration tlsHandshakeTimeout;

	private final Duration readTimeout;

	private final Duration writeTimeout;

	private final Duration callTimeout;

	private final Duration probeTimeout;

	private final Duration resolveTimeout;

	private final Duration warmUpTimeout;

	private final int warmUpConcurrency;

	private final boolean allowJdkTlsFallback;

	private final WarmUpMode warmUpMode;

	private final Duration healthCheckInterval;

	private final Duration healthCheckIdleThreshold;

	private final Duration cleanupInterval;

	private final Duration maxLifetime;

	private final Duration idleTimeout;

	private final Duration blacklistCheckInterval;

	private final Duration blacklistTtl;

	private final int blacklistFailureThreshold;

	private final AllBlacklistedPolicy allBlacklisted;

	private final Duration dnsUpdateInterval;

	private final Duration drainTimeout;

	private final boolean retryOnConnectionFailure;

	private final Duration leakDetectionThreshold;

	private final Duration aliveBypassWindow;

	private final Duration keepAliveCheckInterval;

	private final boolean tlsStrict;

	private final boolean tlsSelfTest;

	private final int http2MaxStreamsPerConnection;

	private final Duration http2PingInterval;

	private HotConnPoolSettings(Builder builder, List<HostSettings> hosts, HostSettings hostDefaults) {
		this.hosts = List.copyOf(hosts);
		this.hostDefaults = hostDefaults;
		this.unknownHosts = builder.unknownHosts;
		this.maxHosts = builder.maxHosts;
		this.acquireTimeout = builder.acquireTimeout;
		this.connectTimeout = builder.connectTimeout;
		this.tlsHandshakeTimeout = builder.tlsHandshakeTimeout;
		this.readTimeout = builder.readTimeout;
		this.writeTimeout = builder.writeTimeout;
		this.callTimeout = builder.callTimeout;
		this.probeTimeout = builder.probeTimeout;
		this.resolveTimeout = builder.resolveTimeout;
		this.warmUpTimeout = builder.warmUpTimeout;
		this.warmUpConcurrency = builder.warmUpConcurrency;
		this.allowJdkTlsFallback = builder.allowJdkTlsFallback;
		this.warmUpMode = builder.warmUpMode;
		this.healthCheckInterval = builder.healthCheckInterval;
		this.healthCheckIdleThreshold = builder.healthCheckIdleThreshold;
		this.cleanupInterval = builder.cleanupInterval;
		this.maxLifetime = builder.maxLifetime;
		this.idleTimeout = builder.idleTimeout;
		this.blacklistCheckInterval = builder.blacklistCheckInterval;
		this.blacklistTtl = builder.blacklistTtl;
		this.blacklistFailureThreshold = builder.blacklistFailureThreshold;
		this.allBlacklisted = builder.allBlacklisted;
		this.dnsUpdateInterval = builder.dnsUpdateInterval;
		this.drainTimeout = builder.drainTimeout;
		this.retryOnConnectionFailure = builder.retryOnConnectionFailure;
		this.leakDetectionThreshold = builder.leakDetectionThreshold;
		this.aliveBypassWindow = builder.aliveBypassWindow;
		this.keepAliveCheckInterval = builder.keepAliveCheckInterval;
		this.tlsStrict = builder.tlsStrict;
		this.tlsSelfTest = builder.tlsSelfTest;
		this.http2MaxStreamsPerConnection = builder.http2MaxStreamsPerConnection;
		this.http2PingInterval = builder.http2PingInterval;
	}

	/**
	 * Starts a builder with every default in place.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/** The configured hosts, in the order they were added. */
	public List<HostSettings> hosts() {
		return this.hosts;
	}

	/** The settings an unknown host gets when {@link UnknownHostPolicy#WARM_ON_FIRST_USE} is in force. */
	HostSettings settingsForUnknownHost(String host, int port) {
		HostSettings d = this.hostDefaults;
		return new HostSettings(host, port, List.of(), true, d.connectionsPerIp(), d.maxConnections(),
				d.probeMethod(), d.probePath(), d.probeSuccessStatuses(), d.blacklistStatuses(), d.tls(), d.tlsProfiles());
	}

	public UnknownHostPolicy unknownHosts() {
		return this.unknownHosts;
	}

	public int maxHosts() {
		return this.maxHosts;
	}

	public Duration acquireTimeout() {
		return this.acquireTimeout;
	}

	public Duration connectTimeout() {
		return this.connectTimeout;
	}

	public Duration tlsHandshakeTimeout() {
		return this.tlsHandshakeTimeout;
	}

	public Duration readTimeout() {
		return this.readTimeout;
	}

	public Duration writeTimeout() {
		return this.writeTimeout;
	}

	public Duration callTimeout() {
		return this.callTimeout;
	}

	public Duration probeTimeout() {
		return this.probeTimeout;
	}

	public Duration resolveTimeout() {
		return this.resolveTimeout;
	}

	public Duration warmUpTimeout() {
		return this.warmUpTimeout;
	}

	public int warmUpConcurrency() {
		return this.warmUpConcurrency;
	}

	/** The TLS profile of hosts that do not override it: the first of {@link #defaultTlsProfiles()}. */
	public TlsProfile defaultTlsProfile() {
		return this.hostDefaults.tlsProfiles().get(0);
	}

	/** The TLS profiles, taken in turn by new connections, of hosts that do not override them. */
	public List<TlsProfile> defaultTlsProfiles() {
		return this.hostDefaults.tlsProfiles();
	}

	/** The TLS material of hosts that do not override it. */
	public TlsMaterial defaultTls() {
		return this.hostDefaults.tls();
	}

	public boolean allowJdkTlsFallback() {
		return this.allowJdkTlsFallback;
	}

	public WarmUpMode warmUpMode() {
		return this.warmUpMode;
	}

	public Duration healthCheckInterval() {
		return this.healthCheckInterval;
	}

	public Duration healthCheckIdleThreshold() {
		return this.healthCheckIdleThreshold;
	}

	public Duration cleanupInterval() {
		return this.cleanupInterval;
	}

	public Duration maxLifetime() {
		return this.maxLifetime;
	}

	public Duration idleTimeout() {
		return this.idleTimeout;
	}

	public Duration blacklistCheckInterval() {
		return this.blacklistCheckInterval;
	}

	public Duration blacklistTtl() {
		return this.blacklistTtl;
	}

	public int blacklistFailureThreshold() {
		return this.blacklistFailureThreshold;
	}

	public AllBlacklistedPolicy allBlacklisted() {
		return this.allBlacklisted;
	}

	public Duration dnsUpdateInterval() {
		return this.dnsUpdateInterval;
	}

	public Duration drainTimeout() {
		return this.drainTimeout;
	}

	public boolean retryOnConnectionFailure() {
		return this.retryOnConnectionFailure;
	}

	public boolean tlsStrict() {
		return this.tlsStrict;
	}

	public boolean tlsSelfTest() {
		return this.tlsSelfTest;
	}

	/** How long a lease may be held before it is reported as a leak; zero when leak detection is off. */
	public Duration leakDetectionThreshold() {
		return this.leakDetectionThreshold;
	}

	/** Most concurrent leases (streams) one HTTP/2 connection carries, below the server's own limit. */
	public int http2MaxStreamsPerConnection() {
		return this.http2MaxStreamsPerConnection;
	}

	/** How often an HTTP/2 connection is pinged; zero when it is not. */
	public Duration http2PingInterval() {
		return this.http2PingInterval;
	}

	public Duration aliveBypassWindow() {
		return this.aliveBypassWindow;
	}

	public Duration keepAliveCheckInterval() {
		return this.keepAliveCheckInterval;
	}

	/**
	 * Builds {@link HotConnPoolSettings}. Pool-wide host defaults set here apply to every host added after or
	 * before them: hosts are resolved against the defaults in {@link #build()}.
	 */
	public static final class Builder {

		private final Map<String, UnaryOperator<HostBuilder>> hosts = new LinkedHashMap<>();

		private final HostBuilder defaults = new HostBuilder();

		private UnknownHostPolicy unknownHosts = UnknownHostPolicy.WARM_ON_FIRST_USE;

		private int maxHosts = 256;

		private Duration acquireTimeout = Duration.ofSeconds(5);

		private Duration connectTimeout = Duration.ofSeconds(5);

		private Duration tlsHandshakeTimeout = Duration.ofSeconds(5);

		private Duration readTimeout = Duration.ofSeconds(10);

		private Duration writeTimeout = Duration.ofSeconds(10);

		private Duration callTimeout = Duration.ofSeconds(30);

		private Duration probeTimeout = Duration.ofSeconds(5);

		private Duration resolveTimeout = Duration.ofSeconds(5);

		private Duration warmUpTimeout = Duration.ofSeconds(30);

		private int warmUpConcurrency = 8;

		private boolean allowJdkTlsFallback;

		private WarmUpMode warmUpMode = WarmUpMode.BLOCKING;

		private Duration healthCheckInterval = Duration.ofSeconds(30);

		private Duration healthCheckIdleThreshold = Duration.ofSeconds(10);

		private Duration cleanupInterval = Duration.ofSeconds(60);

		private Duration maxLifetime = Duration.ofMinutes(30);

		private Duration idleTimeout = Duration.ofMinutes(10);

		private Duration blacklistCheckInterval = Duration.ofMinutes(5);

		private Duration blacklistTtl = Duration.ofMinutes(15);

		private int blacklistFailureThreshold = 3;

		private AllBlacklistedPolicy allBlacklisted = AllBlacklistedPolicy.SERVE_LEAST_BAD;

		private Duration dnsUpdateInterval = Duration.ofMinutes(30);

		private Duration drainTimeout = Duration.ofSeconds(10);

		private boolean retryOnConnectionFailure = true;

		private Duration leakDetectionThreshold = Duration.ZERO;

		private Duration aliveBypassWindow = Duration.ofMillis(500);

		private Duration keepAliveCheckInterval = Duration.ofSeconds(1);

		private boolean tlsStrict;

		private boolean tlsSelfTest = true;

		private int http2MaxStreamsPerConnection = 100;

		private Duration http2PingInterval = Duration.ofSeconds(30);

		private Builder() {
		}

		/**
		 * Adds a target host with the pool-wide defaults.
		 * @param target {@code host} or {@code host:port}
		 * @return this builder
		 */
		public Builder host(String target) {
			return host(target, UnaryOperator.identity());
		}

		/**
		 * Adds a target host with overrides of the pool-wide defaults.
		 * @param target {@code host} or {@code host:port}
		 * @param overrides changes to this host's settings
		 * @return this builder
		 * @throws InvalidSettingException when the same host and port is added twice
		 */
		public Builder host(String target, UnaryOperator<HostBuilder> overrides) {
			HostSettings.HostAndPort parsed = HostSettings.parseTarget(target);
			String key = HostSettings.key(parsed.host(), parsed.port());
			if (this.hosts.putIfAbsent(key, (host) -> overrides.apply(host.target(parsed))) != null) {
				throw new InvalidSettingException("hotconnpool.hosts", target, "each host only once (" + key
						+ " is listed twice)");
			}
			return this;
		}

		/**
		 * Changes the defaults every host starts from.
		 * @param defaults changes to the defaults
		 * @return this builder
		 */
		public Builder hostDefaults(UnaryOperator<HostBuilder> defaults) {
			defaults.apply(this.defaults);
			return this;
		}

		public Builder unknownHosts(UnknownHostPolicy unknownHosts) {
			this.unknownHosts = Objects.requireNonNull(unknownHosts, "unknownHosts");
			return this;
		}

		public Builder maxHosts(int maxHosts) {
			this.maxHosts = maxHosts;
			return this;
		}

		public Builder acquireTimeout(Duration acquireTimeout) {
			this.acquireTimeout = acquireTimeout;
			return this;
		}

		public Builder connectTimeout(Duration connectTimeout) {
			this.connectTimeout = connectTimeout;
			return this;
		}

		public Builder tlsHandshakeTimeout(Duration tlsHandshakeTimeout) {
			this.tlsHandshakeTimeout = tlsHandshakeTimeout;
			return this;
		}

		public Builder readTimeout(Duration readTimeout) {
			this.readTimeout = readTimeout;
			return this;
		}

		public Builder writeTimeout(Duration writeTimeout) {
			this.writeTimeout = writeTimeout;
			return this;
		}

		public Builder callTimeout(Duration callTimeout) {
			this.callTimeout = callTimeout;
			return this;
		}

		public Builder probeTimeout(Duration probeTimeout) {
			this.probeTimeout = probeTimeout;
			return this;
		}

		public Builder resolveTimeout(Duration resolveTimeout) {
			this.resolveTimeout = resolveTimeout;
			return this;
		}

		public Builder warmUpTimeout(Duration warmUpTimeout) {
			this.warmUpTimeout = warmUpTimeout;
			return this;
		}

		public Builder warmUpConcurrency(int warmUpConcurrency) {
			this.warmUpConcurrency = warmUpConcurrency;
			return this;
		}

		/**
		 * Sets the trusted certificates of every host that does not override them.
		 * @param trustStore the trust store, or {@code null} for the system one
		 * @return this builder
		 */
		public Builder trustStore(KeyStore trustStore) {
			this.defaults.tls = new TlsMaterial(trustStore, this.defaults.tls.keyManagers());
			return this;
		}

		/**
		 * Sets client certificates for mutual TLS of every host that does not override them.
		 * @param keyManagers an initialised key manager factory, or {@code null} for none
		 * @return this builder
		 */
		public Builder keyManagers(KeyManagerFactory keyManagers) {
			this.defaults.tls = new TlsMaterial(this.defaults.tls.trustStore(), keyManagers);
			return this;
		}

		/**
		 * Allows the JDK's TLS where Conscrypt cannot load (the TLS fingerprint is then the JDK's).
		 * @param allowJdkTlsFallback whether to allow it; default {@code false}: start-up fails instead
		 * @return this builder
		 */
		public Builder allowJdkTlsFallback(boolean allowJdkTlsFallback) {
			this.allowJdkTlsFallback = allowJdkTlsFallback;
			return this;
		}

		/**
		 * Whether start waits for warm-up (default {@link WarmUpMode#BLOCKING}).
		 * @param warmUpMode the mode
		 * @return this builder
		 */
		public Builder warmUpMode(WarmUpMode warmUpMode) {
			this.warmUpMode = Objects.requireNonNull(warmUpMode, "warmUpMode");
			return this;
		}

		/**
		 * How often idle connections are probed and missing slots refilled (default 30s).
		 * @param interval the interval
		 * @return this builder
		 */
		public Builder healthCheckInterval(Duration interval) {
			this.healthCheckInterval = interval;
			return this;
		}

		/**
		 * How long a connection must have been idle before a health check probes it (default 10s): a connection
		 * in use proves its health by its requests.
		 * @param threshold the idle time
		 * @return this builder
		 */
		public Builder healthCheckIdleThreshold(Duration threshold) {
			this.healthCheckIdleThreshold = threshold;
			return this;
		}

		/**
		 * How often expired and surplus idle connections are retired (default 60s).
		 * @param interval the interval
		 * @return this builder
		 */
		public Builder cleanupInterval(Duration interval) {
			this.cleanupInterval = interval;
			return this;
		}

		/**
		 * The longest a connection lives (default 30m); each connection's lifetime is up to 5 % shorter, at random,
		 * so that connections do not expire together.
		 * @param maxLifetime the lifetime
		 * @return this builder
		 */
		public Builder maxLifetime(Duration maxLifetime) {
			this.maxLifetime = maxLifetime;
			return this;
		}

		/**
		 * How long a connection above the warm target may stay idle (default 10m). Warm slots are kept.
		 * @param idleTimeout the idle time
		 * @return this builder
		 */
		public Builder idleTimeout(Duration idleTimeout) {
			this.idleTimeout = idleTimeout;
			return this;
		}

		/**
		 * How often expired blacklist entries are re-probed (default 5m).
		 * @param interval the interval
		 * @return this builder
		 */
		public Builder blacklistCheckInterval(Duration interval) {
			this.blacklistCheckInterval = interval;
			return this;
		}

		/**
		 * How long an IP stays blacklisted before it is re-probed (default 15m).
		 * @param ttl the time to live of an entry
		 * @return this builder
		 */
		public Builder blacklistTtl(Duration ttl) {
			this.blacklistTtl = ttl;
			return this;
		}

		/**
		 * Consecutive failures that blacklist an IP (default 3, floor 1): connect, TLS and request failures, probes
		 * that do not answer a success status, and 503 answers.
		 * @param threshold the number of failures
		 * @return this builder
		 */
		public Builder blacklistFailureThreshold(int threshold) {
			this.blacklistFailureThreshold = threshold;
			return this;
		}

		/**
		 * What a host does when all its IPs are blacklisted (default {@link AllBlacklistedPolicy#SERVE_LEAST_BAD}).
		 * @param policy the policy
		 * @return this builder
		 */
		public Builder allBlacklisted(AllBlacklistedPolicy policy) {
			this.allBlacklisted = Objects.requireNonNull(policy, "allBlacklisted");
			return this;
		}

		/**
		 * How often hosts are resolved again to find new IPs and drain vanished ones (default 30m).
		 * @param interval the interval
		 * @return this builder
		 */
		public Builder dnsUpdateInterval(Duration interval) {
			this.dnsUpdateInterval = interval;
			return this;
		}

		/**
		 * How long stop waits for leases to come back before it cuts them (default 10s; zero cuts at once).
		 * @param drainTimeout the drain timeout
		 * @return this builder
		 */
		public Builder drainTimeout(Duration drainTimeout) {
			this.drainTimeout = drainTimeout;
			return this;
		}

		/**
		 * Whether {@link HotConnPool#execute(okhttp3.Request)} retries an idempotent request (GET, HEAD, OPTIONS, PUT,
		 * DELETE, TRACE without a one-shot body) once when its connection fails (default {@code true}): on a
		 * connection known alive, checked just before the retry whatever its idle time, to another IP where one is
		 * idle. {@code RestClient} and {@code RestTemplate} through the pool go through it too. Leases never retry:
		 * their holder decides.
		 * @param retry whether to retry
		 * @return this builder
		 */
		public Builder retryOnConnectionFailure(boolean retry) {
			this.retryOnConnectionFailure = retry;
			return this;
		}

		/**
		 * How long a lease may be held before it is logged, once, with the stack trace of its acquirer, and counted
		 * as a leak (default zero: off; otherwise at least 100ms). The lease itself is not taken away.
		 * @param threshold the threshold
		 * @return this builder
		 */
		public Builder leakDetectionThreshold(Duration threshold) {
			this.leakDetectionThreshold = threshold;
			return this;
		}

		/**
		 * How long an HTTP/1.1 connection may have been idle and still be leased without a liveness check (default
		 * 500ms; zero checks every idle connection). Above it, acquire reads the connection's socket for at most a
		 * millisecond, outside any lock, and retires one its server has closed, taking the next. HTTP/2 connections
		 * need no check: their reader notices a close at once. Closes seen after a shorter idle time do not count as
		 * a server's keep-alive timeout.
		 * @param window the idle time below which a connection is trusted
		 * @return this builder
		 */
		public Builder aliveBypassWindow(Duration window) {
			this.aliveBypassWindow = window;
			return this;
		}

		/**
		 * How often idle connections are re-probed before their server's keep-alive timeout, once that timeout is
		 * known from a {@code Keep-Alive} header or an observed idle close (default 1s): a connection idle for half
		 * the timeout is probed, which starts the server's idle timer again.
		 * @param interval the interval
		 * @return this builder
		 */
		public Builder keepAliveCheckInterval(Duration interval) {
			this.keepAliveCheckInterval = interval;
			return this;
		}

		/**
		 * Whether a TLS profile setting the stack cannot produce fails start-up (default {@code false}: it is
		 * dropped with a warning).
		 * @param strict whether to refuse
		 * @return this builder
		 */
		public Builder tlsStrict(boolean strict) {
			this.tlsStrict = strict;
			return this;
		}

		/**
		 * Whether start captures the pool's own ClientHello per TLS profile on loopback and logs its JA4, warning
		 * when it differs from the profile's recorded value (default {@code true}).
		 * @param selfTest whether to run the self-test
		 * @return this builder
		 */
		public Builder tlsSelfTest(boolean selfTest) {
			this.tlsSelfTest = selfTest;
			return this;
		}

		/**
		 * Most leases one HTTP/2 connection carries at once, each a stream (default 100, floor 1); the server's
		 * {@code SETTINGS_MAX_CONCURRENT_STREAMS} lowers it further. One is the HTTP/1.1 lease model on HTTP/2.
		 * @param maxStreams the limit per connection
		 * @return this builder
		 */
		public Builder http2MaxStreamsPerConnection(int maxStreams) {
			this.http2MaxStreamsPerConnection = maxStreams;
			return this;
		}

		/**
		 * How often each HTTP/2 connection sends a PING (default 30s; zero: never, else at least 100ms). A connection
		 * whose PING is not answered before the next one is due is closed, retired and replaced in the background:
		 * a peer that went silent is found without waiting for a request to time out.
		 * @param interval the interval
		 * @return this builder
		 */
		public Builder http2PingInterval(Duration interval) {
			this.http2PingInterval = interval;
			return this;
		}

		/**
		 * Validates everything and builds the settings.
		 * @return the settings
		 * @throws InvalidSettingException naming the first setting at fault
		 */
		public HotConnPoolSettings build() {
			requireAtLeastOneMillisecond("hotconnpool.acquire-timeout", this.acquireTimeout);
			requireAtLeastOneMillisecond("hotconnpool.connect-timeout", this.connectTimeout);
			requireAtLeastOneMillisecond("hotconnpool.tls-handshake-timeout", this.tlsHandshakeTimeout);
			requireAtLeastOneMillisecond("hotconnpool.read-timeout", this.readTimeout);
			requireAtLeastOneMillisecond("hotconnpool.write-timeout", this.writeTimeout);
			requireAtLeastOneMillisecond("hotconnpool.call-timeout", this.callTimeout);
			requireAtLeastOneMillisecond("hotconnpool.probe-timeout", this.probeTimeout);
			requireAtLeastOneMillisecond("hotconnpool.resolve-timeout", this.resolveTimeout);
			requireAtLeastOneMillisecond("hotconnpool.warm-up.timeout", this.warmUpTimeout);
			requireAtLeastOneMillisecond("hotconnpool.health-check-interval", this.healthCheckInterval);
			requireAtLeastOneMillisecond("hotconnpool.health-check-idle-threshold", this.healthCheckIdleThreshold);
			requireAtLeastOneMillisecond("hotconnpool.cleanup-interval", this.cleanupInterval);
			requireAtLeastOneMillisecond("hotconnpool.max-lifetime", this.maxLifetime);
			requireAtLeastOneMillisecond("hotconnpool.idle-timeout", this.idleTimeout);
			requireAtLeastOneMillisecond("hotconnpool.blacklist.check-interval", this.blacklistCheckInterval);
			requireAtLeastOneMillisecond("hotconnpool.blacklist.ttl", this.blacklistTtl);
			requireAtLeastOneMillisecond("hotconnpool.dns-update-interval", this.dnsUpdateInterval);
			requireAtLeastOneMillisecond("hotconnpool.keep-alive.check-interval", this.keepAliveCheckInterval);
			if (this.aliveBypassWindow == null || this.aliveBypassWindow.isNegative()) {
				throw new InvalidSettingException("hotconnpool.keep-alive.alive-bypass-window", this.aliveBypassWindow,
						"zero or a positive duration such as 500ms");
			}
			if (this.drainTimeout == null || this.drainTimeout.isNegative()) {
				throw new InvalidSettingException("hotconnpool.shutdown.drain-timeout", this.drainTimeout,
						"zero or a positive duration such as 10s");
			}
			if (this.leakDetectionThreshold == null || this.leakDetectionThreshold.isNegative()
					|| (!this.leakDetectionThreshold.isZero() && this.leakDetectionThreshold.toMillis() < 100)) {
				throw new InvalidSettingException("hotconnpool.leak-detection-threshold", this.leakDetectionThreshold,
						"0 (off) or at least 100ms, such as 30s");
			}
			if (this.http2PingInterval == null || this.http2PingInterval.isNegative()
					|| (!this.http2PingInterval.isZero() && this.http2PingInterval.toMillis() < 100)) {
				throw new InvalidSettingException("hotconnpool.http2.ping-interval", this.http2PingInterval,
						"0 (off) or at least 100ms, such as 30s");
			}
			if (this.http2MaxStreamsPerConnection < 1) {
				throw new InvalidSettingException("hotconnpool.http2.max-streams-per-connection",
						this.http2MaxStreamsPerConnection, "1 or more");
			}
			if (this.blacklistFailureThreshold < 1) {
				throw new InvalidSettingException("hotconnpool.blacklist.failure-threshold",
						this.blacklistFailureThreshold, "1 or more");
			}
			if (this.warmUpConcurrency < 1) {
				throw new InvalidSettingException("hotconnpool.warm-up.concurrency", this.warmUpConcurrency,
						"1 or more");
			}
			if (this.maxHosts < Math.max(1, this.hosts.size())) {
				throw new InvalidSettingException("hotconnpool.max-hosts", this.maxHosts,
						"at least 1 and at least the number of configured hosts (" + this.hosts.size() + ")");
			}
			HostSettings defaults = this.defaults.copy().target(new HostSettings.HostAndPort("defaults", 443)).build();
			defaults.validate();
			List<HostSettings> built = new ArrayList<>();
			this.hosts.values().forEach((overrides) -> {
				HostSettings host = overrides.apply(this.defaults.copy()).build();
				host.validate();
				built.add(host);
			});
			return new HotConnPoolSettings(this, built, defaults);
		}

		/** Durations below a millisecond would become "no deadline" in socket and OkHttp timeouts, which count in ms. */
		private static void requireAtLeastOneMillisecond(String setting, Duration value) {
			if (value == null || value.compareTo(Duration.ofMillis(1)) < 0) {
				throw new InvalidSettingException(setting, value, "a duration of at least 1ms, such as 5s");
			}
		}

	}

	/**
	 * The settings of one host, starting from the pool-wide defaults.
	 */
	public static final class HostBuilder {

		private HostSettings.HostAndPort target = new HostSettings.HostAndPort("defaults", HostSettings.HTTPS_PORT);

		private List<InetAddress> staticAddresses = List.of();

		private boolean dnsEnabled = true;

		private int connectionsPerIp = 2;

		private int maxConnections = 16;

		private String probeMethod = "HEAD";

		private String probePath = "/";

		private StatusSet probeSuccessStatuses = StatusSet.of("2xx", "3xx");

		private StatusSet blacklistStatuses = StatusSet.of("403", "429");

		private TlsMaterial tls = TlsMaterial.SYSTEM;

		private List<TlsProfile> tlsProfiles = List.of(TlsProfile.defaultProfile());

		HostBuilder() {
		}

		HostBuilder target(HostSettings.HostAndPort target) {
			this.target = target;
			return this;
		}

		/**
		 * Addresses always used for this host (for example loopback ones in tests, or pinned IPs).
		 * @param addresses the addresses
		 * @return this builder
		 */
		public HostBuilder staticAddresses(List<InetAddress> addresses) {
			this.staticAddresses = List.copyOf(addresses);
			return this;
		}

		/**
		 * Whether the resolver is asked for this host's addresses (default {@code true}).
		 * @param dnsEnabled whether to resolve
		 * @return this builder
		 */
		public HostBuilder dnsEnabled(boolean dnsEnabled) {
			this.dnsEnabled = dnsEnabled;
			return this;
		}

		/**
		 * Warm connections per IP address (default 2, floor 1).
		 * @param connectionsPerIp slots per IP
		 * @return this builder
		 */
		public HostBuilder connectionsPerIp(int connectionsPerIp) {
			this.connectionsPerIp = connectionsPerIp;
			return this;
		}

		/**
		 * Most connections to the host at once (default 16, floor 1). Warm connections beyond it are not opened.
		 * @param maxConnections the maximum
		 * @return this builder
		 */
		public HostBuilder maxConnections(int maxConnections) {
			this.maxConnections = maxConnections;
			return this;
		}

		/**
		 * The probe request that warms and checks a connection (default {@code HEAD /}).
		 * @param method {@code HEAD}, {@code GET} or {@code OPTIONS}
		 * @param path a path starting with {@code /}
		 * @return this builder
		 */
		public HostBuilder probe(String method, String path) {
			this.probeMethod = method;
			this.probePath = path;
			return this;
		}

		/**
		 * Statuses that prove a connection healthy (default 2xx and 3xx).
		 * @param statuses the statuses
		 * @return this builder
		 */
		public HostBuilder probeSuccessStatuses(StatusSet statuses) {
			this.probeSuccessStatuses = statuses;
			return this;
		}

		/**
		 * Statuses that set the IP aside (default 403 and 429).
		 * @param statuses the statuses
		 * @return this builder
		 */
		public HostBuilder blacklistStatuses(StatusSet statuses) {
			this.blacklistStatuses = statuses;
			return this;
		}

		/**
		 * The trust and key material of this host's connections (default: the pool-wide one).
		 * @param tls the material, for example from a Spring Boot SSL bundle
		 * @return this builder
		 */
		public HostBuilder tls(TlsMaterial tls) {
			this.tls = Objects.requireNonNull(tls, "tls");
			return this;
		}

		/**
		 * The TLS profile of this host's connections (default {@link TlsProfile#defaultProfile()}).
		 * @param profile a built-in ({@link TlsProfile#builtIn(String)}) or custom profile
		 * @return this builder
		 */
		public HostBuilder tlsProfile(TlsProfile profile) {
			return tlsProfiles(List.of(Objects.requireNonNull(profile, "tlsProfile")));
		}

		/**
		 * TLS profiles taken in turn by each new connection of this host, as the Go pool rotated its ClientHello
		 * presets; each connection's User-Agent and headers are those of its own profile.
		 * @param profiles one or more profiles
		 * @return this builder
		 */
		public HostBuilder tlsProfiles(List<TlsProfile> profiles) {
			this.tlsProfiles = List.copyOf(profiles);
			return this;
		}

		HostBuilder copy() {
			HostBuilder copy = new HostBuilder();
			copy.target = this.target;
			copy.staticAddresses = this.staticAddresses;
			copy.dnsEnabled = this.dnsEnabled;
			copy.connectionsPerIp = this.connectionsPerIp;
			copy.maxConnections = this.maxConnections;
			copy.probeMethod = this.probeMethod;
			copy.probePath = this.probePath;
			copy.probeSuccessStatuses = this.probeSuccessStatuses;
			copy.blacklistStatuses = this.blacklistStatuses;
			copy.tls = this.tls;
			copy.tlsProfiles = this.tlsProfiles;
			return copy;
		}

		HostSettings build() {
			return new HostSettings(this.target.host(), this.target.port(), this.staticAddresses, this.dnsEnabled,
					this.connectionsPerIp, this.maxConnections, this.probeMethod, this.probePath,
					this.probeSuccessStatuses, this.blacklistStatuses, this.tls, this.tlsProfiles);
		}

	}

}
