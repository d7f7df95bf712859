package io.hotconnpool.pool;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

import okhttp3.Request;
import okhttp3.Response;

/**
 * The lease path of the pool: acquiring (timed, observed, watched for leaks) and executing a request on a lease,
 * with the one retry an idempotent request gets when its connection fails.
 */
final class Leases {

	private final HotConnPool pool;

	Leases(HotConnPool pool) {
		this.pool = pool;
	}

	/**
	 * Acquires, preferring a connection to another IP than {@code avoid} when there is one; with {@code avoid}
	 * (a retry) the connection answers a probe first ({@link HostLeases#acquireAlive}).
	 */
	Lease acquire(String target, Duration timeout, InetAddress avoid, boolean exclusive)
			throws InterruptedException {
		Objects.requireNonNull(timeout, "timeout");
		if (timeout.isNegative()) {
			throw new IllegalArgumentException("Acquire timeout must not be negative, was " + timeout);
		}
		HostPool host = this.pool.hostFor(target);
		if (this.pool.leaseObserver == null) {
			return lease(host, timeout, avoid, exclusive);
		}
		LeaseObserver.Acquire observed = this.pool.leaseObserver.acquireStarted(host.key());
		Lease lease = null;
		try {
			lease = lease(host, timeout, avoid, exclusive);
			return lease;
		}
		finally {
			acquireEnded(observed, lease);
		}
	}

	/** Waits for a connection and leases it; no connection in time is an {@link AcquireTimeoutException}. */
	private Lease lease(HostPool host, Duration timeout, InetAddress avoid, boolean exclusive)
			throws InterruptedException {
		Listeners listeners = this.pool.listeners;
		long start = listeners.any() ? System.nanoTime() : 0;
		// Only a retry avoids an IP, and it takes a connection that answered a probe just before.
		PooledConnection connection = (avoid == null) ? host.leases.acquire(timeout.toNanos(), null, exclusive, false)
				: host.leases.acquireAlive(timeout.toNanos(), avoid, exclusive);
		if (start != 0) {
			long waited = System.nanoTime() - start;
			listeners.fire((listener) -> listener.acquireEnded(host.key(), waited, connection != null));
		}
		if (connection == null) {
			this.pool.counters.acquireTimeouts.increment();
			HostStats stats = host.stats();
			String failure = host.lastFailure();
			throw new AcquireTimeoutException("No connection to " + stats.summary() + " became free within "
					+ timeout + ((failure != null) ? "; last connection failure: " + failure : ""), stats);
		}
		boolean stream = connection.multiplexed && !exclusive;
		if (!this.pool.detectsLeaks) {
			// the hold time is read only by listeners
			return new Lease(this.pool, connection, stream, null, listeners.any() ? System.nanoTime() : 0);
		}
		Lease lease = new Lease(this.pool, connection, stream, new Throwable("acquired here"),
				System.nanoTime());
		connection.leases.add(lease);
		return lease;
	}

	/** The observer's exception is the caller's, who then never sees the lease: it goes back to the pool first. */
	private static void acquireEnded(LeaseObserver.Acquire observed, Lease lease) {
		try {
			observed.ended(lease != null);
		}
		catch (RuntimeException ex) {
			if (lease != null) {
				lease.close();
			}
			throw ex;
		}
	}

	/** See {@link HotConnPool#execute(Request)}. */
	Response execute(Request request) throws IOException {
		Lease lease = acquireFor(request, null);
		try {
			return releasingOnClose(lease.execute(request), lease);
		}
		catch (IOException ex) {
			lease.close();
			if (!this.pool.config.isRetryOnConnectionFailure() || !isRetryable(request)) {
				throw ex;
			}
			return retry(request, lease.ip(), ex);
		}
		catch (RuntimeException ex) {
			lease.close();
			throw ex;
		}
	}

	private Response retry(Request request, InetAddress failedIp, IOException failure) throws IOException {
		PoolCounters counters = this.pool.counters;
		counters.retries.increment();
		Lease retry;
		try {
			retry = acquireFor(request, failedIp);
		}
		catch (IOException | RuntimeException again) {
			counters.retriesFailed.increment();
			again.addSuppressed(failure);
			throw again;
		}
		try {
			Response response = releasingOnClose(retry.execute(request), retry);
			counters.retriesSucceeded.increment();
			return response;
		}
		catch (IOException | RuntimeException again) {
			counters.retriesFailed.increment();
			retry.close();
			again.addSuppressed(failure);
			throw again;
		}
	}

	private Lease acquireFor(Request request, InetAddress avoid) throws InterruptedIOException {
		try {
			return acquire(request.url().host() + ":" + request.url().port(), this.pool.config.getAcquireTimeout(),
					avoid, false);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while waiting for a connection to " + request.url().host());
		}
	}

	private static boolean isRetryable(Request request) {
		boolean idempotent = switch (request.method()) {
			case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
			default -> false;
		};
		return idempotent && (request.body() == null || !request.body().isOneShot());
	}

	private static Response releasingOnClose(Response response, Lease lease) {
		// Given back when the body ends, however it ends: read to the end, failed, or closed (string(), a stream).
		return response.newBuilder().body(new ExchangeEndingBody(response.body(), (failure) -> lease.close())).build();
	}

}
