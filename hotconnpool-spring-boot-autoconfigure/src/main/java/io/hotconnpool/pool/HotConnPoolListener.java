package io.hotconnpool.pool;

import java.net.InetAddress;
import java.time.Instant;

/**
 * Receives the pool's timing and outcome events, for metrics. Register with
 * {@link HotConnPool.Builder#listener(HotConnPoolListener)}.
 * <p>
 * Called inline on the pool's hot paths, never under a host's lock (an event decided under it is fired once it is
 * released): implementations must be fast, thread-safe and non-blocking (a Micrometer counter or timer is). An
 * exception thrown by a listener is logged and swallowed.
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
	 * A user request on a lease received its response (status line and headers); its body may still be read.
	 * @param host the host key
	 * @param ip the IP address
	 * @param status the response's status code
	 */
	default void responseReceived(String host, String ip, int status) {
	}

	/**
	 * A user request on a lease ended: it failed before its response, or its response body was read to the end,
	 * failed while being read, or was closed. Once per request; never for a response its caller never closes.
	 * @param host the host key
	 * @param ip the IP address
	 * @param outcome how it ended
	 * @param hot whether it was served on an already-warm connection
	 */
	default void requestEnded(String host, String ip, RequestOutcome outcome, boolean hot) {
	}

	/**
	 * A user request on a lease ended, with its duration; by default passed on without it.
	 * @param host the host key
	 * @param ip the IP address
	 * @param outcome how it ended
	 * @param hot whether it was served on an already-warm connection
	 * @param nanos from sending the request to the end of its response body (read, failed or closed), or to the failure
	 */
	default void requestEnded(String host, String ip, RequestOutcome outcome, boolean hot, long nanos) {
		requestEnded(host, ip, outcome, hot);
	}

	/**
	 * A lease was given back.
	 * @param host the host key
	 * @param ip the IP address
	 * @param heldNanos how long it was held, from acquire to close
	 */
	default void leaseReleased(String host, String ip, long heldNanos) {
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

		/** A response below 500 that is not a blacklist status, its body read or closed without an error. */
		SUCCESS,

		/** A response 500 or above that is not a blacklist status, its body read or closed without an error. */
		SERVER_ERROR,

		/** A response with a blacklist status (403, 429 by default). */
		BLACKLIST_STATUS,

		/** An I/O or protocol error the caller got, before the response or while reading its body. */
		FAILURE

	}

}
