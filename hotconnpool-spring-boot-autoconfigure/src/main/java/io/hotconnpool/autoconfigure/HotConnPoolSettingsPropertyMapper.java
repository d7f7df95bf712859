package io.hotconnpool.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.KeyManagerFactory;

import io.hotconnpool.pool.HostSettings;
import io.hotconnpool.pool.HotConnPoolSettings;
import io.hotconnpool.pool.HotConnPoolSettings.HostBuilder;
import io.hotconnpool.pool.InvalidSettingException;
import io.hotconnpool.pool.StatusSet;
import io.hotconnpool.pool.TlsMaterial;
import io.hotconnpool.tls.TlsProfile;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.util.StringUtils;

/**
 * Maps {@link HotConnPoolProperties} to {@link HotConnPoolSettings}, checking every value on the way. Failures are
 * {@link InvalidSettingException}s named after the property as the user wrote it, list index included
 * ({@code hotconnpool.hosts[1].connections-per-ip}).
 * <p>
 * The pool's own rules are applied by building the settings: pool-wide values alone first, then each host alone,
 * so that the pool's names for a failing setting ({@code hotconnpool.hosts[<host name>].x}) can be translated to
 * the property at fault. Rules the pool does not know (TLS profiles, SSL bundles, addresses, drain timeout,
 * connections per IP above the maximum) are checked here.
 */
final class HotConnPoolSettingsPropertyMapper {

	/** The TLS profile names; a placeholder until {@code io.hotconnpool.tls} publishes its profiles. */
	static final List<String> TLS_PROFILES = TlsProfile.builtInIds();

	/** Default of {@code spring.lifecycle.timeout-per-shutdown-phase}. */
	static final Duration DEFAULT_SHUTDOWN_PHASE_TIMEOUT = Duration.ofSeconds(30);

	private static final String PREFIX = "hotconnpool.";

	/** How the pool names a host's setting: {@code hotconnpool.hosts[<host name>].<field>}. */
	private static final Pattern POOL_HOST_SETTING = Pattern.compile("hotconnpool\\.hosts\\[[^\\]]*\\]\\.");

	private static final List<ChronoUnit> READABLE_UNITS = List.of(ChronoUnit.DAYS, ChronoUnit.HOURS,
			ChronoUnit.MINUTES, ChronoUnit.SECONDS, ChronoUnit.MILLIS);

	private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

