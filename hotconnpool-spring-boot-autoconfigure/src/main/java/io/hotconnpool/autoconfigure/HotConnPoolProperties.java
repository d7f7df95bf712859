package io.hotconnpool.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.hotconnpool.http.OtherHostsPolicy;
import io.hotconnpool.pool.AllBlacklistedPolicy;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.WarmUpMode;
import io.hotconnpool.pool.UnknownHostPolicy;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the hot connection pool. Pool-wide values are the defaults of every host; each entry
 * of {@code hotconnpool.hosts} may override the per-host ones, and a host value left unset inherits the pool-wide
 * one.
 * <p>
 * Every value is checked at start-up; a wrong one fails the start with a report naming the property.
 */
@ConfigurationProperties("hotconnpool")
public class HotConnPoolProperties {

	/**
	 * Whether to auto-configure the hot connection pool.
	 */
	private boolean enabled = true;

	/**
	 * Warm connections kept per IP address of each host (the "slots"), at least 1 and at most
	 * max-connections-per-host.
	 */
	private int connectionsPerIp = 2;

	/**
	 * Most connections to one host at once, warm and opened on demand.
	 */
	private int maxConnectionsPerHost = 16;

	/**
	 * How long an acquire waits for a free connection before it fails.
	 */
	private Duration acquireTimeout = Duration.ofSeconds(5);

	/**
	 * Deadline of the TCP connect.
	 */
	private Duration connectTimeout = Duration.ofSeconds(5);

	/**
	 * Deadline of each read of the TLS handshake.
	 */
	private Duration tlsHandshakeTimeout = Duration.ofSeconds(5);

	/**
	 * Deadline of each read of a response.
	 */
	private Duration readTimeout = Duration.ofSeconds(10);

	/**
	 * Deadline of each write of a request.
	 */
	private Duration writeTimeout = Duration.ofSeconds(10);

	/**
	 * Deadline of a whole call, from sending the request to reading the end of the response.
	 */
	private Duration callTimeout = Duration.ofSeconds(30);

	/**
	 * Deadline of a warm-up or health probe request.
	 */
	private Duration probeTimeout = Duration.ofSeconds(5);

	/**
	 * Deadline of resolving a host name.
	 */
	private Duration resolveTimeout = Duration.ofSeconds(5);

	/**
	 * Most hosts the pool serves at once, configured and first-used ones together.
	 */
	private int maxHosts = 256;

	/**
	 * What an acquire for a host that is not listed under hotconnpool.hosts does.
	 */
	private UnknownHostPolicy unknownHosts = UnknownHostPolicy.WARM_ON_FIRST_USE;

	/**
	 * HTTP statuses that set the answering IP aside, such as 403, 4xx or 500-503.
	 */
	private List<String> blacklistStatuses = new ArrayList<>(List.of("403", "429"));

	/**
	 * Target hosts to keep warm, each overriding the pool-wide values where set. Keys of an entry: host (name,
	 * optionally with :port), port, addresses, dns-enabled, connections-per-ip, max-connections, probe.method,
	 * probe.path, probe.success-statuses, blacklist-statuses, tls.bundle and tls.profile.
	 */
	private List<Host> hosts = new ArrayList<>();

	/**
	 * How often idle connections are probed (reserved first, never leased ones) and missing slots refilled.
	 */
	private Duration healthCheckInterval = Duration.ofSeconds(30);

	/**
	 * How long a connection must have been idle before a health check probes it.
	 */
	private Duration healthCheckIdleThreshold = Duration.ofSeconds(10);

	/**
	 * How often expired connections and idle connections above the warm target are retired.
	 */
	private Duration cleanupInterval = Duration.ofSeconds(60);

	/**
	 * The longest a connection lives; each one's lifetime is up to 5% shorter at random.
	 */
	private Duration maxLifetime = Duration.ofMinutes(30);

	/**
	 * How long a connection above the warm target may stay idle before it is retired.
	 */
	private Duration idleTimeout = Duration.ofMinutes(10);

	/**
	 * How often hosts are resolved again: new IPs are warmed, vanished ones drained.
	 */
	private Duration dnsUpdateInterval = Duration.ofMinutes(30);

	/**
	 * Whether an idempotent request through the pool's execute (RestClient and RestTemplate included) is retried
	 * once after a connection failure, on a connection checked alive, to another IP where one is idle.
	 */
	private boolean retryOnConnectionFailure = true;

