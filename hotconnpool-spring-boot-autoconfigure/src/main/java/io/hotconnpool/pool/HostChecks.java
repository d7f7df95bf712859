package io.hotconnpool.pool;

import java.net.InetAddress;
import java.time.Duration;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The background tasks of one run of the pool, over its hosts: health check, keep-alive check, cleanup, blacklist
 * check, DNS update and leak detection, each on its own interval. A task stops early once the run is stopping.
 */
final class HostChecks {

	private static final Log logger = LogFactory.getLog(HotConnPool.class);

	private final HotConnPool pool;

	private final HotConnPoolConfig config;

	private final HostRegistry hosts;

	HostChecks(HotConnPool pool, HostRegistry hosts) {
		this.pool = pool;
		this.config = pool.config;
		this.hosts = hosts;
	}

	void scheduleOn(Maintenance maintenance) {
		maintenance.schedule("health check", this.config.getHealthCheckInterval(), this::checkHealth);
		maintenance.schedule("cleanup", this.config.getCleanupInterval(), this::cleanUp);
		maintenance.schedule("keep-alive check", this.config.getKeepAlive().getCheckInterval(), this::checkKeepAlive);
		maintenance.schedule("blacklist check", this.config.getBlacklist().getCheckInterval(), this::checkBlacklist);
		maintenance.schedule("DNS update", this.config.getDnsUpdateInterval(), this.hosts::updateDns);
		Duration leakThreshold = this.config.getLeakDetectionThreshold();
		if (!leakThreshold.isZero()) {
			maintenance.schedule("leak detection", leakThreshold.dividedBy(2), this::detectLeaks);
		}
	}

	/**
	 * Reports, once each, leases held past the leak detection threshold: one line per lease, with the acquirer's
	 * stack trace for the first report of the pool's life, at DEBUG for later ones, so that a holder that is merely
	 * slow costs one line, not a stack trace per request.
	 */
	void detectLeaks() {
		long threshold = this.config.getLeakDetectionThreshold().toNanos();
		long now = System.nanoTime();
		for (HostPool host : this.hosts.all()) {
			for (Lease lease : host.maintenance.leasedLongerThan(threshold, now)) {
				if (lease.markLeakReported()) {
					reportLeak(host, lease, now - lease.leasedAtNanos());
				}
			}
		}
	}

	private void reportLeak(HostPool host, Lease lease, long held) {
		this.pool.counters.leaksDetected.increment();
		String line = "hotconnpool " + lease + " has been held for " + Duration.ofNanos(held).toMillis()
				+ " ms without being closed (leak-detection-threshold "
				+ this.config.getLeakDetectionThreshold().toMillis() + " ms): a leak, or a slow holder?";
		if (this.pool.leakTraceLogged.compareAndSet(false, true)) {
			logger.warn(line + " Acquired at (later reports log this trace at DEBUG):", lease.acquiredAt());
		}
		else {
			logger.warn(line);
			logger.debug(lease + " was acquired at:", lease.acquiredAt());
		}
		String ip = lease.ip().getHostAddress();
		this.pool.listeners.fire((listener) -> listener.leakDetected(host.key(), ip, held));
	}

	/**
	 * Probes idle connections not used for a while (reserved first, never leased ones) and refills missing slots. A
	 * host whose keep-alive timeout is known has its connections probed after half of it, if that is sooner.
	 */
	void checkHealth() {
		long threshold = this.config.getHealthCheckIdleThreshold().toNanos();
		forEachHost((host) -> {
			long revalidate = host.keepAlive.revalidateAfterNanos(System.nanoTime());
			host.maintenance.reserveForHealthCheck(Math.min(threshold, revalidate), System.nanoTime()).forEach(this.pool::warm);
			host.maintenance.fill().forEach(this.pool::warm);
		});
	}

	/** Runs the check on each host in turn, until the run stops. */
	private void forEachHost(Consumer<HostPool> check) {
		for (HostPool host : this.hosts.all()) {
			if (this.hosts.isClosed()) {
				return;
			}
			check.accept(host);
		}
	}

	/**
	 * Keeps idle connections short of their servers' keep-alive timeout. Where it is known, connections idle for half
	 * of it are re-probed: the probe starts the server's idle timer again, so spares stay open, and one the server
	 * closed all the same is replaced in the background. Where it is not, idle HTTP/1.1 connections get a liveness
	 * check (a read of at most 1 ms, no request) at growing idle times, so that a close is found, replaced and
	 * learned from before a caller meets it; HTTP/2 connections report a close by themselves.
	 */
	void checkKeepAlive() {
		long maxIdle = this.config.getHealthCheckIdleThreshold().toNanos();
		forEachHost((host) -> {
			long revalidate = host.keepAlive.revalidateAfterNanos(System.nanoTime());
			if (revalidate != Long.MAX_VALUE) {
				host.maintenance.reserveForHealthCheck(revalidate, System.nanoTime()).forEach(this.pool::warm);
			}
			else {
				host.maintenance.reserveForLivenessCheck(maxIdle, System.nanoTime()).forEach(this.pool.probes::checkLiveness);
			}
		});
	}

	/** Retires expired and surplus idle connections and warms replacements. */
	void cleanUp() {
		long idleTimeout = this.config.getIdleTimeout().toNanos();
		forEachHost((host) -> this.pool.apply(host.maintenance.cleanUp(idleTimeout, System.nanoTime())));
	}

	/**
	 * Re-probes blacklisted IPs whose entry expired, over a fresh connection each, where the re-probe gate allows
	 * (a gate that fails allows).
	 */
	void checkBlacklist() {
		for (HostPool host : this.hosts.all()) {
			for (InetAddress ip : host.maintenance.expiredBlacklistings(System.nanoTime())) {
				if (this.hosts.isClosed()) {
					return;
				}
				if (this.pool.reprobeGate == null) {
					reprobe(host, ip);
					continue;
				}
				this.pool.reprobeGate.mayReprobe(host.key(), ip.getHostAddress()).whenComplete((allowed, failure) -> {
					if (failure != null || Boolean.TRUE.equals(allowed)) {
						reprobe(host, ip);
					}
				});
			}
		}
	}

	private void reprobe(HostPool host, InetAddress ip) {
		PooledConnection probe = host.maintenance.reprobe(ip, System.nanoTime());
		if (probe != null) {
			this.pool.warm(probe);
		}
	}

}
