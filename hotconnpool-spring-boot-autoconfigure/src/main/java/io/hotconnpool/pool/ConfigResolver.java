package io.hotconnpool.pool;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.hotconnpool.tls.TlsContext;
import io.hotconnpool.tls.TlsProfile;
import io.hotconnpool.tls.UnsupportedTlsSetting;
import okhttp3.HttpUrl;

/**
 * Checks a {@link HotConnPoolConfig} and resolves its host entries against the pool-wide values: the one place
 * both happen. A failure is an {@link InvalidSettingException} naming the property as the user wrote it, list
 * index included ({@code hotconnpool.hosts[1].connections-per-ip}). Custom TLS profiles are checked against the TLS
 * stack they will run on, so that a value it does not know (or, in strict mode, cannot send) is reported as its
 * property, {@code hotconnpool.tls.custom-profiles.<id>.cipher-suites[2]}.
 */
final class ConfigResolver {

	private static final String PREFIX = HotConnPoolConfig.PREFIX;

	private static final String CUSTOM_PROFILES = PREFIX + "tls.custom-profiles";

	private static final List<String> BUILT_IN_PROFILES = TlsProfile.builtInIds();

	private static final List<String> PROBE_METHODS = List.of("HEAD", "GET", "OPTIONS");

	private static final Pattern HOST_NAME = Pattern
		.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

	private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

