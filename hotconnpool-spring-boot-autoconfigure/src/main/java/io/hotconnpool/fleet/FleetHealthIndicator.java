package io.hotconnpool.fleet;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The fleet link's state, never a reason to take the application out of service: without Redis each instance goes
 * on with its own blacklist. Always {@code UP}, with the details {@code link} ({@code CONNECTING}, {@code UP},
 * {@code DOWN}), since when, the last failure, the instance id, the prefix and the event counters.
 */
public final class FleetHealthIndicator extends AbstractHealthIndicator {

	private final RedisFleet fleet;

	/**
	 * Creates the indicator.
	 * @param fleet the fleet link
	 */
	public FleetHealthIndicator(RedisFleet fleet) {
		super("hotconnpool fleet health check failed");
		this.fleet = fleet;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		FleetStatus status = this.fleet.status();
		builder.up()
			.withDetail("link", status.link())
			.withDetail("since", status.since())
			.withDetail("instanceId", status.instanceId())
			.withDetail("prefix", status.prefix())
			.withDetail("published", status.published())
			.withDetail("received", status.received())
			.withDetail("failed", status.failed())
			.withDetail("dropped", status.dropped());
		if (status.lastFailure() != null) {
			builder.withDetail("lastFailure", status.lastFailure());
		}
	}

}
