package io.hotconnpool.pool;

import java.io.IOException;

/**
 * The leased connection was retired while it was held (by {@link HotConnPool#forceCleanup()} or because the pool
 * closed): the lease can no longer be used. Acquire a new one.
 */
public class ConnectionRetiredException extends IOException {

	ConnectionRetiredException(String message) {
		super(message);
	}

}
