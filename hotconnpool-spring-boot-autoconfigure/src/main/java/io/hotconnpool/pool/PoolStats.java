package io.hotconnpool.pool;

import java.util.List;
import java.util.Map;

import io.hotconnpool.tls.TlsSelfTest;

/**
 * A snapshot of the whole pool: connections by state, leases, requests and their outcomes, handshakes, retirements
 * and each host's detail. Connection counts are computed from the current state; request, handshake and retirement
 * counters are cumulative and never go down.
 *
 * @param totalConnections connections not retired
 * @param activeConnections connections carrying at least one lease
 * @param streamsInFlight leases in flight: one per HTTP/2 stream, one per leased HTTP/1.1 connection
 * @param idleConnections connections free to lease
 * @param warmingConnections connections being opened or validated
 * @param healthyConnections connections whose last request or probe succeeded
 * @param waitingAcquires acquires waiting for a connection
 * @param blacklistedIps IPs currently blacklisted, over all hosts
 * @param totalRequests requests executed on leases (each attempt of a retried {@code execute} counts)
 * @param failedRequests of those, requests whose caller got an I/O error: before the response, or while reading
 * its body
 * @param successRate {@code 1 - failedRequests/totalRequests}, or 1 when there were no requests: the share of
 * requests that got a response and read it without an I/O error, whatever its status (see
 * {@code responsesByStatusClass})
 * @param responsesByStatusClass responses received, by status class: {@code 1xx} to {@code 5xx}, in that order
 * @param hotHits requests served on an already-warm connection (no connect or handshake on the request path; the
 * first request on a connection an acquire waited for while it warmed is not hot)
 * @param handshakes TLS handshakes performed, warm-up and probes included
 * @param connectionsCreated connections ever created
 * @param newConnectionsFromDns connections created for IPs that DNS refresh found
 * @param acquireTimeouts acquires that gave up
 * @param leaksDetected leases held past {@code leak-detection-threshold}
 * @param retries idempotent requests retried once, on a connection known alive, after a connection failure
 * @param retriesSucceeded retries that got a response
 * @param retriesFailed retries that failed too (their caller got the exception), or found no connection
 * @param retiredByReason connections retired, per reason
 * @param hosts per-host detail
 * @param tlsSelfTests the start-up TLS self-test, one result per TLS profile in use: the JA4, JA4_r and JA3 the
 * pool's ClientHello achieves and whether the JA4 is the one the profile records; empty when the self-test is off or
 * the pool has not started
 */
public record PoolStats(int totalConnections, int activeConnections, int streamsInFlight, int idleConnections, int warmingConnections,
		int healthyConnections, int waitingAcquires, int blacklistedIps, long totalRequests, long failedRequests, double successRate,
		Map<String, Long> responsesByStatusClass,
		long hotHits, long handshakes, long connectionsCreated, long newConnectionsFromDns, long acquireTimeouts, long leaksDetected, long retries,
		long retriesSucceeded, long retriesFailed,
		Map<RetireReason, Long> retiredByReason, List<HostStats> hosts, List<TlsSelfTest.Result> tlsSelfTests) {

	/** The status classes responses are counted by, in order. */
	public static final List<String> STATUS_CLASSES = List.of("1xx", "2xx", "3xx", "4xx", "5xx");

	/**
	 * The status class a response is counted in.
	 * @param code the status code
	 * @return {@code 1xx} to {@code 5xx}; a code outside 100-599 counts in the nearest class
	 */
	public static String statusClass(int code) {
		return STATUS_CLASSES.get(Math.min(Math.max(code / 100, 1), 5) - 1);
	}

}
