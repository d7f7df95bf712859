package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;

import okhttp3.Protocol;

/**
 * A concurrency sweep: 1, 16, 64 and 256 callers, each in a closed loop (a caller sends its next request when the
 * last one answered), on one host with several IPs behind a round trip of 20 ms, over HTTP/2 and over HTTP/1.1.
 * The pool runs at its default sizes, through {@code HotConnPool.execute} and through its
 * {@code ClientHttpRequestFactory}, and on HTTP/1.1 also with a warm connection per caller; the peers as shipped:
 * OkHttp, the JDK {@code HttpClient}, Apache HttpClient 5 (its HTTP/2 client on the HTTP/2 row, the classic pooling
 * client on the HTTP/1.1 row) and Reactor Netty's {@code HttpClient}.
 * <p>
 * Every cell (client × callers) starts afresh: a new origin, proxy and certificate, a new client, an untimed
 * warm-up until every caller has had two answers (so a client that opens a connection per caller is measured once
 * it has them), then a timed window; a request counts when it ends inside the window (successes give requests per
 * second and the latency percentiles). A caller whose request failed waits one round trip before the next, so a
 * client that fails at once (a full queue) does not spin on the CPU the others need. Before a row's cells, an
 * untimed run of each client loads and compiles its code; the clients then take turns in a rotating order from one
 * level to the next, so that drift in a shared machine's load hits none of them always.
 */
public final class SweepBenchmark {

	/** The pool at its default sizes, through {@code HotConnPool.execute}. */
	public static final String POOL = "hotconnpool (execute)";

	/** The pool at its default sizes, through its {@code ClientHttpRequestFactory}. */
	public static final String POOL_REQUEST_FACTORY = PoolPeer.REQUEST_FACTORY;

	/** The pool sized for the callers (HTTP/1.1 only): warm connections for each, through {@code execute}. */
	public static final String POOL_SIZED = "hotconnpool (execute, sized to the callers)";

	/** The protocol a row speaks: what the origin offers, and how each peer is set up for it. */
	public enum Row {

		/** The origin offers HTTP/2 and HTTP/1.1; every client negotiates HTTP/2. */
		H2("h2", List.of(Protocol.HTTP_2, Protocol.HTTP_1_1)),

		/** The origin offers only HTTP/1.1. */
		HTTP_1_1("http/1.1", List.of(Protocol.HTTP_1_1));

		private final String protocol;

		private final List<Protocol> serverProtocols;

		Row(String protocol, List<Protocol> serverProtocols) {
			this.protocol = protocol;
			this.serverProtocols = serverProtocols;
		}

		/** The protocol every client of this row should speak, as ALPN names it. */
		public String protocol() {
			return this.protocol;
		}

		/**
		 * The pool at its default sizes twice (execute, request factory), on HTTP/1.1 also sized to the callers,
		 * then the peers.
		 */
		List<Client> clients() {
			boolean h2 = this == H2;
			List<Client> clients = new ArrayList<>(List.of(
					new Client(POOL, (env, callers) -> PoolPeer.startWithDefaultSizes(env.tls(), env.targets(), false)),
					new Client(POOL_REQUEST_FACTORY,
							(env, callers) -> PoolPeer.startWithDefaultSizes(env.tls(), env.targets(), true))));
			if (!h2) {
				clients.add(new Client(POOL_SIZED, (env, callers) -> {
					int ips = env.targets().get(0).addresses().size();
					int slots = (callers + ips - 1) / ips;
					return PoolPeer.start(env.tls(), env.targets(), slots);
				}));
			}
			clients.add(new Client("OkHttp (as shipped)", (env, callers) -> Peers.okHttp(env.tls(), env.targets())));
			clients.add(new Client("JDK HttpClient", (env, callers) -> Peers.jdk(env.tls())));
			clients.add(h2 ? new Client("Apache HttpClient 5 (async, HTTP/2)",
					(env, callers) -> Peers.apacheH2(env.tls(), env.targets()))
					: new Client("Apache HttpClient 5 (classic, pooling)",
							(env, callers) -> Peers.apache(env.tls(), env.targets())));
			clients.add(new Client("Reactor Netty HttpClient",
					(env, callers) -> Peers.reactorNetty(env.tls(), env.targets(), h2)));
			return List.copyOf(clients);
		}

	}