	/**
	 * How long a lease may be held before it is logged once with its acquirer's stack trace; 0 turns it off.
	 */
	private Duration leakDetectionThreshold = Duration.ZERO;

	/**
	 * SmartLifecycle phase of the pool: below Spring's executors and the web server, so it warms before traffic
	 * and closes after the server drained.
	 */
	private int lifecyclePhase = HotConnPoolLifecycle.DEFAULT_PHASE;

	private final Blacklist blacklist = new Blacklist();

	private final Health health = new Health();

	private final WarmUp warmUp = new WarmUp();

	private final Probe probe = new Probe();

	private final Tls tls = new Tls();

	private final Shutdown shutdown = new Shutdown();

	private final KeepAlive keepAlive = new KeepAlive();

	private final Http http = new Http();

	private final Metrics metrics = new Metrics();

	private final Http2 http2 = new Http2();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getConnectionsPerIp() {
		return this.connectionsPerIp;
	}

	public void setConnectionsPerIp(int connectionsPerIp) {
		this.connectionsPerIp = connectionsPerIp;
	}

	public int getMaxConnectionsPerHost() {
		return this.maxConnectionsPerHost;
	}

	public void setMaxConnectionsPerHost(int maxConnectionsPerHost) {
		this.maxConnectionsPerHost = maxConnectionsPerHost;
	}

	public Duration getAcquireTimeout() {
		return this.acquireTimeout;
	}

