package io.hotconnpool.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import javax.management.JMException;
import javax.management.ObjectName;

import com.sun.management.UnixOperatingSystemMXBean;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HostConfig;
import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.pool.MaintenanceScheduler;
import io.hotconnpool.pool.TlsMaterial;
import io.hotconnpool.pool.PoolStats;

import io.hotconnpool.test.TestTls;

/**
 * The pool at scale, over HTTP/1.1 origins in another process (one per loopback IP, {@code slotsPerIp} warm
 * connections each): warm-up time, heap and resident memory per warm connection, and the CPU time of one
 * maintenance tick, that is one run of each background task with every connection idle past the health-check
 * threshold (at the defaults, 30 s interval and 10 s threshold, an idle pool probes every connection each tick).
 * The tick's bookkeeping runs on the calling thread; its probes run on the pool's executor, timed separately.
 */
public final class ScaleBenchmark {

	private static final Duration NEVER = Duration.ofDays(1);

	private static final Duration WAIT_LIMIT = Duration.ofMinutes(10);

	private ScaleBenchmark() {
	}

	/**
	 * @param connections pool sizes, one run each
	 * @param slotsPerIp warm connections per IP: a size of N uses N / slotsPerIp IPs
	 * @param ticks ticks timed per size (the median is reported)
	 * @param topClasses how many classes of the per-connection heap to list
	 */
	public record Config(List<Integer> connections, int slotsPerIp, int ticks, int topClasses) {

		/** The documented full run. */
		public static Config full() {
			return new Config(List.of(100, 1_000, 5_000, 10_000), 4, 5, 8);
		}

		/** Seconds, for the build. */
		public static Config smoke() {
			return new Config(List.of(16), 4, 1, 3);
		}

	}

	/**
	 * One size's numbers.
	 * @param connections warm connections
	 * @param warmUp how long the blocking start took
	 * @param warmUpFailures connections whose warm-up failed at start (refilled by the health check before measuring)
	 * @param heapPerConnection bytes of live heap per warm connection
	 * @param rssPerConnection bytes of resident memory per warm connection (heap growth, Conscrypt's native TLS state)
	 * @param fdsPerConnection file descriptors per warm connection
	 * @param tickBookkeepingNanos CPU time of the tick on the calling thread
	 * @param tickProbeNanos CPU time of the tick's probes on the pool's threads
	 * @param tickWallNanos from the tick's start until its last probe ended
	 * @param topClasses the largest per-connection heap classes, bytes per connection
	 * @param skipped why this size was not run, or {@code null}
	 */
	public record Result(int connections, Duration warmUp, int warmUpFailures, long heapPerConnection,
			long rssPerConnection,
			double fdsPerConnection, long tickBookkeepingNanos, long tickProbeNanos, long tickWallNanos,
			List<String> topClasses, String skipped) {

		static Result skipped(int connections, String reason) {
			return new Result(connections, Duration.ZERO, 0, 0, 0, 0, 0, 0, 0, List.of(), reason);
		}

	}

	/**
	 * Runs each size; a size whose file descriptors, as the previous size needed them, would not fit under the
	 * process's limit is skipped with the reason.
	 * @param config the sizes
	 * @return one result per size
	 * @throws IOException when an origin process cannot start
	 * @throws InterruptedException when interrupted
	 */
	public static List<Result> run(Config config) throws IOException, InterruptedException {
		List<Result> results = new ArrayList<>();
		for (int connections : config.connections()) {
			Result previous = results.isEmpty() ? null : results.get(results.size() - 1);
			long needed = (previous == null) ? 0 : openFds() + (long) (previous.fdsPerConnection() * connections);
			long limit = maxFds();
			if (needed > limit * 9 / 10) {
				results.add(Result.skipped(connections, String.format(Locale.ROOT,
						"needs about %,d file descriptors (%.1f per connection), the limit is %,d", needed,
						previous.fdsPerConnection(), limit)));
				continue;
			}
			results.add(run(config, connections));
		}
		return results;
	}

