package io.hotconnpool.pool;

/**
 * The pool is stopping or stopped: it hands out no more connections.
 */
public class PoolClosedException extends IllegalStateException {

	PoolClosedException(String message) {
		super(message);
	}

}
