package io.hotconnpool.pool;

import java.net.InetAddress;
import java.time.Instant;

/**
 * Receives the pool's timing and outcome events, for metrics. Register with
 * {@link HotConnPool.Builder#listener(HotConnPoolListener)}.
 * <p>
 * Called inline on the pool's hot paths, some under a host's lock: implementations must be fast, thread-safe and
 * non-blocking (a Micrometer counter or timer is). An exception thrown by a listener is logged and swallowed.
 */
public interface HotConnPoolListener {

	/**
	 * An acquire ended.
	 * @param host the host key ({@code host:port})
	 * @param waitNanos how long it took
	 * @param acquired {@code true} if it got a connection, {@code false} if it timed out
	 */
	default void acquireEnded(String host, long waitNanos, boolean acquired) {
	}

	/**
	 * A new physical connection finished its TLS handshake.
	 * @param host the host key
	 * @param ip the IP address
	 * @param connectNanos the TCP connect time
	 * @param handshakeNanos the TLS handshake time
	 */
	default void connectionOpened(String host, String ip, long connectNanos, long handshakeNanos) {
	}

	/**
	 * A warm-up, health or re-probe request ended.
	 * @param host the host key
	 * @param ip the IP address
	 * @param nanos how long it took
	 * @param healthy whether the connection proved healthy
	 */
	default void probeEnded(String host, String ip, long nanos, boolean healthy) {
	}

	/**
	 * A user request on a lease ended.
	 * @param host the host key
	 * @param ip the IP address
	 * @param outcome how it ended
	 * @param hot whether it was served on an already-warm connection
	 */
	default void requestEnded(String host, String ip, RequestOutcome outcome, boolean hot) {
	}

	/**
	 * A connection left the pool.
	 * @param host the host key
	 * @param ip the IP address
	 * @param reason why
	 */
	default void connectionRetired(String host, String ip, RetireReason reason) {
	}

	/**
	 * A lease was held past {@code leak-detection-threshold}; reported once per lease.
	 * @param host the host key
	 * @param ip the IP address
	 * @param heldNanos how long it had been held
	 */
	default void leakDetected(String host, String ip, long heldNanos) {
	}

	/**
	 * An IP was blacklisted, or its entry renewed (its re-probe failed). Called after the host's lock is released.
	 * @param host the host key
	 * @param ip the IP address
	 * @param reason why
	 * @param until when the entry expires (wall clock)
	 * @param source who reported it ({@link HotConnPool#blacklist}), {@code null} when this pool saw it itself
	 */
	default void ipBlacklisted(String host, String ip, String reason, Instant until, String source) {
	}

	/**
	 * A blacklisted IP was restored. Called after the host's lock is released.
	 * @param host the host key
	 * @param ip the IP address
	 * @param source who reported it restored ({@link HotConnPool#unblacklist(String, InetAddress, String)}),
	 * {@code null} when this pool's re-probe succeeded or an operator took it off the blacklist
	 */
	default void ipRestored(String host, String ip, String source) {
	}

	/**
	 * How a user request ended.
	 */
	enum RequestOutcome {

		/** A response that is not a blacklist status. */
		SUCCESS,

		/** A response with a blacklist status (403, 429 by default). */
		BLACKLIST_STATUS,

		/** An I/O or protocol error. */
		FAILURE

	}

}
