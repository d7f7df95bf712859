package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.pool.PoolStats;
import okhttp3.Protocol;

/**
 * Latency under connection churn: requests arrive at a steady rate, round robin over the hosts, while once in every
 * {@code churnEvery} the server side closes each connection that has been quiet for two round trips (nothing in
 * flight), as servers and load balancers reap idle keep-alive connections. Latency counts from the moment a
 * request was due, not sent, so a stalled client cannot hide its queue (no coordinated omission).
 * <p>
 * Each client runs alone, started and warmed by one request per host first. The pool re-warms in the background:
 * it replaces an HTTP/2 connection as soon as OkHttp closes its socket, and its health check (by default at the
 * pool's defaults: every 30 s, for connections idle 10 s) probes the rest.
 */
public final class ChurnBenchmark {

	private static final long CHURN_SEED = 8;

	/** The health check a pool gets unless told otherwise. */
	private static final HotConnPoolConfig POOL_DEFAULTS = new HotConnPoolConfig();

	private ChurnBenchmark() {
	}

	/**
	 * @param hosts K
	 * @param ipsPerHost M
	 * @param slotsPerIp the pool's warm connections per IP
	 * @param rtts the round-trip times, one run each
	 * @param duration how long each client is measured
	 * @param requestsPerSecond the arrival rate
	 * @param churnEvery how often idle connections are closed
	 * @param healthCheckInterval the pool's health-check interval
	 * @param healthCheckIdleThreshold the idle time after which the pool probes a connection
	 * @param workers threads that send the requests (enough that none is ever late for lack of one)
	 */
	public record Config(int hosts, int ipsPerHost, int slotsPerIp, List<Duration> rtts, Duration duration,
			int requestsPerSecond, Duration churnEvery, Duration healthCheckInterval,
			Duration healthCheckIdleThreshold, int workers) {

		/** The documented full run. */
		public static Config full() {
			return new Config(4, 4, 2, List.of(Duration.ofMillis(10), Duration.ofMillis(50)), Duration.ofSeconds(20),
					20, Duration.ofSeconds(2), POOL_DEFAULTS.getHealthCheckInterval(),
					POOL_DEFAULTS.getHealthCheckIdleThreshold(), 16);
		}

		/** Seconds, for the build. */
		public static Config smoke() {
			return new Config(2, 2, 1, List.of(Duration.ofMillis(10)), Duration.ofMillis(1500), 20,
					Duration.ofMillis(500), POOL_DEFAULTS.getHealthCheckInterval(),
					POOL_DEFAULTS.getHealthCheckIdleThreshold(), 8);
		}

	}

	/**
	 * One client's numbers.
	 * @param client the client
	 * @param latencies successful requests, from when they were due
	 * @param requests requests sent
	 * @param failures requests that failed or did not answer 200
	 * @param closedByChurn connections the churn closed during the run
	 * @param poolHandshakes for the pool, TLS handshakes during the run, else -1
	 * @param poolColdRequests for the pool, requests that did not find a warm connection, else -1
	 */
	public record ClientResult(String client, Latencies latencies, long requests, long failures, long closedByChurn,
			long poolHandshakes, long poolColdRequests) {
	}

	/**
	 * One round-trip time's numbers.
	 * @param rtt the round-trip time
	 * @param clients per client, the pool first
	 */
	public record Result(Duration rtt, List<ClientResult> clients) {

		public ClientResult client(String name) {
			return this.clients.stream().filter((c) -> c.client().equals(name)).findFirst().orElseThrow();
		}

	}

	/**
	 * Runs every round-trip time.
	 * @param config the sizes
	 * @return one result per round-trip time
	 * @throws IOException when the set-up cannot start
	 * @throws InterruptedException when interrupted
	 */
	public static List<Result> run(Config config) throws IOException, InterruptedException {
		List<Result> results = new ArrayList<>();
		for (Duration rtt : config.rtts()) {
			try (ProxiedOrigins env = ProxiedOrigins.start(config.hosts(), config.ipsPerHost(), rtt,
					List.of(Protocol.HTTP_2, Protocol.HTTP_1_1))) {
				List<ClientResult> clients = new ArrayList<>();
				for (Contender contender : Contender.all(config.slotsPerIp(),
						(settings) -> {
							settings.setHealthCheckInterval(config.healthCheckInterval());
							settings.setHealthCheckIdleThreshold(config.healthCheckIdleThreshold());
						})) {
					clients.add(run(config, env, contender));
				}
				results.add(new Result(rtt, clients));
			}
		}
		return results;
	}

