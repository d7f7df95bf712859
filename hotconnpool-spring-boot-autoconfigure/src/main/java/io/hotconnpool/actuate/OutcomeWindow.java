package io.hotconnpool.actuate;

import java.time.Duration;

/**
 * Calls and failures over a sliding time window, in {@link #BUCKETS} buckets: a call counts from when it is
 * recorded until its bucket leaves the window, between {@code window - window/BUCKETS} and {@code window} later.
 * Times are {@link System#nanoTime()} values passed in, so that tests drive the clock. Thread-safe: one short lock
 * per record, no allocation.
 */
final class OutcomeWindow {

	static final int BUCKETS = 12;

	private final long bucketNanos;

	/** The bucket number ({@code now / bucketNanos}) each slot holds. */
	private final long[] epochs = new long[BUCKETS];

	private final long[] calls = new long[BUCKETS];

	private final long[] failures = new long[BUCKETS];

	OutcomeWindow(Duration window) {
		this.bucketNanos = Math.max(1, window.toNanos() / BUCKETS);
	}

	/**
	 * Records one call.
	 * @param now the time, {@link System#nanoTime()}
	 * @param failed whether it failed
	 */
	synchronized void record(long now, boolean failed) {
		long epoch = Math.floorDiv(now, this.bucketNanos);
		int slot = (int) Math.floorMod(epoch, BUCKETS);
		if (this.epochs[slot] != epoch) {
			this.epochs[slot] = epoch;
			this.calls[slot] = 0;
			this.failures[slot] = 0;
		}
		this.calls[slot]++;
		if (failed) {
			this.failures[slot]++;
		}
	}

	/**
	 * The calls and failures in the window ending now.
	 * @param now the time, {@link System#nanoTime()}
	 * @return the counts
	 */
	synchronized Counts counts(long now) {
		long epoch = Math.floorDiv(now, this.bucketNanos);
		long callCount = 0;
		long failureCount = 0;
		for (int slot = 0; slot < BUCKETS; slot++) {
			long age = epoch - this.epochs[slot];
			// A slot never written holds zeros; -1 admits a call another thread stamped a moment later.
			if (age >= -1 && age < BUCKETS) {
				callCount += this.calls[slot];
				failureCount += this.failures[slot];
			}
		}
		return new Counts(callCount, failureCount);
	}

	/**
	 * Calls and failures over a window.
	 *
	 * @param calls calls recorded
	 * @param failures of those, failed ones
	 */
	record Counts(long calls, long failures) {

		static final Counts NONE = new Counts(0, 0);

		/** Failures in percent of calls, 0 without calls. */
		double failureRate() {
			return (this.calls == 0) ? 0 : 100.0 * this.failures / this.calls;
		}

	}

}
