package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.hotconnpool.test.TestTls;
import io.hotconnpool.test.TlsOrigins;
import io.hotconnpool.tls.NoDelaySocketFactory;
import io.hotconnpool.tls.TlsContext;
import io.hotconnpool.tls.TlsProfile;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The cost of the browser engine ({@code chrome} and {@code firefox}: Bouncy Castle under Chrome's and Firefox's
 * ClientHello) against Conscrypt ({@code okhttp}), one loopback HTTP/2 origin, the three taking turns in every round:
 * <ul>
 * <li>cold request: a new connection, its TLS handshake and one GET; wall time and the CPU time of the calling
 * thread, which runs the handshake;</li>
 * <li>warm-up: {@code warmUpConnections} such connections opened one after the other, as a pool warms an IP;</li>
 * <li>hot request: a GET on an open connection;</li>
 * <li>heap per connection: the heap the clients hold with {@code heldConnections} open connections, after a GC,
 * divided by their number.</li>
 * </ul>
 */
public final class TlsEngineBenchmark {

	private static final String HOST = "engine.bench.test";

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private TlsEngineBenchmark() {
	}

	/**
	 * @param rounds timed rounds (one discarded round before them)
	 * @param coldPerRound cold requests per engine and round
	 * @param hotPerRound hot requests per engine and round
	 * @param warmUpConnections connections in one warm-up
	 * @param heldConnections connections held open for the heap measurement
	 */
	public record Config(int rounds, int coldPerRound, int hotPerRound, int warmUpConnections, int heldConnections) {

		/** The documented run. */
		public static Config full() {
			return new Config(10, 20, 2000, 16, 200);
		}

		/** Seconds, for the build. */
		public static Config smoke() {
			return new Config(1, 2, 20, 2, 4);
		}

	}

	/**
	 * One engine's numbers.
	 * @param profile the profile
	 * @param engine the TLS engine it runs on
	 * @param cold cold requests (new connection, handshake, GET)
	 * @param coldCpuNanos mean CPU time of the calling thread per cold request
	 * @param warmUp warm-ups of {@code warmUpConnections} connections
	 * @param hot hot requests
	 * @param heapBytesPerConnection heap held per open connection
	 */
	public record Result(String profile, String engine, Latencies cold, long coldCpuNanos, Latencies warmUp,
			Latencies hot, long heapBytesPerConnection) {
	}

	/**
	 * Runs every engine.
	 * @param config the sizes
	 * @return Conscrypt's result, then the browser engine's for chrome and for firefox
	 * @throws IOException when the origin cannot start or a request fails
	 */
	public static List<Result> run(Config config) throws IOException {
		InetAddress loopback = InetAddress.getByAddress("localhost", new byte[] { 127, 0, 0, 1 });
		TestTls tls = TestTls.create(Set.of(HOST), Set.of(loopback));
		try (TlsOrigins origin = TlsOrigins.serve(tls, List.of(loopback), List.of(Protocol.HTTP_2, Protocol.HTTP_1_1))) {
			List<Engine> engines = List.of(new Engine(TlsProfile.OKHTTP, tls, loopback, origin),
					new Engine(TlsProfile.CHROME, tls, loopback, origin),
					new Engine(TlsProfile.FIREFOX, tls, loopback, origin));
			ThreadMXBean threads = ManagementFactory.getThreadMXBean();
			for (int round = -1; round < config.rounds(); round++) {
				boolean timed = round >= 0;
				for (int i = 0; i < engines.size(); i++) {
					Engine engine = engines.get(Math.floorMod(round + i, engines.size()));
					for (int n = 0; n < config.coldPerRound(); n++) {
						long cpu = threads.getCurrentThreadCpuTime();
						long start = System.nanoTime();
						engine.get(engine.freshClient());
						if (timed) {
							engine.cold.record(System.nanoTime() - start);
							engine.coldCpu += threads.getCurrentThreadCpuTime() - cpu;
						}
					}
					long start = System.nanoTime();
					for (int n = 0; n < config.warmUpConnections(); n++) {
						engine.get(engine.freshClient());
					}
					if (timed) {
						engine.warmUp.record(System.nanoTime() - start);
					}
					OkHttpClient hot = engine.freshClient();
					engine.get(hot);
					for (int n = 0; n < config.hotPerRound(); n++) {
						long begin = System.nanoTime();
						engine.get(hot);
						if (timed) {
							engine.hot.record(System.nanoTime() - begin);
						}
					}
					hot.connectionPool().evictAll();
				}
			}
			List<Result> results = new ArrayList<>();
			for (Engine engine : engines) {
				long heap = engine.heapPerConnection(config.heldConnections());
				results.add(new Result(engine.profile.id(), engine.tls.providerName(), engine.cold,
						engine.coldCpu / Math.max(1, engine.cold.count()), engine.warmUp, engine.hot, heap));
			}
			return results;
		}
	}