	/**
	 * Hex digits, colons and dots (an embedded IPv4), then an optional zone: InetAddress parses such text as a
	 * literal, while other text with a colon in it (zz::1) is looked up in DNS.
	 */
	private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:][0-9a-fA-F:.]*(%[\\w.-]+)?");

	private final HotConnPoolProperties properties;

	private final SslBundles sslBundles;

	private final Duration shutdownPhaseTimeout;

	/** One instance per bundle name: the pool builds one TLS context per distinct material. */
	private final Map<String, TlsMaterial> tlsByBundle = new HashMap<>();

	/**
	 * Creates a mapper.
	 * @param properties the bound properties
	 * @param sslBundles the SSL bundles, or {@code null} when there are none
	 * @param shutdownPhaseTimeout the value of {@code spring.lifecycle.timeout-per-shutdown-phase}
	 */
	HotConnPoolSettingsPropertyMapper(HotConnPoolProperties properties, SslBundles sslBundles,
			Duration shutdownPhaseTimeout) {
		this.properties = properties;
		this.sslBundles = sslBundles;
		this.shutdownPhaseTimeout = shutdownPhaseTimeout;
	}

	/**
	 * Checks every property and builds the settings.
	 * @return the settings
	 * @throws InvalidSettingException naming the first property at fault
	 */
	HotConnPoolSettings map() {
		HotConnPoolProperties pool = this.properties;
		HotConnPoolProperties.Probe probe = pool.getProbe();
		StatusSet successStatuses = statuses(PREFIX + "probe.success-statuses", probe.getSuccessStatuses());
		StatusSet blacklistStatuses = statuses(PREFIX + "blacklist-statuses", pool.getBlacklistStatuses());
		TlsMaterial tls = tls(PREFIX + "tls.bundle", pool.getTls().getBundle(), TlsMaterial.SYSTEM);
		List<TlsProfile> poolProfiles = profiles(PREFIX + "tls.profile", pool.getTls().getProfile());
		List<TlsProfile> profiles = (poolProfiles != null) ? poolProfiles : List.of(TlsProfile.defaultProfile());
		UnaryOperator<HostBuilder> defaults = (host) -> host.connectionsPerIp(pool.getConnectionsPerIp())
			.maxConnections(pool.getMaxConnectionsPerHost())
			.probe(probe.getMethod(), probe.getPath())
			.probeSuccessStatuses(successStatuses)
			.blacklistStatuses(blacklistStatuses)
			.tls(tls)
			.tlsProfiles(profiles);
		checked(PREFIX, (field) -> field.equals("max-connections") ? "max-connections-per-host" : field,
				() -> poolWide(defaults).build());
		requireAtMost(PREFIX + "connections-per-ip", pool.getConnectionsPerIp(), PREFIX + "max-connections-per-host",
				pool.getMaxConnectionsPerHost());
		requireDrainTimeout(pool.getShutdown().getDrainTimeout());
		HotConnPoolSettings.Builder settings = poolWide(defaults);
		Map<String, Integer> seen = new HashMap<>();
		List<HotConnPoolProperties.Host> hosts = pool.getHosts();
		for (int i = 0; i < hosts.size(); i++) {
			String prefix = PREFIX + "hosts[" + i + "].";
			HotConnPoolProperties.Host host = hosts.get(i);
			String target = target(prefix, host);
			UnaryOperator<HostBuilder> overrides = overrides(prefix, host, tls);
			// A port given with the host name is reported on the host property, where it was written.
			UnaryOperator<String> field = (name) -> (name.equals("port") && host.getPort() == null) ? "host" : name;
			HostSettings alone = checked(prefix, field, () -> poolWide(defaults).host(target, overrides).build())
				.hosts()
				.get(0);
			requireConnectionsWithinMaximum(prefix, host, alone);
			Integer first = seen.putIfAbsent(alone.host() + ":" + alone.port(), i);
			if (first != null) {
				throw new InvalidSettingException(prefix + "host", host.getHost(), "each host and port only once ("
						+ alone.host() + ":" + alone.port() + " is hotconnpool.hosts[" + first + "] already)");
			}
			settings.host(target, overrides);
		}
		return settings.build();
	}

	private HotConnPoolSettings.Builder poolWide(UnaryOperator<HostBuilder> defaults) {
		HotConnPoolProperties pool = this.properties;
		if (pool.getUnknownHosts() == null) {
			throw new InvalidSettingException(PREFIX + "unknown-hosts", null, "warm-on-first-use or refuse");
		}
		return HotConnPoolSettings.builder()
			.unknownHosts(pool.getUnknownHosts())
			.maxHosts(pool.getMaxHosts())
			.acquireTimeout(pool.getAcquireTimeout())
			.connectTimeout(pool.getConnectTimeout())
			.tlsHandshakeTimeout(pool.getTlsHandshakeTimeout())
			.readTimeout(pool.getReadTimeout())
			.writeTimeout(pool.getWriteTimeout())
			.callTimeout(pool.getCallTimeout())
			.probeTimeout(pool.getProbeTimeout())
			.resolveTimeout(pool.getResolveTimeout())
			.warmUpTimeout(pool.getWarmUp().getTimeout())
			.warmUpConcurrency(pool.getWarmUp().getConcurrency())
			.allowJdkTlsFallback(pool.getTls().isAllowJdkFallback())
			.tlsStrict(pool.getTls().isStrict())
			.tlsSelfTest(pool.getTls().isSelfTest())
			.warmUpMode(required(PREFIX + "warm-up.mode", pool.getWarmUp().getMode(), "blocking or background"))
			.healthCheckInterval(pool.getHealthCheckInterval())
			.healthCheckIdleThreshold(pool.getHealthCheckIdleThreshold())
			.cleanupInterval(pool.getCleanupInterval())
			.maxLifetime(pool.getMaxLifetime())
			.idleTimeout(pool.getIdleTimeout())
			.dnsUpdateInterval(pool.getDnsUpdateInterval())
			.blacklistCheckInterval(pool.getBlacklist().getCheckInterval())
			.blacklistTtl(pool.getBlacklist().getTtl())
			.blacklistFailureThreshold(pool.getBlacklist().getFailureThreshold())
			.allBlacklisted(required(PREFIX + "blacklist.all-blacklisted", pool.getBlacklist().getAllBlacklisted(),
					"serve-least-bad or fail"))
			.drainTimeout(pool.getShutdown().getDrainTimeout())
			.retryOnConnectionFailure(pool.isRetryOnConnectionFailure())
			.leakDetectionThreshold(pool.getLeakDetectionThreshold())
			.hostDefaults(defaults);
	}

	private static <T> T required(String setting, T value, String expected) {
		if (value == null) {
			throw new InvalidSettingException(setting, null, expected);
		}
		return value;
	}

	private static String target(String prefix, HotConnPoolProperties.Host host) {
		String name = host.getHost();
		if (!StringUtils.hasText(name)) {
			throw new InvalidSettingException(prefix + "host", name, "a host name such as api.example.com");
		}
		String target = name.trim();
		if (host.getPort() == null) {
			return target;
		}
		int colon = target.lastIndexOf(':');
		if (colon < 0) {
			return target + ":" + host.getPort();
		}
		if (!target.substring(colon + 1).equals(String.valueOf(host.getPort()))) {
			throw new InvalidSettingException(prefix + "port", host.getPort(),
					"the port given with the host (" + target + "), or no port property at all");
		}
		return target;
	}

	private UnaryOperator<HostBuilder> overrides(String prefix, HotConnPoolProperties.Host host,
			TlsMaterial poolTls) {
		List<InetAddress> addresses = addresses(prefix, host.getAddresses());
		HotConnPoolProperties.HostProbe probe = host.getProbe();
		StatusSet successStatuses = (probe.getSuccessStatuses() != null)
				? statuses(prefix + "probe.success-statuses", probe.getSuccessStatuses()) : null;
		StatusSet blacklistStatuses = (host.getBlacklistStatuses() != null)
				? statuses(prefix + "blacklist-statuses", host.getBlacklistStatuses()) : null;
		List<TlsProfile> profiles = profiles(prefix + "tls.profile", host.getTls().getProfile());
		TlsMaterial tls = tls(prefix + "tls.bundle", host.getTls().getBundle(), poolTls);
		HotConnPoolProperties.Probe poolProbe = this.properties.getProbe();
		String probeMethod = (probe.getMethod() != null) ? probe.getMethod() : poolProbe.getMethod();
		String probePath = (probe.getPath() != null) ? probe.getPath() : poolProbe.getPath();
		return (builder) -> {
			builder.staticAddresses(addresses).probe(probeMethod, probePath).tls(tls);
			if (profiles != null) {
				builder.tlsProfiles(profiles);
			}
			if (host.getDnsEnabled() != null) {
				builder.dnsEnabled(host.getDnsEnabled());
			}
			if (host.getConnectionsPerIp() != null) {
				builder.connectionsPerIp(host.getConnectionsPerIp());
			}
			if (host.getMaxConnections() != null) {
				builder.maxConnections(host.getMaxConnections());
			}
			if (successStatuses != null) {
				builder.probeSuccessStatuses(successStatuses);
			}
			if (blacklistStatuses != null) {
				builder.blacklistStatuses(blacklistStatuses);
			}
			return builder;
		};
	}

	private static List<InetAddress> addresses(String prefix, List<String> addresses) {
		List<InetAddress> parsed = new ArrayList<>();
		for (int i = 0; i < addresses.size(); i++) {
			String address = addresses.get(i);
			String literal = (address != null) ? address.trim().replaceAll("^\\[(.*)]$", "$1") : "";
			InvalidSettingException invalid = new InvalidSettingException(prefix + "addresses[" + i + "]", address,
					"an IP address such as 192.0.2.10 or 2001:db8::10 (a host name would need DNS: use host)");
			if (!isIpLiteral(literal)) {
				throw invalid;
			}
			try {
				// Never a DNS look-up: the text is an IP literal.
				parsed.add(InetAddress.getByName(literal));
			}
			catch (UnknownHostException ex) {
				invalid.initCause(ex);
				throw invalid;
			}
		}
		return parsed;
	}

	private static boolean isIpLiteral(String text) {
		Matcher ipv4 = IPV4.matcher(text);
		if (ipv4.matches()) {
			for (int group = 1; group <= 4; group++) {
				if (Integer.parseInt(ipv4.group(group)) > 255) {
					return false;
				}
			}
			return true;
		}
		return text.contains(":") && IPV6.matcher(text).matches();
	}

	private static StatusSet statuses(String setting, List<String> statuses) {
		List<String> specs = (statuses != null) ? statuses : List.of();
		try {
			return StatusSet.of(specs);
		}
		catch (IllegalArgumentException ex) {
			InvalidSettingException invalid = new InvalidSettingException(setting, String.join(",", specs),
					"HTTP statuses such as 200, 2xx or 500-503 (" + ex.getMessage() + ")");
			invalid.initCause(ex);
			throw invalid;
		}
	}

	private TlsMaterial tls(String setting, String bundleName, TlsMaterial inherited) {
		if (!StringUtils.hasText(bundleName)) {
			return inherited;
		}
		return this.tlsByBundle.computeIfAbsent(bundleName, (name) -> {
			if (this.sslBundles == null) {
				throw new InvalidSettingException(setting, name,
						"the name of an SSL bundle configured under spring.ssl.bundle (none is configured)");
			}
			SslBundle bundle;
			try {
				bundle = this.sslBundles.getBundle(name);
			}
			catch (NoSuchSslBundleException ex) {
				InvalidSettingException invalid = new InvalidSettingException(setting, name,
						"the name of an SSL bundle configured under spring.ssl.bundle (configured: "
								+ this.sslBundles.getBundleNames() + ")");
				invalid.initCause(ex);
				throw invalid;
			}
			SslStoreBundle stores = bundle.getStores();
			// Without a key store the bundle holds no client certificate: no key managers, so no mutual TLS.
			KeyManagerFactory keyManagers = (stores.getKeyStore() != null) ? bundle.getManagers().getKeyManagerFactory()
					: null;
			return new TlsMaterial(stores.getTrustStore(), keyManagers);
		});
	}

	/**
	 * One profile id, or several separated by commas that new connections take in turn.
	 * @return the profiles, or {@code null} when none is named
	 */
	private static List<TlsProfile> profiles(String setting, String text) {
		if (!StringUtils.hasText(text)) {
			return null;
		}
		List<TlsProfile> profiles = new ArrayList<>();
		for (String id : text.split(",")) {
			String normalized = id.trim().toLowerCase(Locale.ROOT);
			if (!TLS_PROFILES.contains(normalized)) {
				throw new InvalidSettingException(setting, text,
						"one of " + TLS_PROFILES + ", or several separated by commas to rotate per connection");
			}
			profiles.add(TlsProfile.builtIn(normalized));
		}
		return profiles;
	}

	private static void requireAtMost(String setting, int value, String maximumSetting, int maximum) {
		if (value > maximum) {
			throw new InvalidSettingException(setting, value, "at most " + maximumSetting + " (" + maximum
					+ "): a host cannot hold more warm connections per IP than connections in all");
		}
	}

	/** Names the host's own property at fault: the pool-wide pair was checked already. */
	private static void requireConnectionsWithinMaximum(String prefix, HotConnPoolProperties.Host host,
			HostSettings settings) {
		if (host.getConnectionsPerIp() != null) {
			String maximum = (host.getMaxConnections() != null) ? prefix + "max-connections"
					: PREFIX + "max-connections-per-host";
			requireAtMost(prefix + "connections-per-ip", settings.connectionsPerIp(), maximum, settings.maxConnections());
		}
		else if (settings.connectionsPerIp() > settings.maxConnections()) {
			throw new InvalidSettingException(prefix + "max-connections", settings.maxConnections(),
					"at least " + PREFIX + "connections-per-ip (" + settings.connectionsPerIp()
							+ "), or set this host's connections-per-ip lower");
		}
	}

	private void requireDrainTimeout(Duration drainTimeout) {
		String setting = PREFIX + "shutdown.drain-timeout";
		if (drainTimeout == null || drainTimeout.isNegative() || drainTimeout.isZero()) {
			throw new InvalidSettingException(setting, drainTimeout, "a positive duration such as 10s");
		}
		if (drainTimeout.compareTo(this.shutdownPhaseTimeout) > 0) {
			throw new InvalidSettingException(setting, drainTimeout,
					"at most spring.lifecycle.timeout-per-shutdown-phase (" + readable(this.shutdownPhaseTimeout)
							+ "), after which Spring abandons the pool's shutdown phase; or raise that timeout");
		}
	}

	/** A duration the way it is written in properties, in its largest exact unit: {@code 30s}, not {@code PT30S}. */
	static String readable(Duration duration) {
		if (duration.isZero()) {
			return "0s";
		}
		for (ChronoUnit unit : READABLE_UNITS) {
			if (duration.equals(unit.getDuration().multipliedBy(duration.dividedBy(unit.getDuration())))) {
				return DurationStyle.SIMPLE.print(duration, unit);
			}
		}
		return DurationStyle.SIMPLE.print(duration, ChronoUnit.NANOS);
	}

	/**
	 * Runs a build of the pool's settings and renames a failing setting after the property at fault.
	 * @param prefix the properties' prefix: {@code hotconnpool.} or {@code hotconnpool.hosts[i].}
	 * @param field maps the pool's host field name to the property name under the prefix
	 */
	private static <T> T checked(String prefix, UnaryOperator<String> field, Supplier<T> build) {
		try {
			return build.get();
		}
		catch (InvalidSettingException ex) {
			String setting = ex.getSetting();
			Matcher hostSetting = POOL_HOST_SETTING.matcher(setting);
			String property;
			if (hostSetting.lookingAt()) {
				property = prefix + field.apply(setting.substring(hostSetting.end()));
			}
			else if (setting.equals(PREFIX + "hosts")) { // the host's target is malformed
				property = prefix + "host";
			}
			else {
				throw ex; // a pool-wide setting, already named as its property
			}
			InvalidSettingException renamed = new InvalidSettingException(property, ex.getValue(), ex.getExpected());
			renamed.initCause(ex);
			throw renamed;
		}
	}

}
