package io.hotconnpool.pool;

/**
 * What a host does when every one of its IPs is blacklisted.
 */
public enum AllBlacklistedPolicy {

	/** Keep serving from the IP whose blacklist entry expires first. */
	SERVE_LEAST_BAD,

	/** Refuse acquires with {@link HostUnavailableException} until an IP is restored. */
	FAIL

}
