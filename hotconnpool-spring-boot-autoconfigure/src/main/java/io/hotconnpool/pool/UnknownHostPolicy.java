package io.hotconnpool.pool;

/**
 * What {@link HotConnPool#acquire(String)} does for a host that is not configured.
 */
public enum UnknownHostPolicy {

	/** Resolve and warm the host on first use, with the pool-wide defaults, up to the pool's host limit. */
	WARM_ON_FIRST_USE,

	/** Refuse it with {@link HostNotConfiguredException}. */
	REFUSE

}
