package io.hotconnpool.pool;

/**
 * Every IP of the host is blacklisted and {@link AllBlacklistedPolicy#FAIL} is in force.
 */
public class HostUnavailableException extends IllegalStateException {

	HostUnavailableException(String message) {
		super(message);
	}

}
