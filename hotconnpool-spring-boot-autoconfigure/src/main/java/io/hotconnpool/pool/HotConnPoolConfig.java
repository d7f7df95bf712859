package io.hotconnpool.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import io.hotconnpool.tls.TlsProfile;
import lombok.AccessLevel;
import lombok.Getter;
import lombok.Setter;

/**
 * The configuration of a {@link HotConnPool}: a JavaBean, bound by Spring Boot from the {@code hotconnpool.*}
 * properties or set in code. A property is a field: its Javadoc is the property's description, its initial value the
 * default, and Lombok writes its getter and setter. Pool-wide values are the defaults of every host, and a host
 * value left unset inherits the pool-wide one. {@link #validate()} checks every value and names the property at
 * fault ({@code hotconnpool.hosts[1].connections-per-ip}). Building a pool freezes what it runs on: the pool takes a
 * validated copy, so a change made to this object afterwards reaches no pool built before it (build another).
 * <pre class="code">
 * HotConnPoolConfig config = new HotConnPoolConfig();
 * config.addHost("api.example.com").setConnectionsPerIp(4);
 * HotConnPool pool = HotConnPool.builder(config).build();
 * </pre>
 */
@Getter
@Setter
public class HotConnPoolConfig extends PoolConfigGroups {

	/** The prefix of every property. */
	public static final String PREFIX = "hotconnpool.";

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
	 * Deadline of a probe request: a warm-up, a health check, or the check of a retry's connection.
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
	private List<HostConfig> hosts = new ArrayList<>();

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
	 * How long a lease may be held before it is logged once with its acquirer's stack trace; 0 turns it off, else
	 * at least 100ms.
	 */
	private Duration leakDetectionThreshold = Duration.ZERO;

	/**
	 * SmartLifecycle phase of the pool: below Spring's executors and the web server, so it warms before traffic
	 * and closes after the server drained.
	 */
	private int lifecyclePhase = 1073740799; // Integer.MAX_VALUE / 2 - 1024, as a literal for the metadata

	/** Looks up an SSL bundle's material by name; not a property. */
	@Getter(AccessLevel.NONE)
	@Setter(AccessLevel.NONE)
	private Function<String, TlsMaterial> tlsBundles;

	/** What {@link #validate()} resolved: the hosts, then the values of hosts warmed on first use. */
	@Getter(AccessLevel.NONE)
	@Setter(AccessLevel.NONE)
	private List<HostSettings> hostSettings;

	@Getter(AccessLevel.NONE)
	@Setter(AccessLevel.NONE)
	private HostSettings hostDefaults;

	/**
	 * Adds a host entry, to be completed with its setters.
	 * @param target {@code host} or {@code host:port}
	 * @return the new entry
	 */
	public HostConfig addHost(String target) {
		HostConfig host = new HostConfig();
		host.setHost(target);
		this.hosts.add(host);
		return host;
	}

	/**
	 * Sets how SSL bundles named in {@code tls.bundle} values are found, as the auto-configuration does with
	 * Spring Boot's bundles.
	 * @param bundles the material of a bundle by name; throws {@link IllegalArgumentException} saying what a valid
	 * name is when there is no such bundle
	 */
	public void useTlsBundles(Function<String, TlsMaterial> bundles) {
		this.tlsBundles = Objects.requireNonNull(bundles, "bundles");
	}

	/**
	 * Checks every value, resolves each host entry against the pool-wide values, and keeps the result for the
	 * pool.
	 * @throws InvalidSettingException naming the first property at fault, its value and what is expected
	 */
	public void validate() {
		ConfigResolver resolver = new ConfigResolver(this, this.tlsBundles);
		this.hostDefaults = resolver.hostDefaults();
		this.hostSettings = resolver.hosts();
	}

	/**
	 * A validated copy of this configuration, as a pool takes when it is built and runs on: changes made to this
	 * object afterwards reach no copy taken before them.
	 * @return the copy, resolved ({@link #hostSettings()})
	 * @throws InvalidSettingException naming the first property at fault
	 */
	public HotConnPoolConfig validatedCopy() {
		HotConnPoolConfig copy = copy();
		copy.validate();
		return copy;
	}

	/**
	 * The host entries as the pool reads them, resolved against the pool-wide values.
	 * @return the hosts, in the order configured
	 * @throws IllegalStateException before {@link #validate()}
	 */
	public List<HostSettings> hostSettings() {
		requireValidated();
		return this.hostSettings;
	}

	/** The values of a host warmed on first use ({@link UnknownHostPolicy#WARM_ON_FIRST_USE}). */
	HostSettings settingsForUnknownHost(String host, int port) {
		HostSettings d = this.hostDefaults;
		return new HostSettings(host, port, List.of(), true, d.connectionsPerIp(), d.maxConnections(),
				d.probeMethod(), d.probePath(), d.probeSuccessStatuses(), d.blacklistStatuses(), d.tls(),
				d.tlsProfiles());
	}

	/**
	 * The TLS profiles, taken in turn by new connections, of hosts that do not name their own.
	 * @return the profiles, resolved by {@link #validate()}
	 * @throws IllegalStateException before {@link #validate()}
	 */
	public List<TlsProfile> defaultTlsProfiles() {
		requireValidated();
		return this.hostDefaults.tlsProfiles();
	}

	/**
	 * The TLS material of hosts that do not name their own bundle.
	 * @return the material, resolved by {@link #validate()}
	 * @throws IllegalStateException before {@link #validate()}
	 */
	public TlsMaterial defaultTls() {
		requireValidated();
		return this.hostDefaults.tls();
	}

	private void requireValidated() {
		if (this.hostDefaults == null) {
			throw new IllegalStateException("The configuration is not validated: call validate(), or read the one a"
					+ " pool runs on with pool.config()");
		}
	}

}
