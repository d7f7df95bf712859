package io.hotconnpool.actuate;

import java.util.List;

import io.hotconnpool.pool.HostStats;

/** Host keys ({@code host:port}, as the pool's events name hosts) and the look-up of a host by key or name. */
final class HostKeys {

	private static final int HTTPS_PORT = 443;

	private HostKeys() {
	}

	static String of(HostStats host) {
		return host.host() + ":" + host.port();
	}

	/**
	 * Finds a host by {@code host:port}, or by {@code host} alone: the one host of that name, else the one on port
	 * 443, as the pool reads a target without a port.
	 * @return the host, or {@code null} when none matches
	 */
	static HostStats find(List<HostStats> hosts, String target) {
		List<HostStats> named = hosts.stream()
			.filter((host) -> target.equals(of(host)) || target.equals(host.host()))
			.toList();
		if (named.size() == 1) {
			return named.get(0);
		}
		return named.stream()
			.filter((host) -> target.equals(of(host)) || host.port() == HTTPS_PORT)
			.findFirst()
			.orElse(null);
	}

}
