package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The end-to-end harness: {@code java -cp benchmarks/target/benchmarks.jar io.hotconnpool.benchmarks.EndToEnd
 * [first|churn|throughput|scale|all]... [--smoke]}. Prints Markdown.
 */
public final class EndToEnd {

	private EndToEnd() {
	}

	public static void main(String[] args) throws IOException, InterruptedException {
		boolean smoke = List.of(args).contains("--smoke");
		List<String> runs = List.of(args).stream().filter((arg) -> !arg.startsWith("--")).toList();
		if (runs.isEmpty() || runs.contains("all")) {
			runs = List.of("first", "churn", "throughput", "scale");
		}
		System.out.println(Environment.describe());
		for (String run : runs) {
			long start = System.nanoTime();
			switch (run.toLowerCase(Locale.ROOT)) {
				case "first" -> {
					FirstResponseBenchmark.Config base = smoke ? FirstResponseBenchmark.Config.smoke()
							: FirstResponseBenchmark.Config.full();
					FirstResponseBenchmark.Config config = new FirstResponseBenchmark.Config(base.hosts(),
							base.ipsPerHost(), base.slotsPerIp(), rtts(args, base.rtts()), base.rounds(),
							base.steadyPerHost(), base.baselineRequests());
					print("Time to first response", FirstResponseBenchmark.markdown(config, FirstResponseBenchmark.run(config)));
				}
				case "churn" -> {
					ChurnBenchmark.Config base = smoke ? ChurnBenchmark.Config.smoke() : ChurnBenchmark.Config.full();
					ChurnBenchmark.Config config = new ChurnBenchmark.Config(base.hosts(), base.ipsPerHost(),
							base.slotsPerIp(), rtts(args, base.rtts()), base.duration(), base.requestsPerSecond(),
							base.churnEvery(), base.healthCheckInterval(), base.healthCheckIdleThreshold(),
							base.workers());
					print("Latency under churn", ChurnBenchmark.markdown(config, ChurnBenchmark.run(config)));
				}
				case "throughput" -> {
					ThroughputBenchmark.Config config = smoke ? ThroughputBenchmark.Config.smoke()
							: ThroughputBenchmark.Config.full();
					print("Throughput", ThroughputBenchmark.markdown(config, ThroughputBenchmark.run(config)));
				}
				case "scale" -> {
					ScaleBenchmark.Config base = smoke ? ScaleBenchmark.Config.smoke() : ScaleBenchmark.Config.full();
					ScaleBenchmark.Config config = new ScaleBenchmark.Config(sizes(args, base.connections()),
							base.slotsPerIp(), base.ticks(), base.topClasses());
					print("Scale", ScaleBenchmark.markdown(config, ScaleBenchmark.run(config)));
				}
				default -> throw new IllegalArgumentException("Unknown run " + run
						+ "; expected first, churn, throughput, scale or all");
			}
			System.out.printf(Locale.ROOT, "(%s took %.1f s; %s)%n%n", run, (System.nanoTime() - start) / 1e9,
					Environment.load());
		}
	}

	/** {@code --rtt=10,50} (milliseconds) overrides the round-trip times. */
	private static List<Duration> rtts(String[] args, List<Duration> defaults) {
		return Arrays.stream(args)
			.filter((arg) -> arg.startsWith("--rtt="))
			.findFirst()
			.map((arg) -> Arrays.stream(arg.substring("--rtt=".length()).split(","))
				.map((ms) -> Duration.ofMillis(Long.parseLong(ms.trim())))
				.toList())
			.orElse(defaults);
	}

	/** {@code --connections=100,1000} overrides the scale sizes. */
	private static List<Integer> sizes(String[] args, List<Integer> defaults) {
		return Arrays.stream(args)
			.filter((arg) -> arg.startsWith("--connections="))
			.findFirst()
			.map((arg) -> Arrays.stream(arg.substring("--connections=".length()).split(","))
				.map((n) -> Integer.valueOf(n.trim()))
				.toList())
			.orElse(defaults);
	}

	private static void print(String title, String markdown) {
		System.out.println("## " + title + "\n\n" + markdown);
	}

}