	private static Result run(Config config, int connections) throws IOException, InterruptedException {
		int ips = Math.max(1, connections / config.slotsPerIp());
		try (OriginProcess origins = OriginProcess.start(ips)) {
			List<InetAddress> addresses = new ArrayList<>(ips);
			for (int i = 0; i < ips; i++) {
				addresses.add(ScaleOrigins.address(i));
			}
			Target target = new Target(ScaleOrigins.HOST, origins.port, addresses);
			// Loads and initialises every class and static first, so that the deltas below are connections only.
			Target one = new Target(target.host(), target.port(), addresses.subList(0, 1));
			try (HotConnPool prime = HotConnPool.builder(settings(origins, one, config.slotsPerIp())).build()) {
				prime.start();
			}
			RecordingScheduler scheduler = new RecordingScheduler();
			CountingExecutor executor = new CountingExecutor();
			HotConnPoolConfig settings = settings(origins, target, config.slotsPerIp());
			Map<String, long[]> heapBefore = classHistogram();
			long usedBefore = usedHeapAfterGc();
			long rssBefore = residentBytes();
			long fdsBefore = openFds();
			HotConnPool pool = HotConnPool.builder(settings).scheduler(scheduler).executor(executor).build();
			try {
				long start = System.nanoTime();
				pool.start();
				Duration warmUp = Duration.ofNanos(System.nanoTime() - start);
				int warm = ips * config.slotsPerIp();
				// On a busy machine a few handshakes time out; the health check refills them, as in production.
				int warmUpFailures = warm - pool.stats().idleConnections();
				for (int refill = 0; refill < 3 && pool.stats().idleConnections() < warm; refill++) {
					scheduler.runAllNow();
					awaitProbes(executor);
				}
				requireIdle(pool, warm, "after start and refills");
				long heapPerConnection = (usedHeapAfterGc() - usedBefore) / warm;
				long rssPerConnection = (residentBytes() - rssBefore) / warm;
				double fdsPerConnection = (openFds() - fdsBefore) / (double) warm;
				List<String> top = topClasses(heapBefore, classHistogram(), warm, config.topClasses());
				long[][] ticks = new long[config.ticks()][];
				for (int i = 0; i < config.ticks(); i++) {
					ticks[i] = tick(pool, scheduler, executor, warm);
				}
				return new Result(warm, warmUp, warmUpFailures, heapPerConnection, rssPerConnection,
						fdsPerConnection, median(ticks, 0), median(ticks, 1), median(ticks, 2), top, null);
			}
			finally {
				pool.close();
				scheduler.shutdown();
				executor.shutdown();
			}
		}
	}

	private static HotConnPoolConfig settings(OriginProcess origins, Target target, int slotsPerIp) {
		HotConnPoolConfig config = new HotConnPoolConfig();
		config.getTls().useMaterial(new TlsMaterial(origins.tls.trustStore(), null));
		config.getWarmUp().setTimeout(WAIT_LIMIT);
		// Every connection is due for a probe at every tick; no tick runs on its own.
		config.setHealthCheckIdleThreshold(Duration.ofMillis(1));
		config.setHealthCheckInterval(NEVER);
		config.setCleanupInterval(NEVER);
		config.getBlacklist().setCheckInterval(NEVER);
		config.setDnsUpdateInterval(NEVER);
		HostConfig host = config.addHost(target.hostAndPort());
		host.setAddresses(target.addresses().stream().map(InetAddress::getHostAddress).toList());
		host.setDnsEnabled(false);
		host.setConnectionsPerIp(slotsPerIp);
		host.setMaxConnections(target.addresses().size() * slotsPerIp);
		return config;
	}

	/** One tick: bookkeeping CPU, probe CPU, wall time until the last probe ended. */
	private static long[] tick(HotConnPool pool, RecordingScheduler scheduler, CountingExecutor executor, int warm) {
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		long probeCpuBefore = executor.cpuNanos(threads);
		long wallStart = System.nanoTime();
		long cpuStart = threads.getCurrentThreadCpuTime();
		scheduler.runAllNow();
		long bookkeeping = threads.getCurrentThreadCpuTime() - cpuStart;
		awaitProbes(executor);
		long wall = System.nanoTime() - wallStart;
		long probes = executor.cpuNanos(threads) - probeCpuBefore;
		requireIdle(pool, warm, "after a tick");
		return new long[] { bookkeeping, probes, wall };
	}