	/**
	 * A client under test.
	 * @param name its name in reports
	 * @param start starts it against a set-up for a number of callers (the pool is warm when it returns)
	 */
	record Client(String name, BiFunction<ProxiedOrigins, Integer, HttpPeer> start) {
	}

	private SweepBenchmark() {
	}

	/**
	 * @param ipsPerHost the host's IPs
	 * @param rtt the round-trip time
	 * @param callers the levels of concurrency, one set of cells each
	 * @param rows the protocols
	 * @param compileRun untimed time of each client, at {@value #COMPILE_RUN_CALLERS} callers, before a row's
	 * cells: it loads and compiles the client's code, which a cell's warm-up at one caller would not (zero: none)
	 * @param warmUp least untimed time of each cell: it lasts until every caller has had
	 * {@value #WARM_ANSWERS} answers, at most {@link #MAX_WARM_UP}
	 * @param window timed time of each cell
	 */
	public record Config(int ipsPerHost, Duration rtt, List<Integer> callers, List<Row> rows, Duration compileRun,
			Duration warmUp, Duration window) {

		/** The documented full run: 52 cells of about 6 s after 13 compile runs of 2 s. */
		public static Config full() {
			return new Config(4, Duration.ofMillis(20), List.of(1, 16, 64, 256), List.of(Row.H2, Row.HTTP_1_1),
					Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofSeconds(4));
		}

		/** Seconds, for the build. */
		public static Config smoke() {
			return new Config(2, Duration.ofMillis(20), List.of(4), List.of(Row.H2, Row.HTTP_1_1), Duration.ZERO,
					Duration.ofMillis(50), Duration.ofMillis(200));
		}

		/** The same with other levels and round-trip time. */
		public Config with(List<Integer> callers, Duration rtt) {
			return new Config(this.ipsPerHost, rtt, callers, this.rows, this.compileRun, this.warmUp, this.window);
		}

	}

	/** Callers of the untimed compile run. */
	static final int COMPILE_RUN_CALLERS = 16;

	/** Answers each caller has had when the warm-up may end. */
	static final int WARM_ANSWERS = 2;

	/** The longest warm-up: a client whose callers are still waiting then is measured as it is. */
	static final Duration MAX_WARM_UP = Duration.ofSeconds(15);

	/**
	 * One client at one level.
	 * @param client the client's name
	 * @param protocol the protocol its first request used, as ALPN names it ({@code none} when it failed)
	 * @param warmUp how long its warm-up took
	 * @param latencies the successful requests that ended in the window
	 * @param perSecond of those, per second of the window
	 * @param failures requests that ended in the window failed or with another status than 200
	 * @param firstFailure what the first failed request said, or empty
	 * @param connections connections the client opened to the host, from its start to its end
	 * @param connectionLimit the pool's per-host maximum, 0 for a peer
	 */
	public record Cell(String client, String protocol, Duration warmUp, Latencies latencies, double perSecond,
			long failures, Optional<String> firstFailure, long connections, int connectionLimit) {

		public boolean isPool() {
			return this.connectionLimit > 0;
		}

	}

	/**
	 * One level of concurrency.
	 * @param callers concurrent callers
	 * @param cells one per client, the pool's first
	 */
	public record Level(int callers, List<Cell> cells) {

		/** The peer with the most requests per second. */
		public Cell bestPeer() {
			return this.cells.stream()
				.filter((cell) -> !cell.isPool())
				.max(Comparator.comparingDouble(Cell::perSecond))
				.orElseThrow();
		}

		/** A client's requests per second over the best peer's. */
		public double ratio(Cell cell) {
			return cell.perSecond() / bestPeer().perSecond();
		}

		public Cell cell(String client) {
			return this.cells.stream().filter((c) -> c.client().equals(client)).findFirst().orElseThrow();
		}

	}

	/**
	 * One protocol's levels.
	 * @param row the protocol
	 * @param levels one per level of concurrency
	 * @param loadBefore the load average when the row started
	 * @param loadAfter and when it ended
	 */
	public record Result(Row row, List<Level> levels, String loadBefore, String loadAfter) {
	}