	/**
	 * Runs one client against a running set-up.
	 * @param config the rate, duration and churn
	 * @param env the set-up
	 * @param contender the client
	 * @return its numbers
	 * @throws InterruptedException when interrupted
	 */
	public static ClientResult run(Config config, ProxiedOrigins env, Contender contender)
			throws InterruptedException {
		Duration idleFor = env.proxy().oneWayDelay().multipliedBy(4);
		try (HttpPeer peer = contender.start().apply(env)) {
			for (Target target : env.targets()) {
				try {
					peer.get(target);
				}
				catch (IOException ex) {
					// measured below, when it counts
				}
			}
			PoolStats before = (peer instanceof PoolPeer p) ? p.pool().stats() : null;
			AtomicLong closed = new AtomicLong();
			ScheduledExecutorService churn = Executors.newSingleThreadScheduledExecutor();
			for (long at : churnTimes(config)) {
				churn.schedule(() -> closed.addAndGet(env.proxy().closeIdle(idleFor)), at, TimeUnit.NANOSECONDS);
			}
			Schedule schedule;
			try {
				schedule = Schedule.run(peer, env.targets(), config);
			}
			finally {
				churn.shutdownNow();
				churn.awaitTermination(5, TimeUnit.SECONDS);
			}
			long handshakes = -1;
			long cold = -1;
			if (peer instanceof PoolPeer p) {
				PoolStats after = p.pool().stats();
				handshakes = after.handshakes() - before.handshakes();
				cold = (after.totalRequests() - before.totalRequests()) - (after.hotHits() - before.hotHits());
			}
			return new ClientResult(peer.name(), schedule.latencies, schedule.requests, schedule.failures,
					closed.get(), handshakes, cold);
		}
	}

	/**
	 * When the churn strikes, in nanoseconds from now: once in each {@code churnEvery} of the run, at a random point
	 * of it (the same points in every run). A fixed period would strike at the same point between two requests every
	 * time, which always catches one request on a connection the server is closing, or never does.
	 */
	static long[] churnTimes(Config config) {
		Random random = new Random(CHURN_SEED);
		long every = config.churnEvery().toNanos();
		long[] times = new long[(int) (config.duration().toNanos() / every)];
		for (int i = 0; i < times.length; i++) {
			times[i] = i * every + (long) (random.nextDouble() * every);
		}
		return times;
	}

	/** Sends requests at the configured rate for the configured time. */
	private static final class Schedule {

		final Latencies latencies = new Latencies();

		long requests;

		long failures;

		static Schedule run(HttpPeer peer, List<Target> targets, Config config) throws InterruptedException {
			long interval = TimeUnit.SECONDS.toNanos(1) / config.requestsPerSecond();
			int total = (int) (config.duration().toNanos() / interval);
			long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
			AtomicInteger next = new AtomicInteger();
			ExecutorService workers = Executors.newFixedThreadPool(config.workers());
			List<Future<Schedule>> parts = new ArrayList<>();
			for (int w = 0; w < config.workers(); w++) {
				parts.add(workers.submit(() -> {
					Schedule part = new Schedule();
					for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
						long due = start + i * interval;
						for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
							LockSupport.parkNanos(wait);
						}
						part.requests++;
						try {
							if (peer.get(targets.get(i % targets.size())) == 200) {
								part.latencies.record(System.nanoTime() - due);
							}
							else {
								part.failures++;
							}
						}
						catch (IOException ex) {
							part.failures++;
						}
					}
					return part;
				}));
			}
			workers.shutdown();
			Schedule all = new Schedule();
			try {
				if (!workers.awaitTermination(config.duration().toSeconds() + 60, TimeUnit.SECONDS)) {
					throw new IllegalStateException("Requests still running a minute after the schedule ended");
				}
				for (Future<Schedule> part : parts) {
					Schedule done = part.get();
					all.latencies.add(done.latencies);
					all.requests += done.requests;
					all.failures += done.failures;
				}
			}
			catch (ExecutionException ex) {
				throw new IllegalStateException(ex.getCause());
			}
			finally {
				workers.shutdownNow();
			}
			return all;
		}

	}

	/** The results as Markdown: p50 / p99 / max as multiples of the round trip. */
	public static String markdown(Config config, List<Result> results) {
		StringBuilder out = new StringBuilder();
		out.append(String.format(Locale.ROOT, "%d hosts × %d IPs, pool %d slots per IP, %d requests/s for %d s per "
				+ "client, idle connections closed every %d ms; pool health check every %d ms for connections idle "
				+ "%d ms; p50 / p99 / max from when each request was due, in RTTs%n%n", config.hosts(),
				config.ipsPerHost(), config.slotsPerIp(), config.requestsPerSecond(), config.duration().toSeconds(),
				config.churnEvery().toMillis(), config.healthCheckInterval().toMillis(),
				config.healthCheckIdleThreshold().toMillis()));
		for (Result result : results) {
			out.append(String.format(Locale.ROOT, "RTT %d ms%n%n", result.rtt().toMillis()));
			out.append("| client | latency | requests | failures | connections closed | pool handshakes | pool cold "
					+ "requests |\n|---|---|---|---|---|---|---|\n");
			for (ClientResult client : result.clients()) {
				out.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %s | %s |%n", client.client(),
						client.latencies().inUnits(result.rtt()), client.requests(), client.failures(),
						client.closedByChurn(), (client.poolHandshakes() < 0) ? "" : client.poolHandshakes(),
						(client.poolColdRequests() < 0) ? "" : client.poolColdRequests()));
			}
			out.append('\n');
		}
		return out.toString();
	}

}