	public void setAcquireTimeout(Duration acquireTimeout) {
		this.acquireTimeout = acquireTimeout;
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public Duration getTlsHandshakeTimeout() {
		return this.tlsHandshakeTimeout;
	}

	public void setTlsHandshakeTimeout(Duration tlsHandshakeTimeout) {
		this.tlsHandshakeTimeout = tlsHandshakeTimeout;
	}

	public Duration getReadTimeout() {
		return this.readTimeout;
	}

	public void setReadTimeout(Duration readTimeout) {
		this.readTimeout = readTimeout;
	}

	public Duration getWriteTimeout() {
		return this.writeTimeout;
	}

	public void setWriteTimeout(Duration writeTimeout) {
		this.writeTimeout = writeTimeout;
	}

	public Duration getCallTimeout() {
		return this.callTimeout;
	}

	public void setCallTimeout(Duration callTimeout) {
		this.callTimeout = callTimeout;
	}

	public Duration getProbeTimeout() {
		return this.probeTimeout;
	}

	public void setProbeTimeout(Duration probeTimeout) {
		this.probeTimeout = probeTimeout;
	}

	public Duration getResolveTimeout() {
		return this.resolveTimeout;
	}

	public void setResolveTimeout(Duration resolveTimeout) {
		this.resolveTimeout = resolveTimeout;
	}

	public int getMaxHosts() {
		return this.maxHosts;
	}

	public void setMaxHosts(int maxHosts) {
		this.maxHosts = maxHosts;
	}

	public UnknownHostPolicy getUnknownHosts() {
		return this.unknownHosts;
	}

	public void setUnknownHosts(UnknownHostPolicy unknownHosts) {
		this.unknownHosts = unknownHosts;
	}

	public List<String> getBlacklistStatuses() {
		return this.blacklistStatuses;
	}

	public void setBlacklistStatuses(List<String> blacklistStatuses) {
		this.blacklistStatuses = blacklistStatuses;
	}

	public List<Host> getHosts() {
		return this.hosts;
	}

	public void setHosts(List<Host> hosts) {
		this.hosts = hosts;
	}

	public Duration getHealthCheckInterval() {
		return this.healthCheckInterval;
	}

	public void setHealthCheckInterval(Duration healthCheckInterval) {
		this.healthCheckInterval = healthCheckInterval;
	}

	public Duration getHealthCheckIdleThreshold() {
		return this.healthCheckIdleThreshold;
	}

	public void setHealthCheckIdleThreshold(Duration healthCheckIdleThreshold) {
		this.healthCheckIdleThreshold = healthCheckIdleThreshold;
	}

	public Duration getCleanupInterval() {
		return this.cleanupInterval;
	}

	public void setCleanupInterval(Duration cleanupInterval) {
		this.cleanupInterval = cleanupInterval;
	}

	public Duration getMaxLifetime() {
		return this.maxLifetime;
	}

	public void setMaxLifetime(Duration maxLifetime) {
		this.maxLifetime = maxLifetime;
	}

	public Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	public Duration getDnsUpdateInterval() {
		return this.dnsUpdateInterval;
	}

	public void setDnsUpdateInterval(Duration dnsUpdateInterval) {
		this.dnsUpdateInterval = dnsUpdateInterval;
	}

	public boolean isRetryOnConnectionFailure() {
		return this.retryOnConnectionFailure;
	}

	public void setRetryOnConnectionFailure(boolean retryOnConnectionFailure) {
		this.retryOnConnectionFailure = retryOnConnectionFailure;
	}

	public Duration getLeakDetectionThreshold() {
		return this.leakDetectionThreshold;
	}

	public void setLeakDetectionThreshold(Duration leakDetectionThreshold) {
		this.leakDetectionThreshold = leakDetectionThreshold;
	}

	public int getLifecyclePhase() {
		return this.lifecyclePhase;
	}

	public void setLifecyclePhase(int lifecyclePhase) {
		this.lifecyclePhase = lifecyclePhase;
	}

	public Blacklist getBlacklist() {
		return this.blacklist;
	}

	public Health getHealth() {
		return this.health;
	}

	public WarmUp getWarmUp() {
		return this.warmUp;
	}

	public Probe getProbe() {
		return this.probe;
	}

	public Tls getTls() {
		return this.tls;
	}

	public Shutdown getShutdown() {
		return this.shutdown;
	}

	public KeepAlive getKeepAlive() {
		return this.keepAlive;
	}

	public Http getHttp() {
		return this.http;
	}

	public Metrics getMetrics() {
		return this.metrics;
	}

	public Http2 getHttp2() {
		return this.http2;
	}

	/**
	 * The hotconnpool health indicator: when a host is down, and what that does to the application's health.
	 */
	public static class Health {

		/**
		 * Healthy connections every host needs; with fewer it is down.
		 */
		private int minHealthyPerHost = 1;

		/**
		 * How far back calls to a host count for its failure rate.
		 */
		private Duration window = Duration.ofSeconds(60);

		/**
		 * Calls to a host within the window before its failure rate counts.
		 */
		private int minimumNumberOfCalls = 10;

		/**
		 * Failure rate, in percent of the calls within the window, at which a host is down.
		 */
		private int failureRateThreshold = 50;

		/**
		 * Whether a host that is down turns the indicator DOWN. When false, it reports DEGRADED, which Spring Boot's
		 * default status order ignores: the application's health stays UP.
		 */
		private boolean allowToFail = false;

		public int getMinHealthyPerHost() {
			return this.minHealthyPerHost;
		}

		public void setMinHealthyPerHost(int minHealthyPerHost) {
			this.minHealthyPerHost = minHealthyPerHost;
		}

		public Duration getWindow() {
			return this.window;
		}

		public void setWindow(Duration window) {
			this.window = window;
		}

		public int getMinimumNumberOfCalls() {
			return this.minimumNumberOfCalls;
		}

		public void setMinimumNumberOfCalls(int minimumNumberOfCalls) {
			this.minimumNumberOfCalls = minimumNumberOfCalls;
		}

		public int getFailureRateThreshold() {
			return this.failureRateThreshold;
		}

		public void setFailureRateThreshold(int failureRateThreshold) {
			this.failureRateThreshold = failureRateThreshold;
		}

		public boolean isAllowToFail() {
			return this.allowToFail;
		}

		public void setAllowToFail(boolean allowToFail) {
			this.allowToFail = allowToFail;
		}

	}

	public static class Blacklist {

		/**
		 * How often blacklisted IPs whose entry expired are re-probed over a fresh connection.
		 */
		private Duration checkInterval = Duration.ofMinutes(5);

		/**
		 * How long an IP stays blacklisted before it is re-probed; a failed re-probe keeps it another TTL.
		 */
		private Duration ttl = Duration.ofMinutes(15);

		/**
		 * Consecutive connect, TLS or request failures that blacklist an IP.
		 */
		private int failureThreshold = 3;

		/**
		 * What a host does when every IP is blacklisted: serve from the least bad one, or fail.
		 */
		private AllBlacklistedPolicy allBlacklisted = AllBlacklistedPolicy.SERVE_LEAST_BAD;

		public Duration getCheckInterval() {
			return this.checkInterval;
		}

		public void setCheckInterval(Duration checkInterval) {
			this.checkInterval = checkInterval;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public int getFailureThreshold() {
			return this.failureThreshold;
		}

		public void setFailureThreshold(int failureThreshold) {
			this.failureThreshold = failureThreshold;
		}

		public AllBlacklistedPolicy getAllBlacklisted() {
			return this.allBlacklisted;
		}

		public void setAllBlacklisted(AllBlacklistedPolicy allBlacklisted) {
			this.allBlacklisted = allBlacklisted;
		}

	}

	public static class WarmUp {

		/**
		 * Whether start waits for warm-up (blocking) or returns at once (background).
		 */
		private WarmUpMode mode = WarmUpMode.BLOCKING;

		public WarmUpMode getMode() {
			return this.mode;
		}

		public void setMode(WarmUpMode mode) {
			this.mode = mode;
		}

		/**
		 * How long start-up waits for every host to be warm; warming goes on in the background past it.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		/**
		 * Most connections opened and probed at once.
		 */
		private int concurrency = 8;

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public int getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(int concurrency) {
			this.concurrency = concurrency;
		}

	}

	/**
	 * The request that warms and checks a connection.
	 */
	public static class Probe {

		/**
		 * HTTP method of the probe: HEAD, GET or OPTIONS.
		 */
		private String method = "HEAD";

		/**
		 * Path of the probe, starting with '/'.
		 */
		private String path = "/";

		/**
		 * HTTP statuses that prove a connection healthy, such as 2xx, 204 or 200-399.
		 */
		private List<String> successStatuses = new ArrayList<>(List.of("2xx", "3xx"));

		public String getMethod() {
			return this.method;
		}

		public void setMethod(String method) {
			this.method = method;
		}

		public String getPath() {
			return this.path;
		}

		public void setPath(String path) {
			this.path = path;
		}

		public List<String> getSuccessStatuses() {
			return this.successStatuses;
		}

		public void setSuccessStatuses(List<String> successStatuses) {
			this.successStatuses = successStatuses;
		}

	}

	/**
	 * TLS of the pool's connections.
	 */
	public static class Tls {

		/**
		 * Name of the SSL bundle (spring.ssl.bundle.*) whose trust store, and key store for mutual TLS, every host
		 * uses unless it names its own. When not set, the system trust store and no client certificate.
		 */
		private String bundle;

		/**
		 * Whether to use the JDK's TLS where Conscrypt cannot load on this platform, instead of failing start-up.
		 * The TLS fingerprint is then the JDK's.
		 */
		private boolean allowJdkFallback;

		/**
		 * TLS client profile (the ClientHello the pool presents and its headers): okhttp, chrome, firefox, jdk or the
		 * id of a custom profile; several separated by commas are taken in turn by new connections. When not set,
		 * okhttp.
		 */
		private String profile;

		/**
		 * Custom TLS profiles by id, usable in tls.profile and hosts[].tls.profile like the built-in ones. Keys of a
		 * profile: versions, cipher-suites (in order), named-groups, alpn, session-tickets, user-agent, headers.*
		 * and, to document and check it, target.client, target.version, target.ja4, expected-ja4 and difference.
		 * An unset key takes the okhttp profile's value.
		 */
		private Map<String, CustomProfile> customProfiles = new LinkedHashMap<>();

		/**
		 * Whether a profile setting the TLS stack cannot produce fails start-up instead of being dropped with a
		 * warning.
		 */
		private boolean strict;

		/**
		 * Whether start captures the pool's own ClientHello per profile in use on loopback, logs its JA4, JA4_r and
		 * JA3, warns when the JA4 is not the one the profile records, and reports them with the pool's statistics.
		 */
		private boolean selfTest = true;

		public boolean isStrict() {
			return this.strict;
		}

		public void setStrict(boolean strict) {
			this.strict = strict;
		}

		public boolean isSelfTest() {
			return this.selfTest;
		}

		public void setSelfTest(boolean selfTest) {
			this.selfTest = selfTest;
		}

		public String getBundle() {
			return this.bundle;
		}

		public void setBundle(String bundle) {
			this.bundle = bundle;
		}

		public boolean isAllowJdkFallback() {
			return this.allowJdkFallback;
		}

		public void setAllowJdkFallback(boolean allowJdkFallback) {
			this.allowJdkFallback = allowJdkFallback;
		}

		public String getProfile() {
			return this.profile;
		}

		public void setProfile(String profile) {
			this.profile = profile;
		}

		public Map<String, CustomProfile> getCustomProfiles() {
			return this.customProfiles;
		}

		public void setCustomProfiles(Map<String, CustomProfile> customProfiles) {
			this.customProfiles = customProfiles;
		}

	}

	/**
	 * A TLS profile defined in configuration. An unset value takes the okhttp profile's.
	 */
	public static class CustomProfile {

		/**
		 * TLS versions offered, as Java names: TLSv1.3, TLSv1.2. Default both.
		 */
		private List<String> versions;

		/**
		 * Cipher suites offered, as Java names, in the order sent. With TLS 1.3 on Conscrypt, TLS_AES_128_GCM_SHA256,
		 * TLS_AES_256_GCM_SHA384 and TLS_CHACHA20_POLY1305_SHA256 come first in that order. Default OkHttp's.
		 */
		private List<String> cipherSuites;

		/**
		 * Named groups (supported_groups and key shares) in preference order: X25519MLKEM768, X25519, P-256, P-384,
		 * P-521, MLKEM1024. Default Conscrypt's.
		 */
		private List<String> namedGroups;

		/**
		 * ALPN protocols offered, in order: h2 and http/1.1 (OkHttp needs http/1.1). Default both.
		 */
		private List<String> alpn;

		/**
		 * Whether the ClientHello carries the session_ticket extension. Default true.
		 */
		private Boolean sessionTickets;

		/**
		 * User-Agent sent when a request sets none. Default OkHttp's.
		 */
		private String userAgent;

		/**
		 * Headers, other than User-Agent, sent when a request does not set them, in order.
		 */
		private Map<String, String> headers = new LinkedHashMap<>();

		/**
		 * The JA4 the profile is expected to send on this stack: the start-up self-test warns when it sends another.
		 */
		private String expectedJa4;

		/**
		 * One line on what differs between the achieved and the target JA4, and why.
		 */
		private String difference;

		private final Target target = new Target();

		public List<String> getVersions() {
			return this.versions;
		}

		public void setVersions(List<String> versions) {
			this.versions = versions;
		}

		public List<String> getCipherSuites() {
			return this.cipherSuites;
		}

		public void setCipherSuites(List<String> cipherSuites) {
			this.cipherSuites = cipherSuites;
		}

		public List<String> getNamedGroups() {
			return this.namedGroups;
		}

		public void setNamedGroups(List<String> namedGroups) {
			this.namedGroups = namedGroups;
		}

		public List<String> getAlpn() {
			return this.alpn;
		}

		public void setAlpn(List<String> alpn) {
			this.alpn = alpn;
		}

		public Boolean getSessionTickets() {
			return this.sessionTickets;
		}

		public void setSessionTickets(Boolean sessionTickets) {
			this.sessionTickets = sessionTickets;
		}

		public String getUserAgent() {
			return this.userAgent;
		}

		public void setUserAgent(String userAgent) {
			this.userAgent = userAgent;
		}

		public Map<String, String> getHeaders() {
			return this.headers;
		}

		public void setHeaders(Map<String, String> headers) {
			this.headers = headers;
		}

		public String getExpectedJa4() {
			return this.expectedJa4;
		}

		public void setExpectedJa4(String expectedJa4) {
			this.expectedJa4 = expectedJa4;
		}

		public String getDifference() {
			return this.difference;
		}

		public void setDifference(String difference) {
			this.difference = difference;
		}

		public Target getTarget() {
			return this.target;
		}

	}

	/**
	 * The client a custom TLS profile imitates: all three values, or none.
	 */
	public static class Target {

		/**
		 * The client, such as Chrome desktop.
		 */
		private String client;

		/**
		 * The client's version targeted: targets move with releases.
		 */
		private String version;

		/**
		 * That client's JA4.
		 */
		private String ja4;

		public String getClient() {
			return this.client;
		}

		public void setClient(String client) {
			this.client = client;
		}

		public String getVersion() {
			return this.version;
		}

		public void setVersion(String version) {
			this.version = version;
		}

		public String getJa4() {
			return this.ja4;
		}

		public void setJa4(String ja4) {
			this.ja4 = ja4;
		}

	}

	/**
	 * Liveness of idle connections and the servers' keep-alive timeouts.
	 */
	public static class KeepAlive {

		/**
		 * How long an HTTP/1.1 connection may have been idle and still be leased without a liveness check (a read
		 * of at most 1ms for a close by the server); 0 checks every idle connection.
		 */
		private Duration aliveBypassWindow = Duration.ofMillis(500);

		/**
		 * How often idle connections are re-probed before their servers' keep-alive timeout, once it is known from
		 * a Keep-Alive header or an observed idle close: a connection idle for half of it is probed.
		 */
		private Duration checkInterval = Duration.ofSeconds(1);

		public Duration getAliveBypassWindow() {
			return this.aliveBypassWindow;
		}

		public void setAliveBypassWindow(Duration aliveBypassWindow) {
			this.aliveBypassWindow = aliveBypassWindow;
		}

		public Duration getCheckInterval() {
			return this.checkInterval;
		}

		public void setCheckInterval(Duration checkInterval) {
			this.checkInterval = checkInterval;
		}

	}

	/**
	 * Graceful shutdown of the pool.
	 */
	public static class Shutdown {

		/**
		 * How long shutdown waits for leased connections to be given back before closing them. Must not exceed
		 * spring.lifecycle.timeout-per-shutdown-phase.
		 */
		private Duration drainTimeout = Duration.ofSeconds(10);

		public Duration getDrainTimeout() {
			return this.drainTimeout;
		}

		public void setDrainTimeout(Duration drainTimeout) {
			this.drainTimeout = drainTimeout;
		}

	}

	/**
	 * Spring HTTP client integration.
	 */
	public static class Http {

		/**
		 * What the pool's ClientHttpRequestFactory does with a request to a host not listed under hotconnpool.hosts
		 * (or not https): refuse it, or send it over a plain OkHttp client with the pool's TLS set-up.
		 */
		private OtherHostsPolicy otherHosts = OtherHostsPolicy.REFUSE;

		private final RestClientIntegration restClient = new RestClientIntegration();

		private final FactoryBuilder factoryBuilder = new FactoryBuilder();

		public OtherHostsPolicy getOtherHosts() {
			return this.otherHosts;
		}

		public void setOtherHosts(OtherHostsPolicy otherHosts) {
			this.otherHosts = otherHosts;
		}

		public RestClientIntegration getRestClient() {
			return this.restClient;
		}

		public FactoryBuilder getFactoryBuilder() {
			return this.factoryBuilder;
		}

	}

	/**
	 * Spring Boot's ClientHttpRequestFactoryBuilder.
	 */
	public static class FactoryBuilder {

		/**
		 * Whether Spring Boot's ClientHttpRequestFactoryBuilder is the pool's, so that RestClient.Builder,
		 * RestTemplateBuilder and HTTP service groups send requests through it. spring.http.clients.* settings the
		 * pool cannot honour then fail start-up. Off by default, like rest-client.enabled.
		 */
		private boolean enabled;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Micrometer metrics of the pool.
	 */
	public static class Metrics {

		/**
		 * Whether the meters of one address carry an ip tag; without it they are per host, which bounds the number
		 * of series by the number of hosts.
		 */
		private boolean ipTag = true;

		public boolean isIpTag() {
			return this.ipTag;
		}

		public void setIpTag(boolean ipTag) {
			this.ipTag = ipTag;
		}

	}

	/**
	 * HTTP/2 connections: each carries many leases at once, one stream each.
	 */
	public static class Http2 {

		/**
		 * Most leases (streams) one HTTP/2 connection carries at once; the server's SETTINGS_MAX_CONCURRENT_STREAMS
		 * lowers it further. 1 leases a whole HTTP/2 connection as an HTTP/1.1 one.
		 */
		private int maxStreamsPerConnection = 100;

		/**
		 * How often each HTTP/2 connection sends a PING; one not answered before the next is due closes the
		 * connection, which is then retired and replaced in the background. 0 turns pings off.
		 */
		private Duration pingInterval = Duration.ofSeconds(30);

		public int getMaxStreamsPerConnection() {
			return this.maxStreamsPerConnection;
		}

		public void setMaxStreamsPerConnection(int maxStreamsPerConnection) {
			this.maxStreamsPerConnection = maxStreamsPerConnection;
		}

		public Duration getPingInterval() {
			return this.pingInterval;
		}

		public void setPingInterval(Duration pingInterval) {
			this.pingInterval = pingInterval;
		}

	}

	/**
	 * Spring Boot's auto-configured RestClient.Builder.
	 */
	public static class RestClientIntegration {

		/**
		 * Whether every RestClient built from Spring Boot's RestClient.Builder sends its requests through the pool.
		 * Off by default: it changes the transport of every such client in the application, including those of
		 * other libraries.
		 */
		private boolean enabled;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * One target host. A value left unset inherits the pool-wide one.
	 */
	public static class Host {

		/**
		 * Host name, optionally with a port (api.example.com or api.example.com:8443); https is implied.
		 */
		private String host;

		/**
		 * The https port, when not given with the host name. Default 443.
		 */
		private Integer port;

		/**
		 * Static IP addresses always used for this host, in addition to DNS when it is enabled.
		 */
		private List<String> addresses = new ArrayList<>();

		/**
		 * Whether the host name is resolved for more addresses. Default true.
		 */
		private Boolean dnsEnabled;

		/**
		 * Warm connections kept per IP address of this host.
		 */
		private Integer connectionsPerIp;

		/**
		 * Most connections to this host at once.
		 */
		private Integer maxConnections;

		/**
		 * HTTP statuses that set the answering IP aside.
		 */
		private List<String> blacklistStatuses;

		private final HostProbe probe = new HostProbe();

		private final HostTls tls = new HostTls();

		public String getHost() {
			return this.host;
		}

		public void setHost(String host) {
			this.host = host;
		}

		public Integer getPort() {
			return this.port;
		}

		public void setPort(Integer port) {
			this.port = port;
		}

		public List<String> getAddresses() {
			return this.addresses;
		}

		public void setAddresses(List<String> addresses) {
			this.addresses = addresses;
		}

		public Boolean getDnsEnabled() {
			return this.dnsEnabled;
		}

		public void setDnsEnabled(Boolean dnsEnabled) {
			this.dnsEnabled = dnsEnabled;
		}

		public Integer getConnectionsPerIp() {
			return this.connectionsPerIp;
		}

		public void setConnectionsPerIp(Integer connectionsPerIp) {
			this.connectionsPerIp = connectionsPerIp;
		}

		public Integer getMaxConnections() {
			return this.maxConnections;
		}

		public void setMaxConnections(Integer maxConnections) {
			this.maxConnections = maxConnections;
		}

		public List<String> getBlacklistStatuses() {
			return this.blacklistStatuses;
		}

		public void setBlacklistStatuses(List<String> blacklistStatuses) {
			this.blacklistStatuses = blacklistStatuses;
		}

		public HostProbe getProbe() {
			return this.probe;
		}

		public HostTls getTls() {
			return this.tls;
		}

	}

	/**
	 * A host's probe; a value left unset inherits the pool-wide one.
	 */
	public static class HostProbe {

		/**
		 * HTTP method of the probe: HEAD, GET or OPTIONS.
		 */
		private String method;

		/**
		 * Path of the probe, starting with '/'.
		 */
		private String path;

		/**
		 * HTTP statuses that prove a connection healthy.
		 */
		private List<String> successStatuses;

		public String getMethod() {
			return this.method;
		}

		public void setMethod(String method) {
			this.method = method;
		}

		public String getPath() {
			return this.path;
		}

		public void setPath(String path) {
			this.path = path;
		}

		public List<String> getSuccessStatuses() {
			return this.successStatuses;
		}

		public void setSuccessStatuses(List<String> successStatuses) {
			this.successStatuses = successStatuses;
		}

	}

	/**
	 * A host's TLS; a value left unset inherits the pool-wide one.
	 */
	public static class HostTls {

		/**
		 * Name of the SSL bundle whose trust store (and key store, for mutual TLS) this host uses.
		 */
		private String bundle;

		/**
		 * TLS client profile of this host: okhttp, chrome, firefox, jdk or the id of a custom profile; several
		 * separated by commas are taken in turn by new connections.
		 */
		private String profile;

		public String getBundle() {
			return this.bundle;
		}

		public void setBundle(String bundle) {
			this.bundle = bundle;
		}

		public String getProfile() {
			return this.profile;
		}

		public void setProfile(String profile) {
			this.profile = profile;
		}

	}

}
