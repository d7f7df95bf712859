package io.hotconnpool.pool;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * Load on a pool from many threads, bounded in count and time, with the pool's invariants checked all along by
 * another thread, and a watchdog that fails with every thread's stack when a worker does not finish.
 * <p>
 * Invariants: no connection leased by two holders at once (see {@link #holding}); per host, the connection states
 * add up to the total; connections to IPs in service (neither draining nor blacklisted) never exceed the maximum;
 * every cumulative counter is monotonic. Where IPs leave service and come back (see
 * {@link #withIpsComingBack()}), leases held meanwhile are allowed above the maximum until they are returned.
 */
final class PoolLoad {

	/** One unit of work of a worker. */
	interface Step {

		void run() throws Exception;

	}

	/** One unit of work holding a lease. */
	interface LeaseStep {

		void run(Lease lease) throws Exception;

	}

	private final HotConnPool pool;

	private ExecutorService workers;

	private final List<Future<?>> results = new ArrayList<>();

	private final ExecutorService checker = Executors.newSingleThreadExecutor();

	private final Future<?> invariants;

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final AtomicReference<String> violation = new AtomicReference<>();

	private final Map<Long, Thread> holders = new ConcurrentHashMap<>();

	private volatile boolean ipsComeBack;

	/** Starts checking the pool's invariants; {@link #run} starts the workers. */
	PoolLoad(HotConnPool pool) {
		this.pool = pool;
		this.invariants = this.checker.submit(this::checkInvariants);
	}

	/**
	 * Allows for IPs that leave service (blacklisted, out of DNS) and come back while leases on them are held: the
	 * other IPs were filled up to the maximum meanwhile, so those leases are above it until they are returned, and
	 * then retired. Connections that are not leased still never exceed the maximum.
	 * @return this load
	 */
	PoolLoad withIpsComingBack() {
		this.ipsComeBack = true;
		return this;
	}

	/**
	 * Starts {@code threads} workers, each running {@code step} until {@link #stop()}, {@code maxSteps} runs or
	 * {@code maxTime}, whichever comes first. An exception thrown by a step ends its worker and fails
	 * {@link #awaitEnd(Duration)}.
	 * @return this load
	 */
	PoolLoad run(int threads, int maxSteps, Duration maxTime, Step step) {
		this.workers = Executors.newFixedThreadPool(threads);
		long deadline = System.nanoTime() + maxTime.toNanos();
		for (int i = 0; i < threads; i++) {
			this.results.add(this.workers.submit(() -> {
				for (int n = 0; n < maxSteps && this.running.get() && System.nanoTime() - deadline < 0; n++) {
					step.run();
				}
				return null;
			}));
		}
		this.workers.shutdown();
		return this;
	}

	/**
	 * Runs {@code step} with the lease, recording the current thread as the holder of its connection: a second
	 * holder at the same time is a violation.
	 */
	void holding(Lease lease, LeaseStep step) throws Exception {
		long id = lease.stats().id();
		if (this.holders.putIfAbsent(id, Thread.currentThread()) != null) {
			this.violation.compareAndSet(null, "connection #" + id + " leased twice at once");
		}
		try {
			step.run(lease);
		}
		finally {
			this.holders.remove(id, Thread.currentThread());
		}
	}

	/** Asks the workers to end after their current step. */
	void stop() {
		this.running.set(false);
	}

	/**
	 * Waits for the workers (the watchdog: a worker still running after the bound fails the test with every
	 * thread's stack), rethrows the first exception a step threw, and fails on the first invariant violated.
	 */
	void awaitEnd(Duration bound) throws Exception {
		try {
			awaitOrDumpThreads(this.workers, bound);
			for (Future<?> result : this.results) {
				result.get();
			}
		}
		finally {
			stop();
			this.checker.shutdown();
			this.invariants.get(10, TimeUnit.SECONDS);
		}
		if (this.violation.get() != null) {
			throw new AssertionError(this.violation.get());
		}
	}

	private void checkInvariants() {
		Map<String, Long> last = new LinkedHashMap<>();
		while (this.running.get()) {
			PoolStats stats = this.pool.stats();
			for (HostStats host : stats.hosts()) {
				checkHost(host);
			}
			Map<String, Long> counters = counters(stats);
			counters.forEach((name, value) -> {
				Long before = last.put(name, value);
				if (before != null && value < before) {
					this.violation.compareAndSet(null, "counter " + name + " went down from " + before + " to " + value);
				}
			});
			LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200)); // pacing, not synchronisation
		}
	}

	private void checkHost(HostStats host) {
		int reserved = (int) host.connections()
			.stream()
			.filter((c) -> c.state() == ConnectionState.RESERVED)
			.count();
		if (host.idle() + host.leased() + host.warming() + reserved != host.total()) {
			this.violation.compareAndSet(null, "states do not add up: " + host.summary());
		}
		Set<String> slots = new HashSet<>();
		for (ConnectionStats connection : host.connections()) {
			if (!slots.add(connection.ip() + "#" + connection.slot())) {
				this.violation.compareAndSet(null, "two connections in slot " + connection.slot() + " of "
						+ connection.ip() + ": " + host.connections());
			}
		}
		Set<String> outOfService = new HashSet<>(host.draining());
		host.blacklisted().forEach((entry) -> outOfService.add(entry.ip()));
		List<ConnectionStats> inService = host.connections()
			.stream()
			.filter((c) -> !outOfService.contains(c.ip()))
			.filter((c) -> !this.ipsComeBack || c.state() != ConnectionState.LEASED)
			.toList();
		if (inService.size() > host.maxConnections()) {
			this.violation.compareAndSet(null,
					inService.size() + " connections in service, above the maximum: " + host.summary());
		}
	}

	/** Every cumulative counter of the pool, by name. */
	static Map<String, Long> counters(PoolStats stats) {
		Map<String, Long> counters = new LinkedHashMap<>();
		counters.put("totalRequests", stats.totalRequests());
		counters.put("failedRequests", stats.failedRequests());
		counters.put("hotHits", stats.hotHits());
		counters.put("handshakes", stats.handshakes());
		counters.put("connectionsCreated", stats.connectionsCreated());
		counters.put("newConnectionsFromDns", stats.newConnectionsFromDns());
		counters.put("acquireTimeouts", stats.acquireTimeouts());
		counters.put("leaksDetected", stats.leaksDetected());
		counters.put("retries", stats.retries());
		stats.retiredByReason().forEach((reason, count) -> counters.put("retired " + reason, count));
		return counters;
	}

	/** Connections ever retired, over every reason. */
	static long retired(PoolStats stats) {
		return stats.retiredByReason().values().stream().mapToLong(Long::longValue).sum();
	}

	/** TCP sockets this JVM holds open, from /proc (Linux): other sockets (glibc's to nscd) are not the pool's. */
	static long openSockets() throws IOException {
		Set<String> tcp = new HashSet<>();
		for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
			for (String line : Files.readAllLines(Path.of(table))) {
				String[] fields = line.trim().split("\\s+");
				if (fields.length > 9) {
					tcp.add(fields[9]); // the inode
				}
			}
		}
		try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
			return fds.filter((fd) -> {
				try {
					String target = Files.readSymbolicLink(fd).toString(); // socket:[inode]
					return target.startsWith("socket:[") && tcp.contains(target.substring(8, target.length() - 1));
				}
				catch (IOException ex) {
					return false; // closed while listing
				}
			}).count();
		}
	}

	/** The watchdog: threads that do not finish in time fail the test with every thread's stack. */
	static void awaitOrDumpThreads(ExecutorService threads, Duration bound) throws InterruptedException {
		if (!threads.awaitTermination(bound.toMillis(), TimeUnit.MILLISECONDS)) {
			StringBuilder dump = new StringBuilder("Workers stuck; threads:\n");
			for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
				dump.append(info);
			}
			threads.shutdownNow();
			throw new AssertionError(dump.toString());
		}
	}

}
