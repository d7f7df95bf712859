package io.hotconnpool.pool;

import java.time.Instant;

/**
 * A snapshot of one pooled connection.
 *
 * @param id the connection's number within the pool, unique for the pool's life
 * @param host the host name
 * @param port the port
 * @param ip the IP address the connection is pinned to
 * @param slot the slot of this IP the connection fills (0-based)
 * @param state its state; a connection carrying HTTP/2 streams shows {@link ConnectionState#LEASED}, and one draining
 * (retired, its last streams still running) {@link ConnectionState#RETIRED}
 * @param healthy whether its last request or probe succeeded
 * @param protocol the negotiated protocol ({@code h2}, {@code http/1.1}), or {@code null} before the first exchange
 * @param requests requests served, probes excluded
 * @param errors requests or probes that failed
 * @param createdAt when it was created (wall clock, for display)
 * @param lastUsedAt when it was last leased or probed (wall clock, for display)
 * @param expiresAt when it reaches its maximum lifetime (wall clock, for display)
 * @param tlsProfile the id of the TLS profile its ClientHello and headers follow
 * @param streams leases in flight on it: on HTTP/2 one per stream, otherwise 0 or 1
 * @param maxStreams the most leases it carries at once: on HTTP/2 the lower of
 * {@code http2.max-streams-per-connection} and the server's {@code SETTINGS_MAX_CONCURRENT_STREAMS}, otherwise 1
 */
public record ConnectionStats(long id, String host, int port, String ip, int slot, ConnectionState state,
		boolean healthy, String protocol, long requests, long errors, Instant createdAt, Instant lastUsedAt,
		Instant expiresAt, String tlsProfile, int streams, int maxStreams) {
}
