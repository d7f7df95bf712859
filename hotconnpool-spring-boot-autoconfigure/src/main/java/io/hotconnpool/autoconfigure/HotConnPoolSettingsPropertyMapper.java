package io.hotconnpool.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
import io.hotconnpool.pool.UnknownHostPolicy;
import io.hotconnpool.tls.TlsContext;
import io.hotconnpool.tls.TlsProfile;
import io.hotconnpool.tls.TlsProfileBuilder;
import io.hotconnpool.tls.UnsupportedTlsSetting;

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
 * connections per IP above the maximum) are checked here. Custom TLS profiles are checked against the TLS stack they
 * will run on, so that a value it does not know (or, in strict mode, cannot send) is reported as its property,
 * {@code hotconnpool.tls.custom-profiles.<id>.cipher-suites[2]}, not later as a whole profile.
 */
final class HotConnPoolSettingsPropertyMapper {

	/** The ids of the built-in TLS profiles; custom ones are defined under {@code hotconnpool.tls.custom-profiles}. */
	static final List<String> TLS_PROFILES = TlsProfile.builtInIds();

	/** Default of {@code spring.lifecycle.timeout-per-shutdown-phase}. */
	static final Duration DEFAULT_SHUTDOWN_PHASE_TIMEOUT = Duration.ofSeconds(30);

	private static final String PREFIX = "hotconnpool.";

	private static final String CUSTOM_PROFILES = PREFIX + "tls.custom-profiles";

	/** A JA4 of TLS over TCP: part a (10 characters), then parts b and c (12 hex characters each). */
	private static final Pattern JA4 = Pattern
		.compile("t(13|12|11|10|s3)[di]\\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}");

