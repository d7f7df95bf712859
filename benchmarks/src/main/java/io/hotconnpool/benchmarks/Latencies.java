package io.hotconnpool.benchmarks;

import java.time.Duration;
import java.util.Locale;

import org.HdrHistogram.Histogram;

/**
 * Latencies in nanoseconds (1 µs to 1 min, 3 significant digits) with their percentiles as multiples of a
 * reference time such as the round trip. Not thread-safe: record from one thread, or synchronise.
 */
public final class Latencies {

	private final Histogram histogram = new Histogram(1_000, Duration.ofMinutes(1).toNanos(), 3);

	/** Records one latency; below 1 µs counts as 1 µs, above a minute as a minute. */
	public void record(long nanos) {
		this.histogram.recordValue(Math.min(Math.max(nanos, 1_000), this.histogram.getHighestTrackableValue()));
	}

	/** Adds every sample of another. */
	public void add(Latencies other) {
		this.histogram.add(other.histogram);
	}

	public long count() {
		return this.histogram.getTotalCount();
	}

	public long min() {
		return this.histogram.getMinValue();
	}

	public long p50() {
		return this.histogram.getValueAtPercentile(50);
	}

	public long p99() {
		return this.histogram.getValueAtPercentile(99);
	}

	public long max() {
		return this.histogram.getMaxValue();
	}

	/** {@code p50 / p99 / max} as multiples of {@code unit}, e.g. {@code 1.04 / 1.21 / 1.63}. */
	public String inUnits(Duration unit) {
		double u = unit.toNanos();
		return String.format(Locale.ROOT, "%.2f / %.2f / %.2f", p50() / u, p99() / u, max() / u);
	}

	/** {@code p50 / p99 / max} in milliseconds. */
	public String inMillis() {
		return String.format(Locale.ROOT, "%.1f / %.1f / %.1f ms", p50() / 1e6, p99() / 1e6, max() / 1e6);
	}

}
