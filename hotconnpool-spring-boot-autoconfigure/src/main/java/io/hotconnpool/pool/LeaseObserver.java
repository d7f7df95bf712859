package io.hotconnpool.pool;

import java.io.IOException;

import okhttp3.Request;
import okhttp3.Response;

/**
 * Observes the lease API as it runs, on the caller's thread, for tracing: each acquire's wait, and each request on a
 * lease ({@link HotConnPool#execute} and {@link Lease#execute}), whose headers it may add to (a trace
 * context). Register with {@link HotConnPool.Builder#leaseObserver(LeaseObserver)}; the starter registers one backed
 * by Micrometer's {@code ObservationRegistry} when the application has one.
 * <p>
 * Unlike a {@link HotConnPoolListener}, it sees the request and the response, and its scopes span the work, so that
 * a tracer can make them the current span. An exception it throws is the caller's: the pool first gives back the
 * connection that acquire leased, or closes the response that request got.
 */
public interface LeaseObserver {

	/**
	 * An acquire starts waiting for a connection.
	 * @param host the host key ({@code host:port})
	 * @return the scope, ended when the acquire ends
	 */
	Acquire acquireStarted(String host);

	/**
	 * A request on a lease is about to be sent.
	 * @param host the host key
	 * @param ip the IP address of the leased connection
	 * @param request the request's builder: headers set here are sent
	 * @return the scope, ended when the response headers arrived or the exchange failed
	 */
	Exchange requestStarted(String host, String ip, Request.Builder request);

	/** An acquire in progress. */
	interface Acquire {

		/**
		 * The acquire ended.
		 * @param acquired whether it got a connection
		 */
		void ended(boolean acquired);

	}

	/** A request in progress. */
	interface Exchange {

		/**
		 * The exchange ended.
		 * @param response the response, or {@code null} when it failed
		 * @param failure the failure, or {@code null}
		 * @param hot whether a warm connection served it
		 */
		void ended(Response response, IOException failure, boolean hot);

	}

}
