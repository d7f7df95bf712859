package io.hotconnpool.pool;

import java.time.Duration;

import io.hotconnpool.http.OtherHostsPolicy;

/**
 * The groups of {@link HotConnPoolConfig} about the pool as a whole and its integrations: blacklist, shutdown,
 * health, metrics and Spring's HTTP clients. A superclass, for the reason {@link ConnectionConfigGroups} gives.
 */
public abstract class PoolConfigGroups extends ConnectionConfigGroups {

	private final Blacklist blacklist = new Blacklist();

	private final Shutdown shutdown = new Shutdown();

	private final Health health = new Health();

	private final Metrics metrics = new Metrics();

	private final Http http = new Http();

	public Blacklist getBlacklist() {
		return this.blacklist;
	}

	public Shutdown getShutdown() {
		return this.shutdown;
	}

	public Health getHealth() {
		return this.health;
	}

	public Metrics getMetrics() {
		return this.metrics;
	}

	public Http getHttp() {
		return this.http;
	}

	@Override
	void seal(String path) {
		super.seal(path);
		this.blacklist.seal(path + "blacklist.");
		this.shutdown.seal(path + "shutdown.");
		this.health.seal(path + "health.");
		this.metrics.seal(path + "metrics.");
		this.http.seal(path + "http.");
		this.http.restClient.seal(path + "http.rest-client.");
		this.http.factoryBuilder.seal(path + "http.factory-builder.");
	}

	/**
	 * Setting aside IPs that fail or answer a blacklist status, and testing them again.
	 */
	public static class Blacklist extends ConfigGroup {

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
			checkIfSealed("check-interval");
			this.checkInterval = checkInterval;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			checkIfSealed("ttl");
			this.ttl = ttl;
		}

		public int getFailureThreshold() {
			return this.failureThreshold;
		}

		public void setFailureThreshold(int failureThreshold) {
			checkIfSealed("failure-threshold");
			this.failureThreshold = failureThreshold;
		}

		public AllBlacklistedPolicy getAllBlacklisted() {
			return this.allBlacklisted;
		}

		public void setAllBlacklisted(AllBlacklistedPolicy allBlacklisted) {
			checkIfSealed("all-blacklisted");
			this.allBlacklisted = allBlacklisted;
		}

	}

	/**
	 * Graceful shutdown of the pool.
	 */
	public static class Shutdown extends ConfigGroup {

		/**
		 * How long shutdown waits for leased connections to be given back before closing them. Must not exceed
		 * spring.lifecycle.timeout-per-shutdown-phase.
		 */
		private Duration drainTimeout = Duration.ofSeconds(10);

		public Duration getDrainTimeout() {
			return this.drainTimeout;
		}

		public void setDrainTimeout(Duration drainTimeout) {
			checkIfSealed("drain-timeout");
			this.drainTimeout = drainTimeout;
		}

	}

	/**
	 * The hotconnpool health indicator: when a host is down, and what that does to the application's health.
	 */
	public static class Health extends ConfigGroup {

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
			checkIfSealed("min-healthy-per-host");
			this.minHealthyPerHost = minHealthyPerHost;
		}

		public Duration getWindow() {
			return this.window;
		}

		public void setWindow(Duration window) {
			checkIfSealed("window");
			this.window = window;
		}

		public int getMinimumNumberOfCalls() {
			return this.minimumNumberOfCalls;
		}

		public void setMinimumNumberOfCalls(int minimumNumberOfCalls) {
			checkIfSealed("minimum-number-of-calls");
			this.minimumNumberOfCalls = minimumNumberOfCalls;
		}

		public int getFailureRateThreshold() {
			return this.failureRateThreshold;
		}

		public void setFailureRateThreshold(int failureRateThreshold) {
			checkIfSealed("failure-rate-threshold");
			this.failureRateThreshold = failureRateThreshold;
		}

		public boolean isAllowToFail() {
			return this.allowToFail;
		}

		public void setAllowToFail(boolean allowToFail) {
			checkIfSealed("allow-to-fail");
			this.allowToFail = allowToFail;
		}

	}

	/**
	 * Micrometer metrics of the pool.
	 */
	public static class Metrics extends ConfigGroup {

		/**
		 * Whether the meters of one address carry an ip tag; without it they are per host, which bounds the number
		 * of series by the number of hosts.
		 */
		private boolean ipTag = true;

		public boolean isIpTag() {
			return this.ipTag;
		}

		public void setIpTag(boolean ipTag) {
			checkIfSealed("ip-tag");
			this.ipTag = ipTag;
		}

	}

	/**
	 * Spring HTTP client integration.
	 */
	public static class Http extends ConfigGroup {

		/**
		 * What the pool's ClientHttpRequestFactory does with a request to a host not listed under hotconnpool.hosts
		 * (or not https): refuse it, or send it over a plain OkHttp client with the pool's TLS set-up.
		 */
		private OtherHostsPolicy otherHosts = OtherHostsPolicy.REFUSE;

		private final RestClient restClient = new RestClient();

		private final FactoryBuilder factoryBuilder = new FactoryBuilder();

		public OtherHostsPolicy getOtherHosts() {
			return this.otherHosts;
		}

		public void setOtherHosts(OtherHostsPolicy otherHosts) {
			checkIfSealed("other-hosts");
			this.otherHosts = otherHosts;
		}

		public RestClient getRestClient() {
			return this.restClient;
		}

		public FactoryBuilder getFactoryBuilder() {
			return this.factoryBuilder;
		}

	}

	/**
	 * Spring Boot's auto-configured RestClient.Builder.
	 */
	public static class RestClient extends ConfigGroup {

		/**
		 * Whether every RestClient built from Spring Boot's RestClient.Builder sends its requests through the pool.
		 * Off by default: it changes the transport of every such client in the application, including those of
		 * other libraries.
		 */
		private boolean enabled = false;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			checkIfSealed("enabled");
			this.enabled = enabled;
		}

	}

	/**
	 * Spring Boot's ClientHttpRequestFactoryBuilder.
	 */
	public static class FactoryBuilder extends ConfigGroup {

		/**
		 * Whether Spring Boot's ClientHttpRequestFactoryBuilder is the pool's, so that RestClient.Builder,
		 * RestTemplateBuilder and HTTP service groups send requests through it. spring.http.clients.* settings the
		 * pool cannot honour then fail start-up. Off by default, like rest-client.enabled.
		 */
		private boolean enabled = false;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			checkIfSealed("enabled");
			this.enabled = enabled;
		}

	}

}
