package io.hotconnpool.pool;

/**
 * The life of a pooled connection. Transitions happen under its host's lock:
 * {@code WARMING → IDLE ⇄ LEASED}, {@code IDLE → RESERVED → IDLE} (background probe), and from any state to
 * {@code RETIRED}, which is final.
 */
public enum ConnectionState {

	/** Being opened and validated: not available yet. */
	WARMING,

	/** Warm, healthy and free. */
	IDLE,

	/** Held by exactly one lease. */
	LEASED,

	/** Held by the pool itself for a background probe. */
	RESERVED,

	/** Closed or about to be; never handed out again. */
	RETIRED

}
