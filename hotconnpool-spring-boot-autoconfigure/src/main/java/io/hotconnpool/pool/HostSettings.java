package io.hotconnpool.pool;

import java.net.IDN;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import io.hotconnpool.tls.TlsProfile;

/**
 * What the pool keeps warm for one target host: a {@link HostConfig} entry resolved against the pool-wide values of
 * its {@link HotConnPoolConfig}, which checked every value.
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

	public HostSettings {
		Objects.requireNonNull(host, "host");
		staticAddresses = List.copyOf(staticAddresses);
		Objects.requireNonNull(probeSuccessStatuses, "probeSuccessStatuses");
		Objects.requireNonNull(blacklistStatuses, "blacklistStatuses");
		Objects.requireNonNull(tls, "tls");
		tlsProfiles = List.copyOf(tlsProfiles);
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