	private static void awaitProbes(CountingExecutor executor) {
		long deadline = System.nanoTime() + WAIT_LIMIT.toNanos();
		while (executor.inFlight.get() > 0) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("The probes did not end within " + WAIT_LIMIT);
			}
			LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
		}
	}

	private static void requireIdle(HotConnPool pool, int warm, String when) {
		PoolStats stats = pool.stats();
		if (stats.idleConnections() != warm) {
			throw new IllegalStateException(warm + " connections should be idle " + when + ", but: " + stats.totalConnections()
					+ " total, " + stats.idleConnections() + " idle, " + stats.warmingConnections() + " warming; "
					+ stats.retiredByReason());
		}
	}

	private static long median(long[][] samples, int index) {
		return java.util.Arrays.stream(samples).mapToLong((s) -> s[index]).sorted().toArray()[samples.length / 2];
	}

	private static long usedHeapAfterGc() {
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	/** VmRSS from /proc, or 0 where there is none. */
	private static long residentBytes() {
		try {
			return Files.readAllLines(Path.of("/proc/self/status"))
				.stream()
				.filter((line) -> line.startsWith("VmRSS:"))
				.map((line) -> Long.parseLong(line.replaceAll("\\D", "")) * 1024)
				.findFirst()
				.orElse(0L);
		}
		catch (IOException ex) {
			return 0;
		}
	}

	/** Open file descriptors of this process, from /proc, or 0 where there is none. */
	private static long openFds() {
		try (var fds = Files.list(Path.of("/proc/self/fd"))) {
			return fds.count();
		}
		catch (IOException ex) {
			return 0;
		}
	}

	private static long maxFds() {
		return (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix)
				? unix.getMaxFileDescriptorCount() : Long.MAX_VALUE;
	}

	/** Class name → {instances, bytes} of live objects, from the JVM's class histogram (which collects first). */
	private static Map<String, long[]> classHistogram() {
		try {
			String histogram = (String) ManagementFactory.getPlatformMBeanServer()
				.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
						new Object[] { new String[0] }, new String[] { String[].class.getName() });
			Map<String, long[]> byClass = new HashMap<>();
			for (String line : histogram.split("\n")) {
				String[] fields = line.trim().split("\\s+");
				if (fields.length >= 4 && fields[0].endsWith(":")) {
					byClass.put(fields[3], new long[] { Long.parseLong(fields[1]), Long.parseLong(fields[2]) });
				}
			}
			return byClass;
		}
		catch (JMException ex) {
			return Map.of();
		}
	}

	private static List<String> topClasses(Map<String, long[]> before, Map<String, long[]> after, int connections,
			int count) {
		return after.entrySet()
			.stream()
			.map((e) -> {
				long[] old = before.getOrDefault(e.getKey(), new long[2]);
				return Map.entry(e.getKey(), new long[] { e.getValue()[0] - old[0], e.getValue()[1] - old[1] });
			})
			.sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> e.getValue()[1]).reversed())
			.limit(count)
			.map((e) -> String.format(Locale.ROOT, "%s %.1f × %d B", e.getKey(), e.getValue()[0] / (double) connections,
					e.getValue()[1] / connections))
			.toList();
	}

	/** Records the pool's background tasks so that a tick can run them now, on the calling thread. */
	private static final class RecordingScheduler implements MaintenanceScheduler {

		private final List<Runnable> tasks = new CopyOnWriteArrayList<>();

		private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "scale-maintenance");
			thread.setDaemon(true);
			return thread;
		});

		@Override
		public Future<?> scheduleWithFixedDelay(Runnable task, Duration initialDelay, Duration interval) {
			this.tasks.add(task);
			return MaintenanceScheduler.of(this.executor).scheduleWithFixedDelay(task, initialDelay, interval);
		}

		void runAllNow() {
			this.tasks.forEach(Runnable::run);
		}

		void shutdown() {
			this.executor.shutdownNow();
		}

	}

	/** The pool's executor: counts work in flight and knows its threads, for their CPU time. */
	private static final class CountingExecutor implements Executor {

		final AtomicInteger inFlight = new AtomicInteger();

		private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

		private final ExecutorService delegate = Executors.newCachedThreadPool((task) -> {
			Thread thread = new Thread(task, "scale-pool-worker");
			thread.setDaemon(true);
			this.threads.add(thread);
			return thread;
		});

		@Override
		public void execute(Runnable command) {
			this.inFlight.incrementAndGet();
			try {
				this.delegate.execute(() -> {
					try {
						command.run();
					}
					finally {
						this.inFlight.decrementAndGet();
					}
				});
			}
			catch (RuntimeException ex) {
				this.inFlight.decrementAndGet();
				throw ex;
			}
		}

		/** CPU time of every thread it ever ran, ended ones included as of their end. */
		long cpuNanos(ThreadMXBean mx) {
			long total = 0;
			for (Thread thread : this.threads) {
				long cpu = mx.getThreadCpuTime(thread.getId());
				total += Math.max(cpu, 0);
			}
			return total;
		}

		void shutdown() {
			this.delegate.shutdownNow();
		}

	}

	/** {@link ScaleOrigins} in a child JVM; closing ends its standard input, which ends it. */
	private static final class OriginProcess implements AutoCloseable {

		final Process process;

		final int port;

		final TestTls tls;

		private OriginProcess(Process process, int port, TestTls tls) {
			this.process = process;
			this.port = port;
			this.tls = tls;
		}

		static OriginProcess start(int ips) throws IOException {
			String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			// One thread per connection and per listener over there: small stacks.
			Process process = new ProcessBuilder(java, "-Xss256k", "-Xmx4g", "-cp",
					System.getProperty("java.class.path"), ScaleOrigins.class.getName(), Integer.toString(ips))
				.redirectError(ProcessBuilder.Redirect.INHERIT)
				.start();
			try {
				BufferedReader out = new BufferedReader(
						new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
				StringBuilder pem = new StringBuilder();
				for (String line = out.readLine(); line != null; line = out.readLine()) {
					if (line.startsWith("READY ")) {
						return new OriginProcess(process, Integer.parseInt(line.substring(6)),
								TestTls.trusting(pem.toString()));
					}
					pem.append(line).append('\n');
				}
				throw new IOException("The origin process ended before it was ready: exit " + process.waitFor());
			}
			catch (IOException | RuntimeException | InterruptedException ex) {
				process.destroyForcibly();
				if (ex instanceof InterruptedException) {
					Thread.currentThread().interrupt();
				}
				throw (ex instanceof IOException io) ? io : new IOException(ex);
			}
		}

		@Override
		public void close() throws InterruptedException {
			try {
				this.process.getOutputStream().close();
			}
			catch (IOException ex) {
				// it is gone already
			}
			if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}

	}

	/** The results as Markdown. */
	public static String markdown(Config config, List<Result> results) {
		StringBuilder out = new StringBuilder();
		out.append(String.format(Locale.ROOT, "One host, HTTP/1.1, %d warm connections per IP (127.77.x.y), origins "
				+ "in a separate process; tick = one run of each background task, every connection due for a probe; "
				+ "median of %d ticks%n%n", config.slotsPerIp(), config.ticks()));
		out.append("| connections | warm-up | heap / conn | RSS / conn | fds / conn | tick bookkeeping CPU | per conn "
				+ "| tick probe CPU | per conn | tick wall |\n|---|---|---|---|---|---|---|---|---|---|\n");
		for (Result r : results) {
			if (r.skipped() != null) {
				out.append(String.format(Locale.ROOT, "| %d | skipped: %s |%n", r.connections(), r.skipped()));
				continue;
			}
			out.append(String.format(Locale.ROOT, "| %d | %.2f s%s | %.1f KiB | %.1f KiB | %.1f | %.2f ms | %.2f µs | "
					+ "%.1f ms | %.1f µs | %.0f ms |%n", r.connections(), r.warmUp().toNanos() / 1e9,
					(r.warmUpFailures() > 0) ? " (" + r.warmUpFailures() + " failed, refilled)" : "",
					r.heapPerConnection() / 1024.0, r.rssPerConnection() / 1024.0, r.fdsPerConnection(),
					r.tickBookkeepingNanos() / 1e6,
					r.tickBookkeepingNanos() / 1e3 / r.connections(), r.tickProbeNanos() / 1e6,
					r.tickProbeNanos() / 1e3 / r.connections(), r.tickWallNanos() / 1e6));
		}
		for (Result r : results.stream().filter((r) -> r.skipped() == null).toList()) {
			out.append(String.format(Locale.ROOT, "%nLargest heap per connection at %d: %s%n", r.connections(),
					String.join("; ", r.topClasses())));
		}
		return out.toString();
	}

}
