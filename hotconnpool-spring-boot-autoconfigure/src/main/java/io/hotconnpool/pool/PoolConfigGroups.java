package io.hotconnpool.pool;

import java.time.Duration;

import io.hotconnpool.http.OtherHostsPolicy;
import lombok.Getter;
import lombok.Setter;

/**
 * The groups of {@link HotConnPoolConfig} about the pool as a whole and its integrations: blacklist, shutdown,
 * health, metrics and Spring's HTTP clients. A superclass, for the reason {@link ConnectionConfigGroups} gives.
 */
@Getter
public abstract class PoolConfigGroups extends ConnectionConfigGroups {

	private final Blacklist blacklist = new Blacklist();

	private final Shutdown shutdown = new Shutdown();

	private final Health health = new Health();

	private final Metrics metrics = new Metrics();

	private final Http http = new Http();

	/**
	 * Setting aside IPs that fail or answer a blacklist status, and testing them again.
	 */
	@Getter
	@Setter
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

	}

	/**
	 * Graceful shutdown of the pool.
	 */
	@Getter
	@Setter
	public static class Shutdown extends ConfigGroup {

		/**
		 * How long shutdown waits for leased connections to be given back before closing them. Must not exceed
		 * spring.lifecycle.timeout-per-shutdown-phase.
		 */
		private Duration drainTimeout = Duration.ofSeconds(10);

	}

	/**
	 * The hotconnpool health indicator: when a host is down, and what that does to the application's health.
	 */
	@Getter
	@Setter
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

	}

	/**
	 * Micrometer metrics of the pool.
	 */
	@Getter
	@Setter
	public static class Metrics extends ConfigGroup {

		/**
		 * Whether the meters of one address carry an ip tag; without it they are per host, which bounds the number
		 * of series by the number of hosts.
		 */
		private boolean ipTag = true;

	}

	/**
	 * Spring HTTP client integration.
	 */
	@Getter
	@Setter
	public static class Http extends ConfigGroup {

		/**
		 * What the pool's ClientHttpRequestFactory does with a request to a host not listed under hotconnpool.hosts
		 * (or not https): refuse it, or send it over a plain OkHttp client with the pool's TLS set-up.
		 */
		private OtherHostsPolicy otherHosts = OtherHostsPolicy.REFUSE;

		private final RestClient restClient = new RestClient();

		private final FactoryBuilder factoryBuilder = new FactoryBuilder();

	}

	/**
	 * Spring Boot's auto-configured RestClient.Builder.
	 */
	@Getter
	@Setter
	public static class RestClient extends ConfigGroup {

		/**
		 * Whether every RestClient built from Spring Boot's RestClient.Builder sends its requests through the pool.
		 * Off by default: it changes the transport of every such client in the application, including those of
		 * other libraries.
		 */
		private boolean enabled = false;

	}

	/**
	 * Spring Boot's ClientHttpRequestFactoryBuilder.
	 */
	@Getter
	@Setter
	public static class FactoryBuilder extends ConfigGroup {

		/**
		 * Whether Spring Boot's ClientHttpRequestFactoryBuilder is the pool's, so that RestClient.Builder,
		 * RestTemplateBuilder and HTTP service groups send requests through it. spring.http.clients.* settings the
		 * pool cannot honour then fail start-up. Off by default, like rest-client.enabled.
		 */
		private boolean enabled = false;

	}

}
