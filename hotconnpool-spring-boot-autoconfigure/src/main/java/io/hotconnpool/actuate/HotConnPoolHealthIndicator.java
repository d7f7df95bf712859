package io.hotconnpool.actuate;

import java.util.ArrayList;
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
 * Health of a {@link HotConnPool} as its callers experience it. A host is {@code DOWN} when it has fewer than
 * {@code min-healthy-per-host} healthy connections, or when, over the last {@code window}, at least
 * {@code minimum-number-of-calls} calls were made to it and at least {@code failure-rate-threshold} percent of them
 * failed (an exception, an acquire timeout, a 5xx or a blacklist status; see {@link HotConnPoolRecentOutcomes}).
 * <p>
 * The pool's upstream hosts are external systems, so by default a host that is down does not fail the
 * application's health (resilience4j's {@code allowHealthIndicatorToFail}, off): the indicator then reports
 * {@link #DEGRADED}, a status Spring Boot's default aggregation ignores, and {@code DOWN} only with
 * {@code allow-to-fail}. A health group can take {@code DEGRADED} into account on its own
 * ({@code management.endpoint.health.group.readiness.status.order}), so that readiness, and only readiness, turns
 * down. {@code OUT_OF_SERVICE} while the pool is not running (before start, stopping or stopped). Details: the
 * thresholds, the overall success rate, and per host its status, connections, blacklisted IPs, recent calls and
 * failures and why it is down.
 */
public final class HotConnPoolHealthIndicator extends AbstractHealthIndicator {

	/** A host is down while the application may not fail on it ({@code allow-to-fail=false}). */
	public static final Status DEGRADED = new Status("DEGRADED",
			"an upstream host is down; the application's own health is not affected");

	private final HotConnPool pool;

	private final HotConnPoolRecentOutcomes recent;

	private final Thresholds thresholds;

	/**
	 * Creates the indicator.
	 * @param pool the pool
	 * @param recent the calls and failures of each host over the window, registered on the pool as a listener
	 * @param thresholds when a host is down and what that does to the status
	 */
	public HotConnPoolHealthIndicator(HotConnPool pool, HotConnPoolRecentOutcomes recent, Thresholds thresholds) {
		super("hotconnpool health check failed");
		this.pool = pool;
		this.recent = recent;
		this.thresholds = thresholds;
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
			HostHealth health = health(host);
			allUp &= health.reasons().isEmpty();
			hosts.put(HostKeys.of(host), health);
		}
		Status down = this.thresholds.allowToFail() ? Status.DOWN : DEGRADED;
		builder.status(allUp ? Status.UP : down)
			.withDetail("minHealthyPerHost", this.thresholds.minHealthyPerHost())
			.withDetail("failureRateThreshold", this.thresholds.failureRateThreshold())
			.withDetail("minimumNumberOfCalls", this.thresholds.minimumNumberOfCalls())
			.withDetail("window", this.recent.window().toString())
			.withDetail("successRate", stats.successRate())
			.withDetail("hosts", hosts);
	}

	private HostHealth health(HostStats host) {
		List<String> reasons = new ArrayList<>();
		if (host.healthy() < this.thresholds.minHealthyPerHost()) {
			reasons.add(host.healthy() + " healthy connections, fewer than " + this.thresholds.minHealthyPerHost());
		}
		OutcomeWindow.Counts counts = this.recent.counts(HostKeys.of(host));
		if (counts.calls() >= this.thresholds.minimumNumberOfCalls()
				&& counts.failureRate() >= this.thresholds.failureRateThreshold()) {
			reasons.add(counts.failures() + " of the last " + counts.calls() + " calls failed, at least "
					+ this.thresholds.failureRateThreshold() + "% in " + this.recent.window().toString());
		}
		List<String> blacklisted = host.blacklisted().stream().map(BlacklistedIp::ip).toList();
		return new HostHealth((reasons.isEmpty() ? Status.UP : Status.DOWN).getCode(), host.healthy(), host.total(),
				blacklisted, counts.calls(), counts.failures(), List.copyOf(reasons));
	}

	/**
	 * When a host is down, and whether that fails the indicator.
	 *
	 * @param minHealthyPerHost healthy connections each host needs, at least 1
	 * ({@code hotconnpool.health.min-healthy-per-host})
	 * @param minimumNumberOfCalls calls to a host within the window before its failure rate counts, at least 1
	 * ({@code hotconnpool.health.minimum-number-of-calls})
	 * @param failureRateThreshold the failure rate, in percent from 1 to 100, at which a host is down
	 * ({@code hotconnpool.health.failure-rate-threshold})
	 * @param allowToFail whether a host that is down turns the indicator {@code DOWN} rather than
	 * {@link #DEGRADED} ({@code hotconnpool.health.allow-to-fail})
	 */
	public record Thresholds(int minHealthyPerHost, int minimumNumberOfCalls, int failureRateThreshold,
			boolean allowToFail) {

		/**
		 * Validates the thresholds.
		 * @throws InvalidSettingException naming the property of a threshold out of range
		 */
		public Thresholds {
			if (minHealthyPerHost < 1) {
				throw new InvalidSettingException("hotconnpool.health.min-healthy-per-host", minHealthyPerHost,
						"1 or more");
			}
			if (minimumNumberOfCalls < 1) {
				throw new InvalidSettingException("hotconnpool.health.minimum-number-of-calls", minimumNumberOfCalls,
						"1 or more");
			}
			if (failureRateThreshold < 1 || failureRateThreshold > 100) {
				throw new InvalidSettingException("hotconnpool.health.failure-rate-threshold", failureRateThreshold,
						"a percentage from 1 to 100");
			}
		}

	}

	/**
	 * One host's health.
	 *
	 * @param status {@code UP} or {@code DOWN}
	 * @param healthy connections whose last request or probe succeeded
	 * @param total connections not retired
	 * @param blacklistedIps IPs set aside
	 * @param recentCalls calls to the host within the window: requests ended and acquires timed out
	 * @param recentFailures of those, failed ones
	 * @param reasons why the host is down; empty when it is up
	 */
	public record HostHealth(String status, int healthy, int total, List<String> blacklistedIps, long recentCalls,
			long recentFailures, List<String> reasons) {
	}

}
