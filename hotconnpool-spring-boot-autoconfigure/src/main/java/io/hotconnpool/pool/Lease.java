package io.hotconnpool.pool;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import io.hotconnpool.pool.HotConnPoolListener.RequestOutcome;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * A lease on one warm connection: from {@link HotConnPool#acquire(String)} a stream on a shared HTTP/2 connection
 * or a whole HTTP/1.1 connection, from {@link HotConnPool#acquireExclusive(String)} always a whole connection.
 * <p>
 * One request at a time per lease: run any number of requests to the lease's host with {@link #execute(Request)},
 * closing each response before the next, then {@link #close()} the lease to give it back. On HTTP/2, other leases
 * may run their requests on the same connection meanwhile (each its own stream) unless this lease is exclusive. A
 * connection that failed, answered a blacklist status, or was closed by the server is retired on release (a shared
 * one drains: its other streams finish, it takes no new one) and a replacement is warmed in the background. A 503
 * answer reaches the caller like any response, and counts towards its IP's {@code blacklist.failure-threshold}.
 *
 * <pre>{@code
 * try (Lease lease = pool.acquire("api.example.com");
 *      Response response = lease.execute(request)) {
 *     return response.body().string();
 * }
 * }</pre>
 */
public final class Lease implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(Lease.class);

	/** The exchange failed: the connection goes, and the failure counts against its IP. */
	private static final HostPool.LeaseOutcome FAILED = new HostPool.LeaseOutcome(RetireReason.BROKEN, null,
			"a request failed");

	/** 503 Service Unavailable: the server says it cannot serve now. */
	private static final int SERVICE_UNAVAILABLE = 503;

	/** Flags set once each, with field updaters rather than atomics: a lease is made on every acquire. */
	private static final AtomicIntegerFieldUpdater<Lease> CLOSED = AtomicIntegerFieldUpdater
		.newUpdater(Lease.class, "closed");

	private static final AtomicIntegerFieldUpdater<Lease> LEAK_REPORTED = AtomicIntegerFieldUpdater
		.newUpdater(Lease.class, "leakReported");

	private final HotConnPool pool;

	private final PooledConnection connection;

	/** Whether it holds one stream of a shared connection rather than the whole connection. */
	private final boolean stream;

	/** When it was acquired, when leak detection is on or listeners see hold times; 0 otherwise. */
	private final long leasedAtNanos;

	private volatile int closed;

	private volatile HostPool.LeaseOutcome failure;

	private volatile Response lastResponse;

	/** Where it was acquired, when leak detection is on. */
	private final Throwable acquiredAt;

	private volatile int leakReported;

	Lease(HotConnPool pool, PooledConnection connection, boolean stream, Throwable acquiredAt,
			long leasedAtNanos) {
		this.pool = pool;
		this.connection = connection;
		this.stream = stream;
		this.acquiredAt = acquiredAt;
		this.leasedAtNanos = leasedAtNanos;
	}

	Throwable acquiredAt() {
		return this.acquiredAt;
	}

	long leasedAtNanos() {
		return this.leasedAtNanos;
	}

	/** Whether this call is the first to report the lease as a leak. */
	boolean markLeakReported() {
		return LEAK_REPORTED.compareAndSet(this, 0, 1);
	}

	/**
	 * Executes a request on this connection, within the pool's call timeout.
	 * @param request an https request to this lease's host and port
	 * @return the response; close it (or read its body to the end) before the next request
	 * @throws IllegalArgumentException when the request is for another host, port or scheme
	 * @throws IllegalStateException when this lease was closed
	 * @throws ConnectionRetiredException when the connection was retired while leased
	 * @throws IOException when the exchange fails; the connection is then retired on release
	 */
	public Response execute(Request request) throws IOException {
		if (this.closed != 0) {
			throw new IllegalStateException("This lease on " + this.connection + " is closed: acquire a new one");
		}
		requireLeaseTarget(request.url());
		if (this.connection.state == ConnectionState.RETIRED && !isDrainingStream()) {
			throw new ConnectionRetiredException(this.connection + " was retired (" + this.connection.retireReason
					+ ") while leased: acquire a new connection");
		}
		PoolCounters counters = this.pool.counters;
		counters.totalRequests.increment();
		long start = this.pool.listeners.any() ? System.nanoTime() : 0;
		LeaseObserver.Exchange observed = null;
		if (this.pool.leaseObserver != null) {
			Request.Builder traced = request.newBuilder();
			observed = this.pool.leaseObserver.requestStarted(this.connection.host.key(),
					this.connection.ip.getHostAddress(), traced);
			request = traced.build();
		}
		PooledConnection.Exchange exchange;
		try {
			exchange = this.connection.execute(request);
		}
		catch (IOException ex) {
			// Counted before the observer runs: an exception it throws must not leave the failure unrecorded.
			failed();
			requestEnded(RequestOutcome.FAILURE, false, start);
			if (observed != null) {
				try {
					observed.ended(null, ex, false);
				}
				catch (RuntimeException observerFailure) {
					observerFailure.addSuppressed(ex);
					throw observerFailure;
				}
			}
			throw ex;
		}
		boolean hot = !this.connection.takeHandedOverWarm() && exchange.hot();
		if (hot) {
			counters.hotHits.increment();
		}
		Response response = exchange.response();
		this.connection.host.keepAlive.learn(response);
		int code = response.code();
		counters.responded(code);
		RequestOutcome outcome = (code >= 500) ? RequestOutcome.SERVER_ERROR : RequestOutcome.SUCCESS;
		// Method, not path: a path may carry a credential (/bot<token>/..., webhook secrets), and the answer is
		// logged, shown by the actuator and shared with the fleet.
		String answer = "status " + code + " on " + request.method();
		if (this.connection.host.settings.blacklistStatuses().contains(code)) {
			outcome = RequestOutcome.BLACKLIST_STATUS;
			this.failure = new HostPool.LeaseOutcome(RetireReason.BLACKLISTED, answer, null);
		}
		else if (code == SERVICE_UNAVAILABLE && this.failure == null) {
			// The response is the caller's; the connection works, but the failure counts against its IP.
			this.failure = new HostPool.LeaseOutcome(null, null, answer);
		}
		if (this.pool.listeners.any()) {
			String host = this.connection.host.key();
			String ip = this.connection.ip.getHostAddress();
			this.pool.listeners.fire((listener) -> listener.responseReceived(host, ip, code));
		}
		// The exchange ends with its body: an I/O error while the caller reads it fails the request too.
		RequestOutcome answered = outcome;
		Response tracked = response.newBuilder().body(new ExchangeEndingBody(response.body(), (failure) -> {
			if (failure != null) {
				this.connection.exchangeFailed();
				failed();
			}
			requestEnded((failure != null) ? RequestOutcome.FAILURE : answered, hot, start);
		})).build();
		this.lastResponse = tracked;
		if (observed != null) {
			try {
				observed.ended(response, null, hot);
			}
			catch (RuntimeException ex) {
				// The caller gets the observer's exception instead of the response: the exchange ends here, and the
				// lease's close judges whether the connection survived it.
				tracked.close();
				throw ex;
			}
		}
		return tracked;
	}

	/** The caller got an I/O error: counted failed, and the connection goes with a failure against its IP. */
	private void failed() {
		this.pool.counters.failedRequests.increment();
		HostPool.LeaseOutcome current = this.failure;
		if (current == null || current.reason() == null) {
			this.failure = FAILED;
		}
	}

	/** A stream keeps serving its holder while its retired connection drains; forced cleanup and close cut it. */
	private boolean isDrainingStream() {
		RetireReason reason = this.connection.retireReason;
		return this.stream && reason != RetireReason.FORCED && reason != RetireReason.CLOSED;
	}

	private void requestEnded(RequestOutcome outcome, boolean hot, long start) {
		if (!this.pool.listeners.any()) {
			return; // spares every request the IP's text form and the event
		}
		long nanos = System.nanoTime() - start;
		String host = this.connection.host.key();
		String ip = this.connection.ip.getHostAddress();
		this.pool.listeners.fire((listener) -> listener.requestEnded(host, ip, outcome, hot, nanos));
	}

	private void requireLeaseTarget(HttpUrl url) {
		HostSettings target = this.connection.host.settings;
		if (!url.isHttps() || !url.host().equalsIgnoreCase(target.host()) || url.port() != target.port()) {
			throw new IllegalArgumentException("This lease is for https://" + target.key() + ", not "
					+ url.scheme() + "://" + url.host() + ":" + url.port() + ": acquire a lease for that host");
		}
	}

	/** The host name this lease serves. */
	public String host() {
		return this.connection.host.settings.host();
	}

	/** The port this lease serves. */
	public int port() {
		return this.connection.host.settings.port();
	}

	/** The IP address the connection is pinned to. */
	public InetAddress ip() {
		return this.connection.ip;
	}

	/** The statistics of the leased connection. */
	public ConnectionStats stats() {
		return this.connection.stats();
	}

	/**
	 * Whether this lease has its connection to itself: always for HTTP/1.1 and for
	 * {@link HotConnPool#acquireExclusive(String)}; a shared HTTP/2 lease is one stream among others.
	 */
	public boolean isExclusive() {
		return !this.stream;
	}

	/**
	 * Gives the connection back to the pool, closing the last response if it is still open. Idempotent.
	 */
	@Override
	public void close() {
		if (!CLOSED.compareAndSet(this, 0, 1)) {
			return;
		}
		if (this.leakReported != 0 && logger.isDebugEnabled()) {
			logger.debug("hotconnpool " + this + ", reported as a possible leak, came back after "
					+ Duration.ofNanos(System.nanoTime() - this.leasedAtNanos).toMillis() + " ms");
		}
		Response response = this.lastResponse;
		HostPool.LeaseOutcome outcome = this.failure;
		if (response != null) {
			response.close();
			if ((outcome == null || outcome.reason() == null) && !this.connection.survivedExchange()) {
				// Closed by the server, or an unread body made it unusable.
				outcome = (outcome == null) ? HostPool.CLOSED_BY_SERVER
						: new HostPool.LeaseOutcome(RetireReason.BROKEN, null, outcome.ipFailure());
			}
		}
		else if (outcome == null) {
			// No exchange: OkHttp is as it was (a socket closed meanwhile is caught on release), and the IP proved
			// nothing, so its failure count stands.
			outcome = HostPool.UNUSED;
		}
		if (this.acquiredAt != null) {
			this.connection.leases.remove(this);
		}
		if (this.stream) {
			this.connection.host.leases.releaseStream(this.connection, outcome);
		}
		else {
			this.connection.host.leases.release(this.connection, outcome);
		}
		if (this.pool.listeners.any()) {
			long held = System.nanoTime() - this.leasedAtNanos;
			String host = this.connection.host.key();
			String ip = this.connection.ip.getHostAddress();
			this.pool.listeners.fire((listener) -> listener.leaseReleased(host, ip, held));
		}
	}

	@Override
	public String toString() {
		return "lease on " + this.connection;
	}

}