	/**
	 * The results as a Markdown table, the browser engine as a ratio to Conscrypt.
	 * @param config the sizes
	 * @param results from {@link #run(Config)}
	 * @return the table
	 */
	public static String markdown(Config config, List<Result> results) {
		StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
				"%d rounds; per engine and round %d cold requests, a warm-up of %d connections, %d hot requests;"
						+ " heap with %d connections open%n%n",
				config.rounds(), config.coldPerRound(), config.warmUpConnections(), config.hotPerRound(),
				config.heldConnections()));
		out.append("| profile (engine) | cold p50 | cold p99 | cold CPU | warm-up of ").append(config.warmUpConnections())
			.append(" p50 | hot p50 | hot p99 | heap / connection |\n|---|---|---|---|---|---|---|---|\n");
		Result base = results.get(0);
		for (Result result : results) {
			out.append(String.format(Locale.ROOT, "| %s (%s) | %s | %s | %s | %s | %s | %s | %s |%n", result.profile(),
					result.engine(), ratio(result.cold().p50(), base.cold().p50()),
					ratio(result.cold().p99(), base.cold().p99()), ratio(result.coldCpuNanos(), base.coldCpuNanos()),
					ratio(result.warmUp().p50(), base.warmUp().p50()), ratio(result.hot().p50(), base.hot().p50()),
					ratio(result.hot().p99(), base.hot().p99()), bytes(result.heapBytesPerConnection(),
							base.heapBytesPerConnection())));
		}
		return out.toString();
	}

	private static String ratio(long nanos, long baseNanos) {
		return String.format(Locale.ROOT, "%.3f ms (%.2f ×)", nanos / 1e6, nanos / (double) Math.max(1, baseNanos));
	}

	private static String bytes(long value, long base) {
		return String.format(Locale.ROOT, "%.1f KiB (%.2f ×)", value / 1024.0, value / (double) Math.max(1, base));
	}

	/** One profile's clients and tallies. */
	private static final class Engine {

		private final TlsProfile profile;

		private final TlsContext tls;

		private final OkHttpClient base;

		private final Request request;

		private final Latencies cold = new Latencies();

		private final Latencies warmUp = new Latencies();

		private final Latencies hot = new Latencies();

		private long coldCpu;

		Engine(TlsProfile profile, TestTls material, InetAddress loopback, TlsOrigins origin) {
			this.profile = profile;
			this.tls = TlsContext.create(profile, material.trustStore(), null, TIMEOUT, false);
			// Nagle off, as the pool's clients have it.
			this.base = profile.configure(new OkHttpClient.Builder().socketFactory(new NoDelaySocketFactory()), this.tls,
					true)
				.dns((host) -> List.of(loopback))
				.callTimeout(TIMEOUT)
				.build();
			this.request = new Request.Builder()
				.url("https://" + HOST + ":" + origin.socketAddress().getPort() + "/")
				.build();
		}

		/** A client with its own connection pool: its first request opens a connection. */
		OkHttpClient freshClient() {
			return this.base.newBuilder().connectionPool(new ConnectionPool()).build();
		}

		void get(OkHttpClient client) throws IOException {
			try (Response response = client.newCall(this.request).execute()) {
				if (response.code() != 200 || response.protocol() != Protocol.HTTP_2) {
					throw new IOException(this.profile + ": " + response.code() + " over " + response.protocol());
				}
				response.body().string();
			}
		}

		long heapPerConnection(int connections) throws IOException {
			long before = usedHeapAfterGc();
			List<OkHttpClient> held = new ArrayList<>();
			for (int i = 0; i < connections; i++) {
				OkHttpClient client = freshClient();
				get(client);
				held.add(client);
			}
			long after = usedHeapAfterGc();
			held.forEach((client) -> client.connectionPool().evictAll());
			return Math.max(0, after - before) / connections;
		}

		private static long usedHeapAfterGc() {
			for (int i = 0; i < 3; i++) {
				System.gc();
			}
			Runtime runtime = Runtime.getRuntime();
			return runtime.totalMemory() - runtime.freeMemory();
		}

	}

}
