package io.hotconnpool.benchmarks;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class SweepBenchmarkTest {

	@Test
	void smokeRunMeasuresEveryClientOnItsRowsProtocolWithinPhysicalBounds() throws Exception {
		SweepBenchmark.Config config = SweepBenchmark.Config.smoke();
		List<SweepBenchmark.Result> results = SweepBenchmark.run(config);

		assertThat(results).extracting(SweepBenchmark.Result::row).containsExactlyElementsOf(config.rows());
		long rtt = config.rtt().toNanos();
		for (SweepBenchmark.Result result : results) {
			assertThat(result.levels()).extracting(SweepBenchmark.Level::callers)
				.containsExactlyElementsOf(config.callers());
			for (SweepBenchmark.Level level : result.levels()) {
				assertThat(level.cells()).extracting(SweepBenchmark.Cell::client)
					.hasSize((result.row() == SweepBenchmark.Row.H2) ? 6 : 7)
					.startsWith(SweepBenchmark.POOL, SweepBenchmark.POOL_REQUEST_FACTORY)
					.contains("OkHttp (as shipped)", "JDK HttpClient", "Reactor Netty HttpClient")
					.doesNotHaveDuplicates();
				// A caller completes at most one request per round trip.
				long mostPossible = level.callers() * (config.window().toNanos() / rtt + 1);
				for (SweepBenchmark.Cell cell : level.cells()) {
					String what = result.row().protocol() + ", " + level.callers() + " callers, " + cell.client();
					assertThat(cell.protocol()).as(what).isEqualTo(result.row().protocol());
					assertThat(cell.warmUp()).as(what).isGreaterThanOrEqualTo(config.warmUp());
					assertThat(cell.failures()).as(what + ": " + cell.firstFailure()).isZero();
					assertThat(cell.latencies().count()).as(what).isPositive().isLessThanOrEqualTo(mostPossible);
					assertThat(cell.perSecond()).as(what)
						.isEqualTo(cell.latencies().count() / (config.window().toNanos() / 1e9));
					assertThat(cell.latencies().min()).as(what + ": no request beats the round trip")
						.isGreaterThanOrEqualTo(rtt);
					assertThat(cell.connections()).as(what + ": connections opened").isPositive();
					if (cell.isPool()) {
						assertThat(cell.connectionLimit()).as("the default per-host maximum, or more when sized")
							.isGreaterThanOrEqualTo(16);
						assertThat(cell.connections()).as(what).isLessThanOrEqualTo(cell.connectionLimit());
					}
				}
				assertThat(level.bestPeer().isPool()).isFalse();
				assertThat(level.ratio(level.bestPeer())).isEqualTo(1.0);
			}
		}
		assertThat(SweepBenchmark.markdown(config, results)).contains("| h2 | 4 |", "| http/1.1 | 4 |",
				"| 4 | " + SweepBenchmark.POOL + " | h2 |", "| 4 | " + SweepBenchmark.POOL_SIZED + " | http/1.1 |",
				"| 4 | Reactor Netty HttpClient | http/1.1 |");
	}

	@Test
	void fullRunIsTheDocumentedOne() {
		SweepBenchmark.Config full = SweepBenchmark.Config.full();
		assertThat(full.callers()).containsExactly(1, 16, 64, 256);
		assertThat(full.rtt()).isEqualTo(Duration.ofMillis(20));
		assertThat(full.rows()).containsExactly(SweepBenchmark.Row.H2, SweepBenchmark.Row.HTTP_1_1);
		long clients = full.rows().stream().mapToLong((row) -> row.clients().size()).sum();
		Duration timed = full.compileRun()
			.multipliedBy(clients)
			.plus(full.warmUp().plus(full.window()).multipliedBy(clients * full.callers().size()));
		assertThat(timed).as("the whole sweep stays well inside 8 minutes").isLessThan(Duration.ofMinutes(6));
	}

}
