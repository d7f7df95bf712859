package io.hotconnpool.pool;

import java.time.Duration;
import java.util.List;

/**
 * A snapshot of one host: its addresses and connections.
 *
 * @param host the host name
 * @param port the port
 * @param addresses the IP addresses the host resolves to and may use (blacklisted ones included)
 * @param blacklisted the IPs set aside, with reason and expiry
 * @param draining IPs that left the DNS answer, or whose retired HTTP/2 connections still carry streams, and still
 * have leased connections
 * @param total connections not retired (warming, idle, leased or reserved)
 * @param idle connections free to lease, carrying no lease
 * @param leased connections carrying at least one lease
 * @param streams leases in flight: one per HTTP/2 stream, one per leased HTTP/1.1 connection; draining connections'
 * streams included
 * @param warming connections being opened or validated
 * @param healthy connections whose last request or probe succeeded
 * @param waiting acquires waiting for a connection
 * @param maxConnections the host's connection limit
 * @param warmTarget the number of connections the pool keeps warm
 * @param connections every connection, draining ones included
 * @param failing IPs whose latest connections or probes failed (a handshake that does not complete, a reset, a
 * 503), not blacklisted yet: the count so far towards {@code blacklist.failure-threshold} and the last failure
 * @param keepAliveTimeout how long the host's servers keep an idle connection open, as the pool learned it from a
 * {@code Keep-Alive: timeout} header or an observed idle close; {@code null} when unknown
 */
public record HostStats(String host, int port, List<String> addresses, List<BlacklistedIp> blacklisted,
		List<String> draining, int total, int idle, int leased, int warming,
		int healthy, int waiting, int maxConnections, int warmTarget, int streams, List<ConnectionStats> connections,
		List<FailingIp> failing, Duration keepAliveTimeout) {

	/** A one-line summary for log and exception messages. */
	String summary() {
		return HostSettings.key(this.host, this.port) + " (total=" + this.total + ", idle=" + this.idle + ", leased="
				+ this.leased + ", streams=" + this.streams + ", warming=" + this.warming + ", waiting=" + this.waiting + ", max="
				+ this.maxConnections + ")";
	}

}
