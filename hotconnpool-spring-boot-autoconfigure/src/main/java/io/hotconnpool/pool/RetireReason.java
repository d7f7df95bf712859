package io.hotconnpool.pool;

/**
 * Why a connection left the pool. Counted per reason in {@link PoolStats#retiredByReason()}.
 */
public enum RetireReason {

	/** An I/O or protocol error on a request or probe, or the server closed the connection. */
	BROKEN,

	/** A probe answered a status that is not a success. */
	UNHEALTHY,

	/** A response carried a blacklist status (403, 429 by default). */
	BLACKLISTED,

	/** Older than its maximum lifetime. */
	EXPIRED,

	/**
	 * Not needed: idle above the warm target for too long, or above the host's maximum when it comes back from a
	 * lease or probe (its IP left service, the other IPs were filled up, and the IP returned).
	 */
	IDLE,

	/** Its IP left the host's DNS answer. */
	DNS_REMOVED,

	/** {@link HotConnPool#forceCleanup()}. */
	FORCED,

	/** The pool closed. */
	CLOSED

}
