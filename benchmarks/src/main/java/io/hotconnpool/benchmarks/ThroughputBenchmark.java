package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.hotconnpool.test.TestTls;
import io.hotconnpool.test.TlsOrigins;
import okhttp3.Protocol;

/**
 * Requests per second through the pool against its own engine without the pool (OkHttp with the same Conscrypt
 * TLS and {@code TCP_NODELAY}), same local origin, same number of threads in a closed loop, no added latency. The
 * two take short turns in pairs ({@code pool, engine}, then {@code engine, pool}, ...) and the ratio reported is
 * the median of the pairs' ratios, so that drift in a shared machine's load hits both alike.
 */
public final class ThroughputBenchmark {

	private static final String HOST = "throughput.bench.test";

	private ThroughputBenchmark() {
	}

	/**
	 * @param threads concurrent callers, and the pool's warm connections
	 * @param warmUp untimed time of each client before the first pair
	 * @param slice timed time of each turn
	 * @param pairs timed pairs of turns
	 * @param serverProtocols each a run: what the origin offers (both clients offer HTTP/2 and HTTP/1.1)
	 */
	public record Config(int threads, Duration warmUp, Duration slice, int pairs,
			List<List<Protocol>> serverProtocols) {

		/** The documented full run. */
		public static Config full() {
			return new Config(8, Duration.ofSeconds(3), Duration.ofSeconds(2), 10,
					List.of(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1), List.of(Protocol.HTTP_1_1)));
		}

		/** Seconds, for the build. */
		public static Config smoke() {
			return new Config(2, Duration.ofMillis(200), Duration.ofMillis(200), 1,
					List.of(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1)));
		}

	}

	/**
	 * One protocol's numbers.
	 * @param protocol the negotiated protocol
	 * @param poolPerSecond the pool's requests per second, the median of its turns
	 * @param enginePerSecond the engine's
	 * @param ratio the median over the pairs of pool / engine
	 * @param failures failed requests, both clients
	 */
	public record Result(String protocol, double poolPerSecond, double enginePerSecond, double ratio,
			long failures) {
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
			TestTls tls = TestTls.create(List.of(HOST), List.of());
			try (TlsOrigins origin = TlsOrigins.serve(tls, List.of(InetAddress.getByName("127.0.0.1")), protocols)) {
				Target target = new Target(HOST, origin.socketAddress().getPort(), List.of(origin.socketAddress().getAddress()));
				results.add(run(config, tls, target, protocols.get(0).toString()));
			}
		}
		return results;
	}

	private static Result run(Config config, TestTls tls, Target target, String protocol)
			throws InterruptedException {
		double[] pool = new double[config.pairs()];
		double[] engine = new double[config.pairs()];
		double[] ratios = new double[config.pairs()];
		long failures = 0;
		try (HttpPeer poolPeer = PoolPeer.start(tls, List.of(target), config.threads());
				HttpPeer enginePeer = Peers.rawEngine(tls, List.of(target),
						List.of(Protocol.HTTP_2, Protocol.HTTP_1_1), config.threads())) {
			failures += closedLoop(poolPeer, target, config.threads(), config.warmUp()).failures;
			failures += closedLoop(enginePeer, target, config.threads(), config.warmUp()).failures;
			for (int i = 0; i < config.pairs(); i++) {
				boolean poolFirst = i % 2 == 0;
				Loop first = closedLoop(poolFirst ? poolPeer : enginePeer, target, config.threads(), config.slice());
				Loop second = closedLoop(poolFirst ? enginePeer : poolPeer, target, config.threads(), config.slice());
				pool[i] = (poolFirst ? first : second).perSecond;
				engine[i] = (poolFirst ? second : first).perSecond;
				ratios[i] = pool[i] / engine[i];
				failures += first.failures + second.failures;
			}
		}
		return new Result(protocol, median(pool), median(engine), median(ratios), failures);
	}

	private static double median(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

	private record Loop(double perSecond, long failures) {
	}

	/** {@code threads} callers sending back to back for {@code duration}. */
	private static Loop closedLoop(HttpPeer peer, Target target, int threads, Duration duration)
			throws InterruptedException {
		ExecutorService callers = Executors.newFixedThreadPool(threads);
		try {
			long start = System.nanoTime();
			long until = start + duration.toNanos();
			List<Future<long[]>> counts = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				counts.add(callers.submit(() -> {
					long done = 0;
					long failed = 0;
					while (System.nanoTime() - until < 0) {
						try {
							if (peer.get(target) == 200) {
								done++;
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
				long[] result = count.get(duration.toSeconds() + 60, TimeUnit.SECONDS);
				done += result[0];
				failed += result[1];
			}
			return new Loop(done / ((System.nanoTime() - start) / 1e9), failed);
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
		out.append(String.format(Locale.ROOT, "%d threads back to back; %d pairs of %d ms turns after %d s warm-up "
				+ "each; pool with %d warm connections; medians%n%n", config.threads(), config.pairs(),
				config.slice().toMillis(), config.warmUp().toSeconds(), config.threads()));
		out.append("| protocol | pool req/s | engine req/s | pool / engine (median of pairs) | failures |\n"
				+ "|---|---|---|---|---|\n");
		for (Result result : results) {
			out.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.3f | %d |%n", result.protocol(),
					result.poolPerSecond(), result.enginePerSecond(), result.ratio(), result.failures()));
		}
		return out.toString();
	}

}
