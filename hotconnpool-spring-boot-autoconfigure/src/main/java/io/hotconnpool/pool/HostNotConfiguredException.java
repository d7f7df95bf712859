package io.hotconnpool.pool;

/**
 * An acquire named a host the pool does not serve: it is not configured and the pool refuses unknown hosts,
 * or the pool already holds as many hosts as it may.
 */
public class HostNotConfiguredException extends IllegalArgumentException {

	HostNotConfiguredException(String message) {
		super(message);
	}

}
