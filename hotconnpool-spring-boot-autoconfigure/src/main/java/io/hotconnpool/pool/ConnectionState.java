package io.hotconnpool.pool;

/**
 * The life of a pooled connection. Transitions happen under its host's lock:
 * {@code WARMING → IDLE ⇄ LEASED}, {@code IDLE → RESERVED → IDLE} (background probe), and from any state to
 * {@code RETIRED}, which is final. A shared HTTP/2 connection stays {@code IDLE} while its streams come and go
 * without the lock; statistics show it {@code LEASED} while it carries any.
 */
public enum ConnectionState {

	/** Being opened and validated: not available yet. */
	WARMING,

	/** Warm, healthy and free. */
	IDLE,

	/** Held by one lease whole, or (in statistics) carrying HTTP/2 streams. */
	LEASED,

	/** Held by the pool itself for a background probe. */
	RESERVED,

	/** Closed or about to be (an HTTP/2 one once its last stream ends); never handed out again. */
	RETIRED

}
