package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

import okhttp3.Protocol;

/**
 * Requests per second through the pool against its own engine without the pool (OkHttp with the same Conscrypt
 * TLS and {@code TCP_NODELAY}), same local origin, same number of threads in a closed loop, no added latency. The
 * two take turns ({@code pool, engine, engine, pool, ...}) so that drift in the machine's load hits both alike.
 */
public final class ThroughputBenchmark {

	private static final String HOST = "throughput.bench.test";

	private ThroughputBenchmark() {
	}

	/**
	 * @param threads concurrent callers, and the pool's warm connections
	 * @param warmUp untimed time before each measurement
	 * @param measure timed time
	 * @param repetitions measurements per client (in alternating order)
	 * @param serverProtocols each a run: what the origin offers (both clients offer HTTP/2 and HTTP/1.1)
	 */
	public record Config(int threads, Duration warmUp, Duration measure, int repetitions,
			List<List<Protocol>> serverProtocols) {

		/** The documented full run. */
		public static Config full() {
			return new Config(8, Duration.ofSeconds(3), Duration.ofSeconds(8), 2,
					List.of(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1), List.of(Protocol.HTTP_1_1)));
		}

		/** Seconds, for the build. */
		public static Config smoke() {
			return new Config(2, Duration.ofMillis(200), Duration.ofMillis(400), 1,
					List.of(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1)));
		}

	}

	/**
	 * One protocol's numbers.
	 * @param protocol the negotiated protocol
	 * @param poolPerSecond the pool's requests per second, the mean of its repetitions
	 * @param enginePerSecond the engine's
	 * @param failures failed requests, both clients
	 */
	public record Result(String protocol, double poolPerSecond, double enginePerSecond, long failures) {

		public double ratio() {
			return this.poolPerSecond / this.enginePerSecond;
		}

	}

	/**
	 * Runs each protocol.
	 * @param config the sizes
	 * @return one result per protocol
	 * @throws IOException when the origin cannot start
	 * @throws InterruptedException when interrupted
	 */
	public static List<Result> run(Config config) throws IOException, InterruptedException {
		List<Result> results = new ArrayList<>();
		for (List<Protocol> protocols : config.serverProtocols()) {
			BenchmarkTls tls = BenchmarkTls.create(List.of(HOST), List.of());
			try (TlsOrigin origin = TlsOrigin.start(InetAddress.getByName("127.0.0.1"), 0, tls, protocols)) {
				Target target = new Target(HOST, origin.address().getPort(), List.of(origin.address().getAddress()));
				results.add(run(config, tls, target, protocols.get(0).toString()));
			}
		}
		return results;
	}

	private static Result run(Config config, BenchmarkTls tls, Target target, String protocol)
			throws InterruptedException {
		double pool = 0;
		double engine = 0;
		long failures = 0;
		try (HttpPeer poolPeer = PoolPeer.start(tls, List.of(target), config.threads(), UnaryOperator.identity());
				HttpPeer enginePeer = Peers.rawEngine(tls, List.of(target),
						List.of(Protocol.HTTP_2, Protocol.HTTP_1_1), config.threads())) {
			for (int i = 0; i < 2 * config.repetitions(); i++) {
				boolean poolTurn = (i % 4 == 0) || (i % 4 == 3);
				Loop loop = closedLoop(poolTurn ? poolPeer : enginePeer, target, config);
				failures += loop.failures;
				if (poolTurn) {
					pool += loop.perSecond / config.repetitions();
				}
				else {
					engine += loop.perSecond / config.repetitions();
				}
			}
		}
		return new Result(protocol, pool, engine, failures);
	}

	private record Loop(double perSecond, long failures) {
	}

	/** {@code threads} callers sending back to back: untimed warm-up, then the timed part. */
	private static Loop closedLoop(HttpPeer peer, Target target, Config config) throws InterruptedException {
		ExecutorService callers = Executors.newFixedThreadPool(config.threads());
		try {
			long warmUntil = System.nanoTime() + config.warmUp().toNanos();
			long measureUntil = warmUntil + config.measure().toNanos();
			List<Future<long[]>> counts = new ArrayList<>();
			for (int t = 0; t < config.threads(); t++) {
				counts.add(callers.submit(() -> {
					long done = 0;
					long failed = 0;
					for (long now = System.nanoTime(); now - measureUntil < 0; now = System.nanoTime()) {
						boolean timed = now - warmUntil >= 0;
						try {
							if (peer.get(target) == 200) {
								done += timed ? 1 : 0;
							}
							else {
								failed++;
							}
						}
						catch (IOException ex) {
							failed++;
						}
					}
					return new long[] { done, failed };
				}));
			}
			long done = 0;
			long failed = 0;
			for (Future<long[]> count : counts) {
				long[] result = count.get(config.warmUp().plus(config.measure()).toSeconds() + 60, TimeUnit.SECONDS);
				done += result[0];
				failed += result[1];
			}
			return new Loop(done / (config.measure().toNanos() / 1e9), failed);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("A caller failed", ex);
		}
		finally {
			callers.shutdownNow();
		}
	}

	/** The results as Markdown. */
	public static String markdown(Config config, List<Result> results) {
		StringBuilder out = new StringBuilder();
		out.append(String.format(Locale.ROOT, "%d threads back to back, %d s timed after %d s warm-up, %d repetitions "
				+ "each; pool with %d warm connections%n%n", config.threads(), config.measure().toSeconds(),
				config.warmUp().toSeconds(), config.repetitions(), config.threads()));
		out.append("| protocol | pool req/s | engine req/s | pool / engine | failures |\n|---|---|---|---|---|\n");
		for (Result result : results) {
			out.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.3f | %d |%n", result.protocol(),
					result.poolPerSecond(), result.enginePerSecond(), result.ratio(), result.failures()));
		}
		return out.toString();
	}

}