	/**
	 * Runs every row, level and client.
	 * @param config the sizes
	 * @return one result per row
	 * @throws IOException when an origin cannot start
	 * @throws InterruptedException when interrupted
	 */
	public static List<Result> run(Config config) throws IOException, InterruptedException {
		List<Result> results = new ArrayList<>();
		for (Row row : config.rows()) {
			String loadBefore = Environment.load();
			List<Level> levels = new ArrayList<>();
			List<Client> clients = row.clients();
			if (!config.compileRun().isZero()) {
				for (Client client : clients) {
					cell(client, row, COMPILE_RUN_CALLERS, config, config.compileRun(), Duration.ZERO);
				}
			}
			for (int l = 0; l < config.callers().size(); l++) {
				int callers = config.callers().get(l);
				Cell[] cells = new Cell[clients.size()];
				for (int i = 0; i < clients.size(); i++) {
					int client = Math.floorMod(i + l, clients.size());
					cells[client] = cell(clients.get(client), row, callers, config, config.warmUp(), config.window());
				}
				levels.add(new Level(callers, List.of(cells)));
			}
			results.add(new Result(row, List.copyOf(levels), loadBefore, Environment.load()));
		}
		return results;
	}

	/** A fresh origin and client: warm-up, then the timed window. */
	private static Cell cell(Client client, Row row, int callers, Config config, Duration warmUp, Duration window)
			throws IOException, InterruptedException {
		try (ProxiedOrigins env = ProxiedOrigins.start(1, config.ipsPerHost(), config.rtt(), row.serverProtocols);
				HttpPeer peer = client.start().apply(env, callers)) {
			Target target = env.targets().get(0);
			String protocol;
			try {
				protocol = peer.protocol(target);
			}
			catch (IOException ex) {
				protocol = "none";
			}
			Window timed = closedLoop(peer, target, callers, warmUp, window, config.rtt());
			int limit = (peer instanceof PoolPeer pool) ? pool.pool().stats().hosts().get(0).maxConnections() : 0;
			return new Cell(client.name(), protocol, Duration.ofNanos(timed.warmUpNanos), timed.latencies,
					timed.latencies.count() / seconds(window), timed.failures, timed.firstFailure,
					env.proxy().acceptedConnections(), limit);
		}
	}

	private static double seconds(Duration duration) {
		return duration.toNanos() / 1e9;
	}

	/** What one caller, then all of them, saw in the window; with how long the warm-up took. */
	private static final class Window {

		final Latencies latencies = new Latencies();

		long failures;

		Optional<String> firstFailure = Optional.empty();

		long warmUpNanos;

		void add(Window other) {
			this.latencies.add(other.latencies);
			this.failures += other.failures;
			this.firstFailure = this.firstFailure.or(() -> other.firstFailure);
		}

	}

	/** When the timed window runs: unknown (0) while the warm-up lasts. */
	private static final class Phase {

		/** Written before {@link #until}, read after it. */
		volatile long from;

		volatile long until;

	}

	/**
	 * {@code callers} threads sending back to back: a warm-up that lasts at least {@code warmUp} and until every
	 * caller has had {@value #WARM_ANSWERS} answers (a client that opens a connection per caller has opened them),
	 * at most {@link #MAX_WARM_UP}; then the window.
	 */
	private static Window closedLoop(HttpPeer peer, Target target, int callers, Duration warmUp, Duration window,
			Duration backOff) throws InterruptedException {
		ExecutorService threads = Executors.newFixedThreadPool(callers, (task) -> {
			Thread thread = new Thread(task, "sweep-caller");
			thread.setDaemon(true);
			return thread;
		});
		Phase phase = new Phase();
		CountDownLatch warm = new CountDownLatch(callers);
		long start = System.nanoTime();
		try {
			List<Future<Window>> windows = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				windows.add(threads.submit(() -> caller(peer, target, phase, warm, backOff.toNanos())));
			}
			warm.await(MAX_WARM_UP.toNanos(), TimeUnit.NANOSECONDS);
			TimeUnit.NANOSECONDS.sleep(warmUp.toNanos() - (System.nanoTime() - start));
			phase.from = System.nanoTime();
			phase.until = phase.from + window.toNanos();
			Window all = new Window();
			all.warmUpNanos = phase.from - start;
			long deadline = phase.until + Peers.EXCHANGE_DEADLINE.toNanos() * 2;
			for (Future<Window> caller : windows) {
				all.add(caller.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
			}
			return all;
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException(peer.name() + ": a caller failed or hung past every deadline", ex);
		}
		finally {
			threads.shutdownNow();
		}
	}

