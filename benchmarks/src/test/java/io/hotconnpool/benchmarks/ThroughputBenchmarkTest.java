package io.hotconnpool.benchmarks;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class ThroughputBenchmarkTest {

	@Test
	void smokeRunCountsRequestsOfBothClientsWithoutFailures() throws Exception {
		ThroughputBenchmark.Config config = ThroughputBenchmark.Config.smoke();
		List<ThroughputBenchmark.Result> results = ThroughputBenchmark.run(config);

		assertThat(results).hasSize(1);
		ThroughputBenchmark.Result result = results.get(0);
		assertThat(result.protocol()).isEqualTo("h2");
		assertThat(result.poolPerSecond()).isPositive();
		assertThat(result.enginePerSecond()).isPositive();
		assertThat(result.failures()).isZero();
		assertThat(ThroughputBenchmark.markdown(config, results)).contains("| h2 |");
	}

}
