package io.hotconnpool.fleet;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The fleet's meters: {@code hotconnpool.fleet.events} (counter, tag {@code event}: {@code published},
 * {@code received}, {@code failed}, {@code dropped}) and {@code hotconnpool.fleet.link.up} (gauge, 1 while Redis
 * answers, else 0).
 */
public final class FleetMetrics implements MeterBinder {

	private final RedisFleet fleet;

	/**
	 * Creates the meters' binder.
	 * @param fleet the fleet link
	 */
	public FleetMetrics(RedisFleet fleet) {
		this.fleet = fleet;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		counter(registry, "published", "Blacklistings and restorations this instance published",
				FleetStatus::published);
		counter(registry, "received", "Blacklistings and restorations of other instances received",
				FleetStatus::received);
		counter(registry, "failed", "Redis commands that failed or timed out, and entries that could not be read or applied",
				FleetStatus::failed);
		counter(registry, "dropped", "Events not published (queue full or link down), resynchronised later",
				FleetStatus::dropped);
		Gauge.builder("hotconnpool.fleet.link.up", this.fleet,
				(fleet) -> (fleet.status().link() == FleetStatus.Link.UP) ? 1 : 0)
			.description("1 while the fleet's Redis answers, else 0")
			.register(registry);
	}

	private void counter(MeterRegistry registry, String event, String description,
			ToDoubleFunction<FleetStatus> count) {
		FunctionCounter.builder("hotconnpool.fleet.events", this.fleet, (fleet) -> count.applyAsDouble(fleet.status()))
			.tag("event", event)
			.description(description)
			.register(registry);
	}

}
