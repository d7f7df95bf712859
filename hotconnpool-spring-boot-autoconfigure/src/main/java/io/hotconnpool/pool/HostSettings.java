package io.hotconnpool.pool;

import java.net.IDN;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

import io.hotconnpool.tls.TlsProfile;

/**
 * What the pool keeps warm for one target host. Built from the pool-wide defaults by
 * {@link HotConnPoolSettings.Builder#host(String, java.util.function.UnaryOperator)}.
 *
 * @param host the host name, lower case, as used for SNI and certificate verification
 * @param port the https port (default 443)
 * @param staticAddresses addresses always used for this host, in addition to DNS when it is on
 * @param dnsEnabled whether the {@link HostResolver} is asked for the host's addresses
 * @param connectionsPerIp warm connections kept per IP address (the "slots"); at least 1
 * @param maxConnections most connections to this host at once, warm and on demand; at least 1
 * @param probeMethod HTTP method of the warm-up and health probe ({@code HEAD} or {@code GET})
 * @param probePath path of the probe, starting with {@code /}
 * @param probeSuccessStatuses statuses that prove a connection healthy
 * @param blacklistStatuses statuses that set the connection's IP aside (a 403 from a blocked IP)
 * @param tls the trust and key material of this host's connections
 * @param tlsProfiles the ClientHellos (with their matching headers) of this host's connections: one, or several
 * taken in turn by each new connection
 */
public record HostSettings(String host, int port, List<InetAddress> staticAddresses, boolean dnsEnabled,
		int connectionsPerIp, int maxConnections, String probeMethod, String probePath,
		StatusSet probeSuccessStatuses, StatusSet blacklistStatuses, TlsMaterial tls, List<TlsProfile> tlsProfiles) {

	/** The default https port. */
	public static final int HTTPS_PORT = 443;

	private static final Pattern HOST_NAME = Pattern
		.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

	private static final List<String> PROBE_METHODS = List.of("HEAD", "GET", "OPTIONS");

	public HostSettings {
		Objects.requireNonNull(host, "host");
		staticAddresses = List.copyOf(staticAddresses);
		probeMethod = (probeMethod != null) ? probeMethod.toUpperCase(Locale.ROOT) : "";
		Objects.requireNonNull(probeSuccessStatuses, "probeSuccessStatuses");
		Objects.requireNonNull(blacklistStatuses, "blacklistStatuses");
		Objects.requireNonNull(tls, "tls");
		tlsProfiles = List.copyOf(tlsProfiles);
		if (tlsProfiles.isEmpty()) {
			throw new InvalidSettingException("hotconnpool.hosts[" + host + "].tls.profile", "", "at least one profile");
		}
	}

	/** The key this host is known by in the pool: {@code host:port}. */
	String key() {
		return key(this.host, this.port);
	}

	static String key(String host, int port) {
		return host + ":" + port;
	}

	/** The number of connections kept warm for the given number of usable IPs: never above the maximum. */
	int warmTarget(int usableIps) {
		return Math.min(usableIps * this.connectionsPerIp, this.maxConnections);
	}

	/**
	 * Checks every field and says which one is wrong.
	 * @throws InvalidSettingException naming the setting, its value and what is expected
	 */
	void validate() {
		String prefix = "hotconnpool.hosts[" + this.host + "].";
		if (!HOST_NAME.matcher(this.host).matches()) {
			throw new InvalidSettingException(prefix + "host", this.host,
					"a DNS host name such as api.example.com (letters, digits, '-' and '.'; no scheme, path or port)");
		}
		if (this.port < 1 || this.port > 65535) {
			throw new InvalidSettingException(prefix + "port", this.port, "a TCP port from 1 to 65535");
		}
		if (!this.dnsEnabled && this.staticAddresses.isEmpty()) {
			throw new InvalidSettingException(prefix + "dns-enabled", false,
					"true, or static addresses for the host: with neither it has no IP to connect to");
		}
		if (this.connectionsPerIp < 1) {
			throw new InvalidSettingException(prefix + "connections-per-ip", this.connectionsPerIp, "1 or more");
		}
		if (this.maxConnections < 1) {
			throw new InvalidSettingException(prefix + "max-connections", this.maxConnections, "1 or more");
		}
		if (!PROBE_METHODS.contains(this.probeMethod)) {
			throw new InvalidSettingException(prefix + "probe.method", this.probeMethod,
					"one of " + PROBE_METHODS + " (a probe must be safe and have no body)");
		}
		if (this.probePath == null || !this.probePath.startsWith("/")) {
			throw new InvalidSettingException(prefix + "probe.path", this.probePath, "a path starting with '/'");
		}
		if (this.probeSuccessStatuses.isEmpty()) {
			throw new InvalidSettingException(prefix + "probe.success-statuses", this.probeSuccessStatuses,
					"at least one status, such as 2xx");
		}
	}

	/**
	 * Parses {@code host} or {@code host:port} into a normalised lower-case host name and port.
	 * @param target what the user wrote
	 * @return the host name and port
	 * @throws InvalidSettingException when it carries a scheme, a path, or a port that is not a number
	 */
	static HostAndPort parseTarget(String target) {
		if (target == null || target.isBlank()) {
			throw new InvalidSettingException("hotconnpool.hosts", target, "a host name such as api.example.com");
		}
		String trimmed = target.trim();
		if (trimmed.contains("/") || trimmed.contains("@") || trimmed.startsWith("[")) {
			throw new InvalidSettingException("hotconnpool.hosts", target,
					"'host' or 'host:port' without scheme, user or path (https is implied)");
		}
		int colon = trimmed.lastIndexOf(':');
		String host = (colon >= 0) ? trimmed.substring(0, colon) : trimmed;
		int port = HTTPS_PORT;
		if (colon >= 0) {
			try {
				port = Integer.parseInt(trimmed.substring(colon + 1));
			}
			catch (NumberFormatException ex) {
				throw new InvalidSettingException("hotconnpool.hosts", target, "'host:port' with a numeric port");
			}
		}
		try {
			host = IDN.toASCII(host).toLowerCase(Locale.ROOT);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidSettingException("hotconnpool.hosts", target, "a valid host name: " + ex.getMessage());
		}
		return new HostAndPort(host, port);
	}

	/** A parsed target. */
	record HostAndPort(String host, int port) {
	}

}
