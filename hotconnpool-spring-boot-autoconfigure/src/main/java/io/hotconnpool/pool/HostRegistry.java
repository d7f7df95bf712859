package io.hotconnpool.pool;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The hosts one run of the pool serves (from a start to the next stop), found by key or by the target callers
 * write, and their DNS: look-ups with a deadline, one per host at a time, new IPs warmed, vanished ones drained. A
 * host not configured is added on first use where {@code unknown-hosts} allows, up to {@code max-hosts}.
 */
final class HostRegistry {

	private static final Log logger = LogFactory.getLog(HostRegistry.class);

	private final HotConnPool pool;

	private final HotConnPoolConfig config;

	private final Map<String, HostPool> hosts = new ConcurrentHashMap<>();

	/** Targets as callers write them ("api.example.com") → host: spares the hot path parsing. Bounded. */
	private final Map<String, HostPool> byTarget = new ConcurrentHashMap<>();

	/**
	 * Each host's look-up while the resolver runs it, past its deadline too: a resolver that hangs holds one thread
	 * per host, not one more per DNS update.
	 */
	private final Map<HostPool, CompletableFuture<List<InetAddress>>> lookups = new ConcurrentHashMap<>();

	/** Adding a host takes the read lock, closing the write lock: no host is added to a closed registry. */
	private final ReentrantReadWriteLock adding = new ReentrantReadWriteLock();

	private volatile boolean closed;

	HostRegistry(HotConnPool pool) {
		this.pool = pool;
		this.config = pool.config;
	}

	/** Creates the configured hosts and starts resolving and warming each; one future per host. */
	Map<HostPool, CompletableFuture<Void>> startConfigured() {
		Map<HostPool, CompletableFuture<Void>> warmUps = new LinkedHashMap<>();
		for (HostSettings host : this.config.hostSettings()) {
			HostPool created = new HostPool(this.pool, host);
			this.hosts.put(host.key(), created);
			warmUps.put(created, resolveAndWarm(created));
		}
		return warmUps;
	}

	Collection<HostPool> all() {
		return this.hosts.values();
	}

	boolean isClosed() {
		return this.closed;
	}

	/** The host with this key if served now, without creating it; {@code null} otherwise. */
	HostPool served(String key) {
		return this.closed ? null : this.hosts.get(key);
	}

	/** The host a caller's target names, created (and warmed) on first use where the settings allow. */
	HostPool hostFor(String target) {
		if (target == null) {
			throw new IllegalArgumentException("Host must not be null or blank");
		}
		HostPool known = this.byTarget.get(target); // never holds a blank target
		if (known != null) {
			return known;
		}
		if (target.isBlank()) {
			throw new IllegalArgumentException("Host must not be null or blank");
		}
		HostSettings.HostAndPort parsed = HostSettings.parseTarget(target);
		String key = HostSettings.key(parsed.host(), parsed.port());
		HostPool host = this.hosts.get(key);
		if (host != null) {
			if (this.byTarget.size() < 4 * this.config.getMaxHosts()) {
				this.byTarget.putIfAbsent(target, host);
			}
			return host;
		}
		if (this.config.getUnknownHosts() == UnknownHostPolicy.REFUSE) {
			throw new HostNotConfiguredException("Host " + key + " is not configured: add it under hotconnpool.hosts,"
					+ " or set hotconnpool.unknown-hosts=warm-on-first-use");
		}
		return addUnknown(key, parsed);
	}

	private HostPool addUnknown(String key, HostSettings.HostAndPort parsed) {
		HostPool[] created = new HostPool[1];
		HostPool host;
		this.adding.readLock().lock();
		try {
			if (this.closed) {
				throw this.pool.closedException();
			}
			host = this.hosts.computeIfAbsent(key, (unused) -> {
				if (this.hosts.size() >= this.config.getMaxHosts()) {
					throw new HostNotConfiguredException("Host " + key + " is not configured and hotconnpool already"
							+ " serves hotconnpool.max-hosts=" + this.config.getMaxHosts() + " hosts");
				}
				created[0] = new HostPool(this.pool, this.config.settingsForUnknownHost(parsed.host(), parsed.port()));
				return created[0];
			});
		}
		finally {
			this.adding.readLock().unlock();
		}
		if (host == created[0]) {
			resolveAndWarm(host);
		}
		return host;
	}

	/**
	 * Refuses new hosts and closes every host: new acquires are refused and waiters woken with
	 * {@link PoolClosedException}.
	 */
	void beginClose() {
		this.adding.writeLock().lock();
		try {
			this.closed = true;
		}
		finally {
			this.adding.writeLock().unlock();
		}
		this.hosts.values().forEach(HostPool::beginClose);
	}

	/**
	 * Resolves every host again, each answer applied as it comes, so that the maintenance thread never waits for a
	 * resolver: new IPs are warmed, vanished ones drained; a failed look-up changes nothing; a host whose previous
	 * look-up still runs is left to it.
	 */
	void updateDns() {
		for (HostPool host : this.hosts.values()) {
			if (this.closed) {
				return;
			}
			if (host.settings.dnsEnabled() && !this.lookups.containsKey(host)) {
				resolve(host).thenAccept((resolved) -> {
					if (resolved != null && !this.closed) {
						this.pool.apply(host.maintenance.updateAddresses(resolved, true));
					}
				}).exceptionally((failure) -> {
					logger.warn("hotconnpool DNS update of " + host.key() + " failed", failure);
					return null;
				});
			}
		}
	}

	/** Resolves the host (with a deadline) and warms its missing slots; completes when those warm-ups end. */
	CompletableFuture<Void> resolveAndWarm(HostPool host) {
		return resolve(host).thenCompose((resolved) -> {
			HostPool.Changes changes = host.maintenance.updateAddresses((resolved != null) ? resolved : List.of(), false);
			changes.toClose().forEach(PooledConnection::close);
			return this.pool.probes.warmAll(changes.toWarm());
		});
	}

	/** The host's addresses from the resolver, or {@code null} when the look-up failed or timed out. */
	private CompletableFuture<List<InetAddress>> resolve(HostPool host) {
		if (!host.settings.dnsEnabled()) {
			return CompletableFuture.completedFuture(List.of());
		}
		// The deadline ends the wait for a copy: the look-up itself runs on until the resolver returns.
		return lookUp(host).copy()
			.orTimeout(this.config.getResolveTimeout().toNanos(), TimeUnit.NANOSECONDS)
			.handle((resolved, failure) -> {
				host.maintenance.resolved(failure);
				return (failure != null) ? null : resolved;
			});
	}

	/** The host's running look-up, or a new one on the executor. */
	private CompletableFuture<List<InetAddress>> lookUp(HostPool host) {
		CompletableFuture<List<InetAddress>> lookup = new CompletableFuture<>();
		CompletableFuture<List<InetAddress>> running = this.lookups.putIfAbsent(host, lookup);
		if (running != null) {
			return running;
		}
		lookup.whenComplete((resolved, failure) -> this.lookups.remove(host, lookup));
		String name = host.settings.host();
		try {
			lookup.completeAsync(() -> {
				try {
					return this.pool.resolver.resolve(name);
				}
				catch (UnknownHostException ex) {
					throw new UncheckedIOException(ex);
				}
			}, this.pool.executor);
		}
		catch (RejectedExecutionException ex) {
			lookup.completeExceptionally(ex); // a look-up never started must not stay the host's running one
		}
		return lookup;
	}

}