	/**
	 * Hex digits, colons and dots (an embedded IPv4), then an optional zone: InetAddress parses such text as a
	 * literal, while other text with a colon in it (zz::1) is looked up in DNS.
	 */
	private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:][0-9a-fA-F:.]*(%[\\w.-]+)?");

	/** Deadline of the TLS context custom profiles are checked against; it never connects. */
	private static final Duration CHECK_HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);

	/**
	 * The ceiling of every pool duration: OkHttp and sockets take timeouts in int milliseconds (up to 24.8 days), and
	 * lifetimes and TTLs in nanoseconds overflow past 292 years (thrown under a host's lock).
	 */
	private static final Duration LONGEST = Duration.ofDays(24);

	/**
	 * The health indicator's group: it binds and checks these itself, since the pool it judges may be the
	 * application's own, built without these properties.
	 */
	private static final String HEALTH = "health.";

	private final HotConnPoolConfig config;

	private final Function<String, TlsMaterial> bundles;

	/** One instance per bundle name: the pool builds one TLS context per distinct material. */
	private final Map<String, TlsMaterial> tlsByBundle = new HashMap<>();

	/** Custom profiles, from properties and from code, by lower-case id. */
	private final Map<String, TlsProfile> customProfiles;

	private final HostSettings hostDefaults;

	private final List<HostSettings> hosts = new ArrayList<>();

	ConfigResolver(HotConnPoolConfig config, Function<String, TlsMaterial> bundles) {
		this.config = config;
		this.bundles = bundles;
		checkPoolWide();
		this.customProfiles = customProfiles();
		this.hostDefaults = resolveDefaults();
		Map<String, Integer> seen = new HashMap<>();
		for (int i = 0; i < config.getHosts().size(); i++) {
			HostSettings host = resolveHost(PREFIX + "hosts[" + i + "].", config.getHosts().get(i));
			Integer first = seen.putIfAbsent(host.key(), i);
			if (first != null) {
				throw new InvalidSettingException(PREFIX + "hosts[" + i + "].host", config.getHosts().get(i).getHost(),
						"each host and port only once (" + host.key() + " is hotconnpool.hosts[" + first
								+ "] already)");
			}
			this.hosts.add(host);
		}
	}

	HostSettings hostDefaults() {
		return this.hostDefaults;
	}

	List<HostSettings> hosts() {
		return List.copyOf(this.hosts);
	}

	private void checkPoolWide() {
		HotConnPoolConfig c = this.config;
		required("unknown-hosts", c.getUnknownHosts(), "warm-on-first-use or refuse");
		required("warm-up.mode", c.getWarmUp().getMode(), "blocking or background");
		required("blacklist.all-blacklisted", c.getBlacklist().getAllBlacklisted(), "serve-least-bad or fail");
		c.forEachDuration("", (property, value) -> {
			if (!property.startsWith(HEALTH)) {
				checkDuration(property, value);
			}
		});
		atLeastOne("http2.max-streams-per-connection", c.getHttp2().getMaxStreamsPerConnection());
		atLeastOne("blacklist.failure-threshold", c.getBlacklist().getFailureThreshold());
		atLeastOne("warm-up.concurrency", c.getWarmUp().getConcurrency());
		atLeastOne("connections-per-ip", c.getConnectionsPerIp());
		atLeastOne("max-connections-per-host", c.getMaxConnectionsPerHost());
		if (c.getConnectionsPerIp() > c.getMaxConnectionsPerHost()) {
			throw invalid("connections-per-ip", c.getConnectionsPerIp(), "at most " + PREFIX
					+ "max-connections-per-host (" + c.getMaxConnectionsPerHost() + "): a host cannot hold more warm"
					+ " connections per IP than connections in all");
		}
		int hosts = c.getHosts().size();
		if (c.getMaxHosts() < Math.max(1, hosts)) {
			throw invalid("max-hosts", c.getMaxHosts(),
					"at least 1 and at least the number of configured hosts (" + hosts + ")");
		}
		if (hosts == 0 && c.getUnknownHosts() == UnknownHostPolicy.REFUSE) {
			throw invalid("unknown-hosts", "refuse", "warm-on-first-use while hotconnpool.hosts is empty: refusing"
					+ " unknown hosts with no hosts listed would refuse every request; list the hosts under"
					+ " hotconnpool.hosts");
		}
	}

	private HostSettings resolveDefaults() {
		HotConnPoolConfig c = this.config;
		ConnectionConfigGroups.Probe probe = c.getProbe();
		String method = probeMethod(PREFIX, probe.getMethod());
		String path = probePath(PREFIX, probe.getPath());
		StatusSet success = successStatuses(PREFIX, probe.getSuccessStatuses());
		StatusSet blacklist = statuses(PREFIX + "blacklist-statuses", c.getBlacklistStatuses());
		TlsMaterial tls = tls(PREFIX + "tls.bundle", c.getTls().getBundle(), c.getTls().material());
		List<TlsProfile> profiles = profiles(PREFIX + "tls.profile", c.getTls().getProfile(),
				List.of(TlsProfile.defaultProfile()));
		return new HostSettings("defaults", HostSettings.HTTPS_PORT, List.of(), true, c.getConnectionsPerIp(),
				c.getMaxConnectionsPerHost(), method, path, success, blacklist, tls, profiles);
	}

	/** A host entry with its unset values taken from the pool-wide ones. */
	private HostSettings resolveHost(String prefix, HostConfig host) {
		HostSettings d = this.hostDefaults;
		HostSettings.HostAndPort target = target(prefix, host);
		List<InetAddress> addresses = addresses(prefix, host.getAddresses());
		boolean dns = (host.getDnsEnabled() != null) ? host.getDnsEnabled() : true;
		if (!dns && addresses.isEmpty()) {
			throw new InvalidSettingException(prefix + "dns-enabled", false,
					"true, or static addresses for the host: with neither it has no IP to connect to");
		}
		int perIp = (host.getConnectionsPerIp() != null) ? host.getConnectionsPerIp() : d.connectionsPerIp();
		int max = (host.getMaxConnections() != null) ? host.getMaxConnections() : d.maxConnections();
		if (perIp < 1) {
			throw new InvalidSettingException(prefix + "connections-per-ip", perIp, "1 or more");
		}
		if (max < 1) {
			throw new InvalidSettingException(prefix + "max-connections", max, "1 or more");
		}
		if (perIp > max && host.getConnectionsPerIp() != null) {
			String maximum = (host.getMaxConnections() != null) ? prefix + "max-connections"
					: PREFIX + "max-connections-per-host";
			throw new InvalidSettingException(prefix + "connections-per-ip", perIp, "at most " + maximum + " (" + max
					+ "): a host cannot hold more warm connections per IP than connections in all");
		}
		if (perIp > max) {
			throw new InvalidSettingException(prefix + "max-connections", max, "at least " + PREFIX
					+ "connections-per-ip (" + perIp + "), or set this host's connections-per-ip lower");
		}
		ConnectionConfigGroups.Probe probe = host.getProbe();
		String method = (probe.getMethod() != null) ? probeMethod(prefix, probe.getMethod()) : d.probeMethod();
		String path = (probe.getPath() != null) ? probePath(prefix, probe.getPath()) : d.probePath();
		StatusSet success = (probe.getSuccessStatuses() != null) ? successStatuses(prefix, probe.getSuccessStatuses())
				: d.probeSuccessStatuses();
		StatusSet blacklist = (host.getBlacklistStatuses() != null)
				? statuses(prefix + "blacklist-statuses", host.getBlacklistStatuses()) : d.blacklistStatuses();
		TlsMaterial tls = tls(prefix + "tls.bundle", host.getTls().getBundle(), d.tls());
		List<TlsProfile> profiles = profiles(prefix + "tls.profile", host.getTls().getProfile(), d.tlsProfiles());
		return new HostSettings(target.host(), target.port(), addresses, dns, perIp, max, method, path, success,
				blacklist, tls, profiles);
	}

	/** The host name and port of an entry; a port given with the name is reported on the host property. */
	private static HostSettings.HostAndPort target(String prefix, HostConfig host) {
		String name = host.getHost();
		if (name == null || name.isBlank()) {
			throw new InvalidSettingException(prefix + "host", name, "a host name such as api.example.com");
		}
		String text = name.trim();
		Integer port = host.getPort();
		if (port != null) {
			int colon = text.lastIndexOf(':');
			if (colon < 0) {
				text = text + ":" + port;
			}
			else if (!text.substring(colon + 1).equals(String.valueOf(port))) {
				throw new InvalidSettingException(prefix + "port", port,
						"the port given with the host (" + text + "), or no port property at all");
			}
		}
		HostSettings.HostAndPort target;
		try {
			target = HostSettings.parseTarget(text);
		}
		catch (InvalidSettingException ex) {
			throw new InvalidSettingException(prefix + "host", name, ex.getExpected());
		}
		if (!HOST_NAME.matcher(target.host()).matches()) {
			throw new InvalidSettingException(prefix + "host", name,
					"a DNS host name such as api.example.com (letters, digits, '-' and '.'; no scheme, path or port)");
		}
		if (target.port() < 1 || target.port() > 65535) {
			throw new InvalidSettingException(prefix + ((port != null) ? "port" : "host"),
					(port != null) ? port : name, "a TCP port from 1 to 65535");
		}
		return target;
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

	private static String probeMethod(String prefix, String method) {
		String upper = (method != null) ? method.trim().toUpperCase(Locale.ROOT) : "";
		if (!PROBE_METHODS.contains(upper)) {
			throw new InvalidSettingException(prefix + "probe.method", method,
					"one of " + PROBE_METHODS + " (a probe must be safe and have no body)");
		}
		return upper;
	}

	private static String probePath(String prefix, String path) {
		if (path == null || !path.startsWith("/")
				|| HttpUrl.get("https://probe.invalid/").resolve(path) == null) {
			throw new InvalidSettingException(prefix + "probe.path", path, "a URL path starting with '/'");
		}
		return path;
	}

	private static StatusSet successStatuses(String prefix, List<String> statuses) {
		StatusSet parsed = statuses(prefix + "probe.success-statuses", statuses);
		if (parsed.isEmpty()) {
			throw new InvalidSettingException(prefix + "probe.success-statuses", "",
					"at least one status, such as 2xx");
		}
		return parsed;
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

	private TlsMaterial tls(String setting, String bundle, TlsMaterial inherited) {
		if (bundle == null || bundle.isBlank()) {
			return inherited;
		}
		return this.tlsByBundle.computeIfAbsent(bundle, (name) -> {
			if (this.bundles == null) {
				throw new InvalidSettingException(setting, name,
						"the name of an SSL bundle configured under spring.ssl.bundle (none is configured)");
			}
			try {
				return this.bundles.apply(name);
			}
			catch (IllegalArgumentException ex) {
				InvalidSettingException invalid = new InvalidSettingException(setting, name, ex.getMessage());
				invalid.initCause(ex);
				throw invalid;
			}
		});
	}

	/** One profile id, or several separated by commas that new connections take in turn. */
	private List<TlsProfile> profiles(String setting, String text, List<TlsProfile> inherited) {
		if (text == null || text.isBlank()) {
			return inherited;
		}
		List<TlsProfile> profiles = new ArrayList<>();
		for (String id : text.split(",")) {
			String key = id.trim().toLowerCase(Locale.ROOT);
			TlsProfile profile = BUILT_IN_PROFILES.contains(key) ? TlsProfile.builtIn(key)
					: this.customProfiles.get(key);
			if (profile == null) {
				List<String> custom = this.customProfiles.values().stream().map(TlsProfile::id).toList();
				throw new InvalidSettingException(setting, text, "one of " + BUILT_IN_PROFILES
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
	 * pool drops it with a warning). Profiles built in code come last; the pool checks them when it builds them.
	 */
	private Map<String, TlsProfile> customProfiles() {
		ConnectionConfigGroups.Tls tls = this.config.getTls();
		Map<String, TlsProfile> profiles = new LinkedHashMap<>();
		TlsContext stack = null;
		for (Map.Entry<String, TlsProfileConfig> entry : tls.getCustomProfiles().entrySet()) {
			String property = CUSTOM_PROFILES + "." + entry.getKey();
			requireNewId(profiles, property, entry.getKey());
			TlsProfile profile = TlsProfiles.build(entry.getKey(), property + ".", entry.getValue());
			profiles.put(entry.getKey().toLowerCase(Locale.ROOT), profile);
			if (stack == null) {
				// Custom profiles all run on Conscrypt (or its JDK fallback): one context tells what it can send.
				stack = TlsContext.create(profile, null, null, CHECK_HANDSHAKE_TIMEOUT, tls.isAllowJdkFallback());
			}
			for (UnsupportedTlsSetting problem : profile.unsupportedSettings(stack)) {
				if (problem.unknown() || tls.isStrict()) {
					throw TlsProfiles.unsupported(property, profile, problem);
				}
			}
		}
		for (TlsProfile profile : tls.builtProfiles()) {
			requireNewId(profiles, PREFIX + "tls.profile", profile.id());
			profiles.put(profile.id().toLowerCase(Locale.ROOT), profile);
		}
		return profiles;
	}

	private static void requireNewId(Map<String, TlsProfile> profiles, String property, String id) {
		String key = id.toLowerCase(Locale.ROOT);
		if (BUILT_IN_PROFILES.contains(key)) {
			throw new InvalidSettingException(property, id,
					"an id other than those of the built-in profiles " + BUILT_IN_PROFILES);
		}
		if (profiles.containsKey(key)) {
			throw new InvalidSettingException(property, id,
					"ids that differ in more than case (" + profiles.get(key).id() + " is defined already)");
		}
	}

	private static void required(String property, Object value, String expected) {
		if (value == null) {
			throw invalid(property, null, expected);
		}
	}

	/**
	 * Every duration, wherever it stands in the configuration (a new one included), is from 1ms, since a shorter one
	 * would become "no deadline" in socket and OkHttp timeouts that count in ms, to {@link #LONGEST}; but for those
	 * {@link DurationRange#OTHER_FLOORS} names, and the {@link #HEALTH} group's.
	 */
	private static void checkDuration(String property, Duration value) {
		DurationRange range = DurationRange.OTHER_FLOORS.getOrDefault(property, DurationRange.FROM_ONE_MILLISECOND);
		if (value == null || value.isNegative() || value.compareTo(LONGEST) > 0
				|| (value.compareTo(range.floor()) < 0 && !(range.zeroIsOff() && value.isZero()))) {
			throw invalid(property, value, range.expected());
		}
	}

	/** The valid values of a duration: from its floor (or 0, when that switches it off) to {@link #LONGEST}. */
	private record DurationRange(Duration floor, boolean zeroIsOff, String expected) {

		static final DurationRange FROM_ONE_MILLISECOND = new DurationRange(Duration.ofMillis(1), false,
				"a duration from 1ms to 24d, such as 5s");

		static final DurationRange OFF_OR_FROM_100MS = new DurationRange(Duration.ofMillis(100), true,
				"0 (off) or from 100ms to 24d, such as 30s");

		static final Map<String, DurationRange> OTHER_FLOORS = Map.of("keep-alive.alive-bypass-window",
				new DurationRange(Duration.ZERO, false, "a duration from 0 to 24d, such as 500ms"),
				"leak-detection-threshold", OFF_OR_FROM_100MS, "http2.ping-interval", OFF_OR_FROM_100MS);

	}

	private static void atLeastOne(String property, int value) {
		if (value < 1) {
			throw invalid(property, value, "1 or more");
		}
	}

	private static InvalidSettingException invalid(String property, Object value, String expected) {
		return new InvalidSettingException(PREFIX + property, value, expected);
	}

}
