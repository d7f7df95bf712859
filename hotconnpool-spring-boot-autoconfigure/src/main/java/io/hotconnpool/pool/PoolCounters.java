package io.hotconnpool.pool;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToIntFunction;

import io.hotconnpool.tls.TlsSelfTest;

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

	/** Responses by status class, 1xx to 5xx: fixed keys, read-only after construction. */
	private final Map<String, LongAdder> responses = new LinkedHashMap<>();

	private final Map<RetireReason, LongAdder> retired = new EnumMap<>(RetireReason.class);

	PoolCounters() {
		for (RetireReason reason : RetireReason.values()) {
			this.retired.put(reason, new LongAdder());
		}
		PoolStats.STATUS_CLASSES.forEach((statusClass) -> this.responses.put(statusClass, new LongAdder()));
	}

	void responded(int code) {
		this.responses.get(PoolStats.statusClass(code)).increment();
	}

	/** Responses by status class, keyed {@code 1xx} to {@code 5xx}, in that order. */
	Map<String, Long> responsesByStatusClass() {
		Map<String, Long> snapshot = new LinkedHashMap<>();
		this.responses.forEach((statusClass, count) -> snapshot.put(statusClass, count.sum()));
		return Collections.unmodifiableMap(snapshot);
	}

	void retired(RetireReason reason) {
		this.retired.get(reason).increment();
	}

	Map<RetireReason, Long> retiredByReason() {
		Map<RetireReason, Long> snapshot = new EnumMap<>(RetireReason.class);
		this.retired.forEach((reason, count) -> snapshot.put(reason, count.sum()));
		return Collections.unmodifiableMap(snapshot);
	}

	/** The pool's statistics: these counters with the hosts' own, summed over the hosts. */
	PoolStats snapshot(List<HostStats> hosts, List<TlsSelfTest.Result> tlsSelfTests) {
		long requests = this.totalRequests.sum();
		long failed = this.failedRequests.sum();
		double successRate = (requests == 0) ? 1.0 : 1.0 - (double) failed / requests;
		return new PoolStats(sum(hosts, HostStats::total), sum(hosts, HostStats::leased),
				sum(hosts, HostStats::streams), sum(hosts, HostStats::idle), sum(hosts, HostStats::warming),
				sum(hosts, HostStats::healthy), sum(hosts, HostStats::waiting),
				sum(hosts, (host) -> host.blacklisted().size()), requests, failed, successRate, responsesByStatusClass(), this.hotHits.sum(), this.handshakes.sum(),
				this.connectionsCreated.sum(), this.newConnectionsFromDns.sum(), this.acquireTimeouts.sum(),
				this.leaksDetected.sum(), this.retries.sum(), this.retriesSucceeded.sum(), this.retriesFailed.sum(),
				retiredByReason(), hosts, tlsSelfTests);
	}

	private static int sum(List<HostStats> hosts, ToIntFunction<HostStats> count) {
		return hosts.stream().mapToInt(count).sum();
	}

}
