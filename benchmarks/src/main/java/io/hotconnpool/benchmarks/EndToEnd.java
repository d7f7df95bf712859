package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The end-to-end harness. Prints Markdown:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.hotconnpool.benchmarks.EndToEnd
 *     [first|churn|throughput|scale|sweep|engine|fleet|all]...
 *     [--smoke] [--rtt=10,50] [--health-check=INTERVAL_MS/IDLE_MS] [--churn-every=MS] [--connections=100,1000]
 *     [--callers=1,16,64,256]
 * </pre>
 *
 * {@code engine} and {@code fleet} (which needs a {@code redis-server}) are not part of {@code all}.
 * {@code --smoke} runs the seconds-long sizes of the build's tests; {@code --rtt} sets the round-trip times of
 * {@code first} and {@code churn}, and the first of them that of {@code sweep}; {@code --health-check} the pool's
 * health check and {@code --churn-every} how often idle connections are closed under {@code churn};
 * {@code --connections} the sizes of {@code scale}; {@code --callers} the levels of {@code sweep}.
 */
public final class EndToEnd {

	private EndToEnd() {
	}

	public static void main(String[] args) throws IOException, InterruptedException {
		boolean smoke = List.of(args).contains("--smoke");
		List<String> runs = Arrays.stream(args).filter((arg) -> !arg.startsWith("--")).toList();
		if (runs.isEmpty() || runs.contains("all")) {
			runs = List.of("first", "churn", "throughput", "scale", "sweep");
		}
		System.out.println(Environment.describe() + "\n");
		for (String run : runs) {
			long start = System.nanoTime();
			switch (run.toLowerCase(Locale.ROOT)) {
				case "first" -> first(args, smoke);
				case "churn" -> churn(args, smoke);
				case "throughput" -> {
					ThroughputBenchmark.Config config = smoke ? ThroughputBenchmark.Config.smoke()
							: ThroughputBenchmark.Config.full();
					print("Throughput", ThroughputBenchmark.markdown(config, ThroughputBenchmark.run(config)));
				}
				case "engine" -> {
					TlsEngineBenchmark.Config config = smoke ? TlsEngineBenchmark.Config.smoke()
							: TlsEngineBenchmark.Config.full();
					print("TLS engines: chrome and firefox (browser engine) against okhttp (Conscrypt)",
							TlsEngineBenchmark.markdown(config, TlsEngineBenchmark.run(config)));
				}
				case "scale" -> {
					ScaleBenchmark.Config base = smoke ? ScaleBenchmark.Config.smoke() : ScaleBenchmark.Config.full();
					ScaleBenchmark.Config config = new ScaleBenchmark.Config(
							option(args, "connections", EndToEnd::integers).orElse(base.connections()),
							base.slotsPerIp(), base.ticks(), base.topClasses());
					print("Scale", ScaleBenchmark.markdown(config, ScaleBenchmark.run(config)));
				}
				case "sweep" -> {
					SweepBenchmark.Config base = smoke ? SweepBenchmark.Config.smoke() : SweepBenchmark.Config.full();
					SweepBenchmark.Config config = base.with(option(args, "callers", EndToEnd::integers)
						.orElse(base.callers()), option(args, "rtt", EndToEnd::millis).map((rtts) -> rtts.get(0))
						.orElse(base.rtt()));
					print("Concurrency sweep", SweepBenchmark.markdown(config, SweepBenchmark.run(config)));
				}
				case "fleet" -> {
					FleetBenchmark.Config config = smoke ? FleetBenchmark.Config.smoke() : FleetBenchmark.Config.full();
					Optional<String> missing = FleetBenchmark.unavailable();
					print("Fleet propagation over loopback Redis", missing.isPresent() ? missing.get()
							: FleetBenchmark.markdown(config, FleetBenchmark.run(config)));
				}
				default -> throw new IllegalArgumentException("Unknown run " + run
						+ "; expected first, churn, throughput, scale, sweep, engine, fleet or all");
			}
			System.out.printf(Locale.ROOT, "(%s took %.0f s; %s)%n%n", run, (System.nanoTime() - start) / 1e9,
					Environment.load());
		}
	}

	private static void first(String[] args, boolean smoke) throws IOException {
		FirstResponseBenchmark.Config base = smoke ? FirstResponseBenchmark.Config.smoke()
				: FirstResponseBenchmark.Config.full();
		FirstResponseBenchmark.Config config = new FirstResponseBenchmark.Config(base.hosts(), base.ipsPerHost(),
				base.slotsPerIp(), option(args, "rtt", EndToEnd::millis).orElse(base.rtts()), base.rounds(),
				base.steadyPerHost(), base.baselineRequests());
		print("Time to first response", FirstResponseBenchmark.markdown(config, FirstResponseBenchmark.run(config)));
	}

	private static void churn(String[] args, boolean smoke) throws IOException, InterruptedException {
		ChurnBenchmark.Config base = smoke ? ChurnBenchmark.Config.smoke() : ChurnBenchmark.Config.full();
		List<Duration> healthCheck = option(args, "health-check", (value) -> millis(value.replace('/', ',')))
			.orElse(List.of(base.healthCheckInterval(), base.healthCheckIdleThreshold()));
		ChurnBenchmark.Config config = new ChurnBenchmark.Config(base.hosts(), base.ipsPerHost(), base.slotsPerIp(),
				option(args, "rtt", EndToEnd::millis).orElse(base.rtts()), base.duration(), base.requestsPerSecond(),
				option(args, "churn-every", EndToEnd::millis).map((every) -> every.get(0)).orElse(base.churnEvery()),
				healthCheck.get(0), healthCheck.get(1), base.workers());
		print("Latency under churn", ChurnBenchmark.markdown(config, ChurnBenchmark.run(config)));
	}

	/** The value of {@code --name=value}, parsed. */
	private static <T> Optional<T> option(String[] args, String name, Function<String, T> parse) {
		String prefix = "--" + name + "=";
		return Arrays.stream(args)
			.filter((arg) -> arg.startsWith(prefix))
			.findFirst()
			.map((arg) -> parse.apply(arg.substring(prefix.length())));
	}

	private static List<Integer> integers(String value) {
		return Arrays.stream(value.split(",")).map((n) -> Integer.valueOf(n.trim())).toList();
	}

	private static List<Duration> millis(String value) {
		return integers(value).stream().map(Duration::ofMillis).toList();
	}

	private static void print(String title, String markdown) {
		System.out.println("## " + title + "\n\n" + markdown);
	}

}
