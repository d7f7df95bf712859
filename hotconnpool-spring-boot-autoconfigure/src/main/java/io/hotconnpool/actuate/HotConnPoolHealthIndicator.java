package io.hotconnpool.actuate;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.hotconnpool.pool.BlacklistedIp;
import io.hotconnpool.pool.HostStats;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.InvalidSettingException;
import io.hotconnpool.pool.PoolStats;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of a {@link HotConnPool}: {@code UP} when every host the pool serves has at least
 * {@code hotconnpool.health.min-healthy-per-host} healthy connections, {@code DOWN} when a host has fewer,
 * {@code OUT_OF_SERVICE} while the pool is not running (before start, stopping or stopped). Details: the threshold,
 * the overall success rate and per host its status, healthy and total connections and blacklisted IPs.
 * <p>
 * Add it to the readiness group to keep traffic away until the pool is warm:
 * {@code management.endpoint.health.group.readiness.include=readinessState,hotconnpool}.
 */
public final class HotConnPoolHealthIndicator extends AbstractHealthIndicator {

	private final HotConnPool pool;

	private final int minHealthyPerHost;

	/**
	 * Creates the indicator.
	 * @param pool the pool
	 * @param minHealthyPerHost the healthy connections each host needs for {@code UP}, at least 1
	 */
	public HotConnPoolHealthIndicator(HotConnPool pool, int minHealthyPerHost) {
		super("hotconnpool health check failed");
		if (minHealthyPerHost < 1) {
			throw new InvalidSettingException("hotconnpool.health.min-healthy-per-host", minHealthyPerHost, "1 or more");
		}
		this.pool = pool;
		this.minHealthyPerHost = minHealthyPerHost;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		if (this.pool.isClosed() || !this.pool.isRunning()) {
			builder.outOfService().withDetail("running", false);
			return;
		}
		PoolStats stats = this.pool.stats();
		Map<String, HostHealth> hosts = new LinkedHashMap<>();
		boolean allUp = true;
		for (HostStats host : stats.hosts().stream().sorted(Comparator.comparing(HostKeys::of)).toList()) {
			boolean up = host.healthy() >= this.minHealthyPerHost;
			allUp &= up;
			List<String> blacklisted = host.blacklisted().stream().map(BlacklistedIp::ip).toList();
			hosts.put(HostKeys.of(host), new HostHealth((up ? Status.UP : Status.DOWN).getCode(), host.healthy(),
					host.total(), blacklisted));
		}
		builder.status(allUp ? Status.UP : Status.DOWN)
			.withDetail("minHealthyPerHost", this.minHealthyPerHost)
			.withDetail("successRate", stats.successRate())
			.withDetail("hosts", hosts);
	}

	/**
	 * One host's health.
	 *
	 * @param status {@code UP} or {@code DOWN}
	 * @param healthy connections whose last request or probe succeeded
	 * @param total connections not retired
	 * @param blacklistedIps IPs set aside
	 */
	public record HostHealth(String status, int healthy, int total, List<String> blacklistedIps) {
	}

}
