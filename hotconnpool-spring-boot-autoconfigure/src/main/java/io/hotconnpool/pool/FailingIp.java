package io.hotconnpool.pool;

import java.time.Instant;

/**
 * An IP whose latest connections or probes failed, for example because its TLS handshakes never complete, while it
 * is not blacklisted yet: each further failure counts towards {@code blacklist.failure-threshold}, and a success
 * clears it.
 *
 * @param ip the IP address
 * @param consecutiveFailures failures in a row so far
 * @param lastFailure the latest failure, for example a handshake timeout
 * @param since when the streak began (wall clock, for display)
 */
public record FailingIp(String ip, int consecutiveFailures, String lastFailure, Instant since) {
}