	private static Window caller(HttpPeer peer, Target target, Phase phase, CountDownLatch warm, long backOff) {
		Window window = new Window();
		long answers = 0;
		while (phase.until == 0 || System.nanoTime() - phase.until < 0) {
			long start = System.nanoTime();
			String failure;
			try {
				int status = peer.get(target);
				failure = (status == 200) ? null : "status " + status;
			}
			catch (IOException | RuntimeException ex) {
				failure = ex.toString();
			}
			long end = System.nanoTime();
			long until = phase.until;
			if (until != 0 && end - phase.from >= 0 && end - until < 0) {
				if (failure == null) {
					window.latencies.record(end - start);
				}
				else {
					window.failures++;
					if (window.firstFailure.isEmpty()) {
						window.firstFailure = Optional.of(failure);
					}
				}
			}
			if (failure != null) {
				LockSupport.parkNanos(backOff);
			}
			else if (++answers == WARM_ANSWERS) {
				warm.countDown();
			}
		}
		return window;
	}

	/** The results as Markdown: a summary, then every cell. */
	public static String markdown(Config config, List<Result> results) {
		StringBuilder out = new StringBuilder();
		double rtt = config.rtt().toNanos();
		out.append(String.format(Locale.ROOT, "1 host × %d IPs, RTT %d ms; per cell a warm-up of at least %d ms "
				+ "and until every caller has had %d answers, then %d ms timed; a %d ms compile run of each client "
				+ "first; pool at its default sizes; ratios against the best peer of the same level%n%n",
				config.ipsPerHost(), config.rtt().toMillis(), config.warmUp().toMillis(), WARM_ANSWERS,
				config.window().toMillis(), config.compileRun().toMillis()));
		out.append("| protocol | callers | pool req/s | best peer | its req/s | pool / best | pool p50 / p99 (RTT) "
				+ "| best peer p50 / p99 (RTT) | pool sized to the callers / best |\n"
				+ "|---|---|---|---|---|---|---|---|---|\n");
		for (Result result : results) {
			for (Level level : result.levels()) {
				Cell pool = level.cell(POOL);
				Cell best = level.bestPeer();
				String sized = level.cells()
					.stream()
					.filter((cell) -> cell.client().equals(POOL_SIZED))
					.findFirst()
					.map((cell) -> String.format(Locale.ROOT, "%.2f", level.ratio(cell)))
					.orElse("");
				out.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %s | %.0f | **%.2f** | %.2f / %.2f | "
						+ "%.2f / %.2f | %s |%n", result.row().protocol(), level.callers(), pool.perSecond(),
						best.client(), best.perSecond(), level.ratio(pool), pool.latencies().p50() / rtt,
						pool.latencies().p99() / rtt, best.latencies().p50() / rtt, best.latencies().p99() / rtt,
						sized));
			}
		}
		for (Result result : results) {
			out.append(String.format(Locale.ROOT, "%n%s (%s before, %s after)%n%n", result.row().protocol(),
					result.loadBefore(), result.loadAfter()));
			out.append("| callers | client | protocol | warm-up s | req/s | p50 ms | p99 ms | p50 RTT | connections "
					+ "| failures | / best peer |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
			List<String> failures = new ArrayList<>();
			for (Level level : result.levels()) {
				for (Cell cell : level.cells()) {
					out.append(String.format(Locale.ROOT, "| %d | %s | %s | %.1f | %.0f | %.1f | %.1f | %.2f | %s "
							+ "| %d | %.2f |%n", level.callers(), cell.client(), cell.protocol(),
							seconds(cell.warmUp()), cell.perSecond(),
							cell.latencies().p50() / 1e6, cell.latencies().p99() / 1e6,
							cell.latencies().p50() / rtt, cell.isPool()
									? cell.connections() + " (max " + cell.connectionLimit() + ")"
									: String.valueOf(cell.connections()),
							cell.failures(), level.ratio(cell)));
					cell.firstFailure().ifPresent((failure) -> failures
						.add(String.format(Locale.ROOT, "%s at %d callers: %s", cell.client(), level.callers(),
								failure)));
				}
			}
			if (!failures.isEmpty()) {
				out.append("\nFirst failure of each client that failed:\n\n");
				failures.forEach((failure) -> out.append("- ").append(failure).append('\n'));
			}
		}
		return out.toString();
	}

}
