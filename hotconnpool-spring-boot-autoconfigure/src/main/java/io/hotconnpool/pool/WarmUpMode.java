package io.hotconnpool.pool;

/**
 * Whether {@link HotConnPool#start()} waits for warm-up.
 */
public enum WarmUpMode {

	/** Start waits until every slot is warm or {@code warm-up.timeout} passes: traffic meets a warm pool. */
	BLOCKING,

	/** Start returns at once; connections warm in the background (a readiness probe can gate traffic). */
	BACKGROUND

}
