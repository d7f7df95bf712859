package io.hotconnpool.pool;

import java.time.Instant;

/**
 * An IP set aside: no new connections and no leases until it is re-probed successfully after {@code until}.
 *
 * @param ip the IP address
 * @param reason why, for example {@code status 403 on GET} or {@code 3 consecutive failures, last: ...}
 * @param since when it was blacklisted here (wall clock, for display)
 * @param until when it is re-probed (wall clock, for display; the pool itself uses monotonic time)
 * @param source who reported it, such as a fleet instance ({@link HotConnPool#blacklist}); {@code null} when this
 * pool saw the reason itself
 */
public record BlacklistedIp(String ip, String reason, Instant since, Instant until, String source) {
}
