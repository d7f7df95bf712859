package io.hotconnpool.pool;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a host's connections go: its warm slots ({@code connections-per-ip} per usable IP, up to the warm target),
 * connections on demand beyond them up to the maximum, and which extras yield to an IP that lacks warm slots. Pure
 * functions of the connections and the usable IPs, called under the host's lock; it holds no state of its own.
 */
final class SlotPlan {

	private final HostSettings settings;

	SlotPlan(HostSettings settings) {
		this.settings = settings;
	}

	/** A warm slot to open: the IP and its slot number. */
	record Slot(InetAddress ip, int slot) {
	}

	/**
	 * The missing warm slots, in slot-major order so that a capped warm target spreads evenly over the IPs.
	 * Connections opened on demand (slots beyond connections-per-ip) are no warm slot, but count towards the maximum.
	 */
	List<Slot> missing(Collection<PooledConnection> connections, List<InetAddress> usable) {
		Set<InetAddress> usableSet = new HashSet<>(usable); // a list's contains() made every tick quadratic
		int perIp = this.settings.connectionsPerIp();
		int target = this.settings.warmTarget(usable.size());
		int max = this.settings.maxConnections();
		Set<Slot> occupied = new HashSet<>();
		int warm = 0;
		int live = 0;
		for (PooledConnection connection : connections) {
			if (usableSet.contains(connection.ip)) {
				occupied.add(new Slot(connection.ip, connection.slot));
				live++;
				warm += (connection.slot < perIp) ? 1 : 0;
			}
		}
		List<Slot> missing = new ArrayList<>();
		for (int slot = 0; slot < perIp && warm < target && live < max; slot++) {
			for (InetAddress ip : usable) {
				if (warm >= target || live >= max) {
					break;
				}
				Slot free = new Slot(ip, slot);
				if (occupied.add(free)) {
					missing.add(free);
					warm++;
					live++;
				}
			}
		}
		return missing;
	}

	/**
	 * How many connections opened on demand must yield while the host is at its maximum and a usable IP lacks a
	 * warm slot, such as an IP a DNS refresh added: warmth over every IP comes before extra connections to some.
	 */
	long extrasToYield(Collection<PooledConnection> connections, List<InetAddress> usable) {
		Set<InetAddress> usableSet = new HashSet<>(usable);
		int perIp = this.settings.connectionsPerIp();
		long warm = connections.stream().filter((c) -> c.slot < perIp && usableSet.contains(c.ip)).count();
		long live = connections.stream().filter((c) -> usableSet.contains(c.ip)).count();
		return (this.settings.warmTarget(usable.size()) - warm) - (this.settings.maxConnections() - live);
	}

	/** Whether the connection was opened on demand, beyond its IP's warm slots. */
	boolean isExtra(PooledConnection connection) {
		return connection.slot >= this.settings.connectionsPerIp();
	}

	/** The usable IP with the fewest connections, other than {@code avoid} where possible, for one on demand. */
	InetAddress onDemandIp(Collection<PooledConnection> connections, List<InetAddress> usable, InetAddress avoid) {
		Map<InetAddress, Set<Integer>> slotsByIp = new HashMap<>();
		usable.forEach((ip) -> slotsByIp.put(ip, new HashSet<>()));
		connections.stream()
			.filter((c) -> slotsByIp.containsKey(c.ip))
			.forEach((c) -> slotsByIp.get(c.ip).add(c.slot));
		return usable.stream()
			.min(Comparator.comparing((InetAddress a) -> a.equals(avoid))
				.thenComparingInt((InetAddress a) -> slotsByIp.get(a).size()))
			.orElseThrow();
	}

	/** The lowest slot of the IP that no connection holds. */
	int freeSlot(Collection<PooledConnection> connections, InetAddress ip) {
		Set<Integer> taken = new HashSet<>();
		connections.stream().filter((c) -> c.ip.equals(ip)).forEach((c) -> taken.add(c.slot));
		int slot = 0;
		while (taken.contains(slot)) {
			slot++;
		}
		return slot;
	}

	/** Connections to IPs that may serve. */
	long inService(Collection<PooledConnection> connections, List<InetAddress> usable) {
		Set<InetAddress> usableSet = new HashSet<>(usable);
		return connections.stream().filter((c) -> usableSet.contains(c.ip)).count();
	}

}
