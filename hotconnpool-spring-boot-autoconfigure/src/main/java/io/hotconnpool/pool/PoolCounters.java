package io.hotconnpool.pool;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The pool's cumulative counters: monotonic, lock-free. */
final class PoolCounters {

	final LongAdder totalRequests = new LongAdder();

	final LongAdder failedRequests = new LongAdder();

	final LongAdder hotHits = new LongAdder();

	final LongAdder handshakes = new LongAdder();

	final LongAdder connectionsCreated = new LongAdder();

	final LongAdder newConnectionsFromDns = new LongAdder();

	final LongAdder acquireTimeouts = new LongAdder();

	final LongAdder leaksDetected = new LongAdder();

	final LongAdder retries = new LongAdder();

	final LongAdder retriesSucceeded = new LongAdder();

	final LongAdder retriesFailed = new LongAdder();

	private final Map<RetireReason, LongAdder> retired = new EnumMap<>(RetireReason.class);

	PoolCounters() {
		for (RetireReason reason : RetireReason.values()) {
			this.retired.put(reason, new LongAdder());
		}
	}

	void retired(RetireReason reason) {
		this.retired.get(reason).increment();
	}

	Map<RetireReason, Long> retiredByReason() {
		Map<RetireReason, Long> snapshot = new EnumMap<>(RetireReason.class);
		this.retired.forEach((reason, count) -> snapshot.put(reason, count.sum()));
		return Collections.unmodifiableMap(snapshot);
	}

}
