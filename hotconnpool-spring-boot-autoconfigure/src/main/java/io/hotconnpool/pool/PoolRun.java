package io.hotconnpool.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * One run of the pool, from a start to the next stop: its hosts and connections and its background tasks. A stop
 * ends the run for good; the next start begins a new one, so nothing of a stopped run (a closed host, a cancelled
 * task) is ever reopened.
 */
final class PoolRun {

	private static final Log logger = LogFactory.getLog(HotConnPool.class);

	private final HotConnPool pool;

	private final HotConnPoolConfig config;

	final HostRegistry hosts;

	private final Maintenance maintenance;

	/** Completed when the run stops: a start waiting for its warm-ups waits no longer. */
	private final CompletableFuture<Void> stopped = new CompletableFuture<>();

	PoolRun(HotConnPool pool, MaintenanceScheduler scheduler) {
		this.pool = pool;
		this.config = pool.config;
		this.hosts = new HostRegistry(pool);
		this.maintenance = new Maintenance(scheduler);
	}

	/**
	 * Creates the configured hosts, hands their resolving and warming to the pool's executor, and schedules the
	 * background tasks: nothing here waits, so the lifecycle lock can be held around it.
	 * @return the warm-ups, to {@link #awaitWarmUp await}
	 */
	Map<HostPool, CompletableFuture<Void>> begin() {
		if (this.config.hostSettings().isEmpty()) {
			// Allowed (unknown hosts are warmed on first use), but the starter's promise does not hold: say so once.
			logger.warn("hotconnpool has no hosts (hotconnpool.hosts is empty): no connection is warm before"
					+ " traffic; each host is warmed on its first use, so its first requests open connections."
					+ " List the hosts you call under hotconnpool.hosts to have them hot.");
		}
		Map<HostPool, CompletableFuture<Void>> warmUps = this.hosts.startConfigured();
		new HostChecks(this.pool, this.hosts).scheduleOn(this.maintenance);
		return warmUps;
	}

	/**
	 * Runs the TLS self-tests, then in {@link WarmUpMode#BLOCKING} mode waits up to {@code warm-up.timeout} for the
	 * warm-ups and logs one line per host. Called without the lifecycle lock: a stop or close meanwhile goes ahead,
	 * closing the hosts this waits for.
	 */
	void awaitWarmUp(Map<HostPool, CompletableFuture<Void>> warmUps) {
		long startNanos = System.nanoTime();
		this.pool.tlsClients.runSelfTestsOnce();
		if (this.config.getWarmUp().getMode() == WarmUpMode.BACKGROUND) {
			return;
		}
		try {
			CompletableFuture.anyOf(CompletableFuture.allOf(warmUps.values().toArray(CompletableFuture[]::new)),
					this.stopped)
				.get(this.config.getWarmUp().getTimeout().toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			logger.warn("hotconnpool warm-up did not finish within " + this.config.getWarmUp().getTimeout()
					+ "; it goes on in the background");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException ex) {
			logger.error("hotconnpool warm-up failed", ex.getCause());
		}
		if (this.stopped.isDone()) {
			return; // stopped or closed meanwhile: its hosts are closed, their warmth is no news
		}
		long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
		warmUps.keySet().forEach((host) -> logWarmth(host, millis));
	}

	private static void logWarmth(HostPool host, long millis) {
		HostStats stats = host.stats();
		long warmIps = stats.connections()
			.stream()
			.filter((c) -> c.state() == ConnectionState.IDLE || c.state() == ConnectionState.LEASED)
			.map(ConnectionStats::ip)
			.distinct()
			.count();
		int warm = stats.idle() + stats.leased();
		String line = "hotconnpool warmed " + host.key() + ": " + warmIps + " of " + stats.addresses().size()
				+ " IPs, " + warm + " of " + stats.warmTarget() + " connections in " + millis + " ms";
		if (warm < stats.warmTarget()) {
			String failure = host.lastFailure();
			logger.warn(line + ((failure != null) ? "; last failure: " + failure : ""));
		}
		else {
			logger.info(line);
		}
	}

	/**
	 * Ends the run: 1. refuses new acquires and wakes waiters with {@link PoolClosedException}; 2. cancels the
	 * background tasks and waits for runs in flight; 3. waits for leases to come back, up to the drain timeout;
	 * 4. closes every connection, cutting leases still held (and logging how many).
	 * @throws IllegalStateException carrying the first error of closing a connection, the others suppressed
	 */
	void stop(Duration drainTimeout) {
		long deadline = System.nanoTime() + drainTimeout.toNanos();
		this.stopped.complete(null);
		this.hosts.beginClose();
		boolean drained = awaitDrain(deadline);
		int cut = this.hosts.all().stream().mapToInt((host) -> host.stats().streams()).sum();
		List<PooledConnection> retired = new ArrayList<>();
		this.hosts.all().forEach((host) -> retired.addAll(host.retireAll(RetireReason.CLOSED)));
		RuntimeException failure = null;
		for (PooledConnection connection : retired) {
			try {
				connection.close();
			}
			catch (RuntimeException ex) {
				if (failure == null) {
					failure = new IllegalStateException("Closing hotconnpool connections failed", ex);
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		if (cut > 0) {
			logger.warn("hotconnpool stopped: closed " + retired.size() + " connections, cutting " + cut
					+ " leases still held after the drain timeout of " + drainTimeout);
		}
		else {
			logger.info("hotconnpool stopped: closed " + retired.size() + " connections"
					+ (drained ? "" : " (background tasks still running were abandoned)"));
		}
		if (failure != null) {
			throw failure;
		}
	}

	/** Steps 2 and 3 of the drain: background runs in flight, then leases. */
	private boolean awaitDrain(long deadline) {
		try {
			boolean tasksDone = this.maintenance.stop(deadline);
			for (HostPool host : this.hosts.all()) {
				if (!host.awaitLeasesReturned(deadline)) {
					return false;
				}
			}
			return tasksDone;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

}