	/**
	 * Deadline given to the TLS context a custom profile is checked against; that context never connects, the pool
	 * builds its own.
	 */
	private static final Duration CHECK_HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);

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
		Map<String, TlsProfile> customProfiles = customProfiles();
		List<TlsProfile> poolProfiles = profiles(PREFIX + "tls.profile", pool.getTls().getProfile(), customProfiles);
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
			UnaryOperator<HostBuilder> overrides = overrides(prefix, host, tls, customProfiles);
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
		if (hosts.isEmpty() && pool.getUnknownHosts() == UnknownHostPolicy.REFUSE) {
			throw new InvalidSettingException(PREFIX + "unknown-hosts", "refuse", "warm-on-first-use while"
					+ " hotconnpool.hosts is empty: refusing unknown hosts with no hosts listed would refuse every"
					+ " request; list the hosts under hotconnpool.hosts");
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
			.http2MaxStreamsPerConnection(pool.getHttp2().getMaxStreamsPerConnection())
			.http2PingInterval(pool.getHttp2().getPingInterval())
			.aliveBypassWindow(pool.getKeepAlive().getAliveBypassWindow())
			.keepAliveCheckInterval(pool.getKeepAlive().getCheckInterval())
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

	private UnaryOperator<HostBuilder> overrides(String prefix, HotConnPoolProperties.Host host, TlsMaterial poolTls,
			Map<String, TlsProfile> customProfiles) {
		List<InetAddress> addresses = addresses(prefix, host.getAddresses());
		HotConnPoolProperties.HostProbe probe = host.getProbe();
		StatusSet successStatuses = (probe.getSuccessStatuses() != null)
				? statuses(prefix + "probe.success-statuses", probe.getSuccessStatuses()) : null;
		StatusSet blacklistStatuses = (host.getBlacklistStatuses() != null)
				? statuses(prefix + "blacklist-statuses", host.getBlacklistStatuses()) : null;
		List<TlsProfile> profiles = profiles(prefix + "tls.profile", host.getTls().getProfile(), customProfiles);
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
	 * @param customProfiles the custom profiles by lower-case id
	 * @return the profiles, or {@code null} when none is named
	 */
	private static List<TlsProfile> profiles(String setting, String text, Map<String, TlsProfile> customProfiles) {
		if (!StringUtils.hasText(text)) {
			return null;
		}
		List<TlsProfile> profiles = new ArrayList<>();
		for (String id : text.split(",")) {
			String normalized = id.trim().toLowerCase(Locale.ROOT);
			TlsProfile profile = TLS_PROFILES.contains(normalized) ? TlsProfile.builtIn(normalized)
					: customProfiles.get(normalized);
			if (profile == null) {
				List<String> custom = customProfiles.values().stream().map(TlsProfile::id).toList();
				throw new InvalidSettingException(setting, text, "one of " + TLS_PROFILES
						+ (custom.isEmpty() ? "" : " or of the custom profiles " + custom) + " (custom profiles are"
						+ " defined under " + CUSTOM_PROFILES + "), or several separated by commas to rotate per"
						+ " connection");
			}
			profiles.add(profile);
		}
		return profiles;
	}

	/**
	 * Builds the profiles defined under {@code hotconnpool.tls.custom-profiles} and checks each against the TLS stack
	 * it runs on: a value the stack does not know always fails, one it cannot send fails in strict mode (otherwise the
	 * pool drops it with a warning).
	 * @return the profiles by lower-case id, in the order defined
	 */
	private Map<String, TlsProfile> customProfiles() {
		HotConnPoolProperties.Tls tls = this.properties.getTls();
		Map<String, TlsProfile> profiles = new LinkedHashMap<>();
		TlsContext stack = null;
		for (Map.Entry<String, HotConnPoolProperties.CustomProfile> entry : tls.getCustomProfiles().entrySet()) {
			String id = entry.getKey();
			String property = CUSTOM_PROFILES + "." + id;
			String key = id.toLowerCase(Locale.ROOT);
			if (TLS_PROFILES.contains(key)) {
				throw new InvalidSettingException(property, id,
						"an id other than those of the built-in profiles " + TLS_PROFILES);
			}
			if (profiles.containsKey(key)) {
				throw new InvalidSettingException(property, id, "ids that differ in more than case ("
						+ profiles.get(key).id() + " is defined already)");
			}
			HotConnPoolProperties.CustomProfile custom = entry.getValue();
			TlsProfile profile = customProfile(id, property + ".", custom);
			if (stack == null) {
				// Custom profiles all run on Conscrypt (or its JDK fallback): one context tells what it can send.
				stack = TlsContext.create(profile, null, null, CHECK_HANDSHAKE_TIMEOUT, tls.isAllowJdkFallback());
			}
			for (UnsupportedTlsSetting problem : profile.unsupportedSettings(stack)) {
				if (problem.unknown() || tls.isStrict()) {
					throw unsupported(property, profile, problem);
				}
			}
			profiles.put(key, profile);
		}
		return profiles;
	}

	private static TlsProfile customProfile(String id, String prefix, HotConnPoolProperties.CustomProfile custom) {
		TlsProfileBuilder profile = TlsProfile.custom(id);
		if (custom.getVersions() != null) {
			profile.tlsVersions(values(prefix + "versions", custom.getVersions(), "TLS versions such as TLSv1.3,TLSv1.2"));
		}
		if (custom.getCipherSuites() != null) {
			profile.cipherSuites(values(prefix + "cipher-suites", custom.getCipherSuites(),
					"cipher suites as Java names, in the order sent, such as TLS_AES_128_GCM_SHA256"));
		}
		if (custom.getNamedGroups() != null) {
			profile.namedGroups(values(prefix + "named-groups", custom.getNamedGroups(),
					"named groups such as X25519MLKEM768,X25519,P-256"));
		}
		if (custom.getAlpn() != null) {
			profile.alpnProtocols(values(prefix + "alpn", custom.getAlpn(), "ALPN protocols: h2,http/1.1 or http/1.1"));
		}
		if (custom.getSessionTickets() != null) {
			profile.sessionTickets(custom.getSessionTickets());
		}
		if (custom.getUserAgent() != null) {
			profile.userAgent(text(prefix + "user-agent", custom.getUserAgent(),
					"a User-Agent, or no user-agent property for OkHttp's"));
		}
		custom.getHeaders().forEach((name, value) -> {
			String setting = prefix + "headers." + name;
			if ("User-Agent".equalsIgnoreCase(name)) {
				throw new InvalidSettingException(setting, value, "no User-Agent among the headers: set "
						+ prefix + "user-agent");
			}
			try {
				profile.header(name, (value != null) ? value : "");
			}
			catch (IllegalArgumentException ex) {
				InvalidSettingException invalid = new InvalidSettingException(setting, value,
						"a header name and value OkHttp can send (" + ex.getMessage() + ")");
				invalid.initCause(ex);
				throw invalid;
			}
		});
		HotConnPoolProperties.Target target = custom.getTarget();
		if (target.getClient() != null || target.getVersion() != null || target.getJa4() != null) {
			profile.target(text(prefix + "target.client", target.getClient(), "the client imitated, such as Chrome"
					+ " desktop, when any target.* is set"), text(prefix + "target.version", target.getVersion(),
							"the client's version, such as 149, when any target.* is set"),
					ja4(prefix + "target.ja4", target.getJa4()));
		}
		if (custom.getExpectedJa4() != null) {
			profile.achievedJa4(ja4(prefix + "expected-ja4", custom.getExpectedJa4()));
		}
		if (custom.getDifference() != null) {
			profile.difference(text(prefix + "difference", custom.getDifference(),
					"one line on what differs from the target's JA4, or no difference property"));
		}
		return profile.build();
	}

	/** A list a custom profile sets: not empty, no blank value. */
	private static String[] values(String setting, List<String> values, String expected) {
		if (values.isEmpty()) {
			throw new InvalidSettingException(setting, "", expected + " (leave it unset for the default)");
		}
		String[] trimmed = new String[values.size()];
		for (int i = 0; i < values.size(); i++) {
			trimmed[i] = text(setting + "[" + i + "]", values.get(i), expected);
		}
		return trimmed;
	}

	private static String text(String setting, String value, String expected) {
		if (!StringUtils.hasText(value)) {
			throw new InvalidSettingException(setting, value, expected);
		}
		return value.trim();
	}

	private static String ja4(String setting, String value) {
		String ja4 = text(setting, value, "a JA4 such as t13d1516h2_8daaf6152771_d8a2da3f94cd");
		if (!JA4.matcher(ja4).matches()) {
			throw new InvalidSettingException(setting, value, "a JA4 such as t13d1516h2_8daaf6152771_d8a2da3f94cd");
		}
		return ja4;
	}

	/** Names the custom profile's property a setting the TLS stack cannot produce comes from. */
	private static InvalidSettingException unsupported(String property, TlsProfile profile, UnsupportedTlsSetting problem) {
		List<String> values = switch (problem.setting()) {
			case TLS_VERSIONS -> profile.tlsVersions();
			case CIPHER_SUITES -> profile.cipherSuites();
			case NAMED_GROUPS -> profile.namedGroups();
			case ALPN_PROTOCOLS -> profile.alpnProtocols();
			default -> List.of();
		};
		String name = switch (problem.setting()) {
			case TLS_VERSIONS -> ".versions";
			case CIPHER_SUITES -> ".cipher-suites";
			case NAMED_GROUPS -> ".named-groups";
			case ALPN_PROTOCOLS -> ".alpn";
			case SESSION_TICKETS -> ".session-tickets";
			default -> ""; // the TLS stack itself: the profile as a whole
		};
		String setting = property + name;
		Object value = switch (problem.setting()) {
			case SESSION_TICKETS -> profile.sessionTickets();
			case PROVIDER, GREASE, EXTENSION_ORDER -> profile.id();
			default -> String.join(",", values);
		};
		if (problem.index() >= 0) {
			setting += "[" + problem.index() + "]";
			value = values.get(problem.index());
		}
		String expected = problem.unknown() ? "a value the TLS stack knows (" + problem.reason() + ")"
				: "what the TLS stack can send (" + problem.reason() + "), or " + TlsProfile.STRICT_SETTING
						+ "=false to drop it with a warning";
		return new InvalidSettingException(setting, value, expected);
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
