package io.hotconnpool.pool;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A host's {@link HostStats}: its addresses, blacklist, connections and streams counted by state, read under the
 * host's lock (the caller holds it).
 */
final class HostStatsView {

	private HostStatsView() {
	}

	static HostStats snapshot(HostPool host) {
		List<PooledConnection> all = host.inUseLocked();
		List<ConnectionStats> details = new ArrayList<>(all.size());
		Set<String> draining = new LinkedHashSet<>();
		int idle = 0;
		int leased = 0;
		int warming = 0;
		int healthy = 0;
		int streams = 0;
		for (PooledConnection connection : all) {
			ConnectionStats stats = connection.stats();
			details.add(stats);
			streams += stats.streams();
			if (stats.state() == ConnectionState.RETIRED) {
				draining.add(stats.ip()); // retired, its last streams still running
				continue;
			}
			switch (stats.state()) {
				case IDLE -> idle++;
				case LEASED -> leased++;
				case WARMING -> warming++;
				default -> {
				}
			}
			if (stats.healthy() && stats.state() != ConnectionState.WARMING) {
				healthy++;
			}
			if (!host.ips.contains(connection.ip)) {
				draining.add(stats.ip());
			}
		}
		HostSettings settings = host.settings;
		long keepAliveNanos = host.keepAlive.timeoutNanos(host.clock.getAsLong());
		return new HostStats(settings.host(), settings.port(),
				host.ips.addresses().stream().map(InetAddress::getHostAddress).toList(), host.ips.blacklisted(),
				List.copyOf(draining), host.connections.size(), idle, leased, warming, healthy, host.waiters.size(),
				settings.maxConnections(), settings.warmTarget(host.ips.usable().size()), streams, details,
				host.ips.failing(), (keepAliveNanos == 0) ? null : Duration.ofNanos(keepAliveNanos));
	}

}
