package io.hotconnpool.pool;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens, validates and re-checks connections in the background, at most {@code warm-up.concurrency} at once, and
 * carries out what a host decided under its lock (closing, warming) after it.
 */
final class Probes {

	private final HotConnPool pool;

	private final Warmer warmer;

	private final AtomicLong connectionIds = new AtomicLong();

	Probes(HotConnPool pool, Warmer warmer) {
		this.pool = pool;
		this.warmer = warmer;
	}

	/** A new connection to the IP, not opened yet, on the host's next TLS profile. */
	PooledConnection newConnection(HostPool host, InetAddress ip, int slot) {
		this.pool.counters.connectionsCreated.increment();
		int profile = host.nextProfileIndex();
		return new PooledConnection(this.connectionIds.incrementAndGet(), host, ip, slot, host.baseClient(profile),
				host.settings.tlsProfiles().get(profile).id());
	}

	/**
	 * The socket of a connection closed: an idle one is retired and replaced off the closing thread, which is
	 * OkHttp's (HTTP/2 reader) and may hold its locks. A leased or probing one is judged when it comes back.
	 */
	void socketClosed(PooledConnection connection) {
		if (connection.state == ConnectionState.RETIRED || this.pool.isClosed()) {
			return; // closed by the pool itself
		}
		try {
			this.pool.executor.execute(() -> apply(connection.host.maintenance.retireIfSocketClosed(connection)));
		}
		catch (RejectedExecutionException ex) {
			// the pool is closing, or the executor is saturated: acquire never hands the connection out anyway
		}
	}

	/** Closes what a host decided to close and warms what it decided to warm, outside its lock. */
	void apply(HostPool.Changes changes) {
		changes.toClose().forEach(PooledConnection::close);
		changes.toWarm().forEach(this::warm);
	}

	/** Opens and validates the connection (or probes a reserved one) in the background. */
	CompletableFuture<Boolean> warm(PooledConnection connection) {
		CompletableFuture<Boolean> result = new CompletableFuture<>();
		this.warmer.submit(() -> {
			boolean healthy = false;
			try {
				healthy = probe(connection);
			}
			finally {
				result.complete(healthy); // a blocking start waits for it, whatever went wrong
			}
		});
		return result;
	}

	CompletableFuture<Void> warmAll(List<PooledConnection> connections) {
		return CompletableFuture.allOf(connections.stream().map(this::warm).toArray(CompletableFuture[]::new));
	}

	/** Checks a reserved idle connection for a close by its server, in the background, without sending anything. */
	void checkLiveness(PooledConnection connection) {
		HostPool host = connection.host;
		this.warmer.submit(() -> {
			long idle = connection.idleNanos(System.nanoTime());
			if (connection.isAlive()) {
				host.keepAlive.stayedOpen(idle);
				host.maintenance.livenessChecked(connection, idle);
			}
			else {
				apply(host.leases.retireClosedByServer(connection));
			}
		});
	}

	private boolean probe(PooledConnection connection) {
		HostPool host = connection.host;
		if (connection.state == ConnectionState.RETIRED) {
			apply(host.maintenance.probeSkipped(connection));
			return false;
		}
		long start = System.nanoTime();
		boolean healthy = false;
		try {
			if (connection.state == ConnectionState.RESERVED) {
				// An idle connection its server closed is no failure of its IP: it is replaced, and teaches the timeout.
				long idle = connection.idleNanos(start);
				if (!connection.isAlive()) {
					apply(host.leases.retireClosedByServer(connection));
					return false;
				}
				host.keepAlive.stayedOpen(idle);
			}
			int status;
			try {
				status = connection.probe(host.probeRequest, this.pool.config.getProbeTimeout());
			}
			catch (RuntimeException ex) {
				// Thrown by the user's client (a customizer's interceptor): a failure all the same, else the connection
				// would stay warming or reserved, holding its slot and its probe stream, for good.
				return broken(connection, ex);
			}
			String outcome = "probe answered " + status + " on " + connection;
			if (host.settings.blacklistStatuses().contains(status)) {
				apply(host.maintenance.probeFailed(connection, RetireReason.BLACKLISTED, outcome,
						"status " + status + " on probe " + host.probeRequest.method() + " " + host.settings.probePath()));
				return false;
			}
			if (!host.settings.probeSuccessStatuses().contains(status)) {
				apply(host.maintenance.probeFailed(connection, RetireReason.UNHEALTHY, outcome, null));
				return false;
			}
			if (!connection.survivedExchange()) {
				apply(host.maintenance.probeFailed(connection, RetireReason.BROKEN,
						"the server closed " + connection + " after the probe (Connection: close?)", null));
				return false;
			}
			boolean newFromDns = connection.takeFoundByDns();
			apply(host.maintenance.probeSucceeded(connection, connection.speaksHttp2()));
			healthy = connection.state != ConnectionState.RETIRED;
			if (newFromDns && healthy) {
				this.pool.counters.newConnectionsFromDns.increment();
			}
			return healthy;
		}
		catch (IOException ex) {
			return broken(connection, ex);
		}
		finally {
			long nanos = System.nanoTime() - start;
			boolean outcome = healthy;
			this.pool.listeners.fire((listener) -> listener.probeEnded(host.key(), connection.ip.getHostAddress(), nanos,
					outcome));
		}
	}

	private boolean broken(PooledConnection connection, Exception failure) {
		apply(connection.host.maintenance.probeFailed(connection, RetireReason.BROKEN, failure + " on " + connection,
				null));
		return false;
	}

}
