package io.hotconnpool.benchmarks;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class ChurnBenchmarkTest {

	@Test
	void smokeRunSendsEveryScheduledRequestWhileConnectionsAreClosedAndThePoolRewarms() throws Exception {
		ChurnBenchmark.Config config = ChurnBenchmark.Config.smoke();
		List<ChurnBenchmark.Result> results = ChurnBenchmark.run(config);

		ChurnBenchmark.Result result = results.get(0);
		long scheduled = config.duration().toMillis() * config.requestsPerSecond() / 1000;
		for (ChurnBenchmark.ClientResult client : result.clients()) {
			assertThat(client.requests()).as(client.client()).isEqualTo(scheduled);
			assertThat(client.latencies().count() + client.failures()).isEqualTo(scheduled);
			assertThat(client.latencies().p50()).isGreaterThanOrEqualTo(result.rtt().toNanos());
		}
		ChurnBenchmark.ClientResult pool = result.client(Contender.POOL);
		assertThat(pool.closedByChurn()).as("the churn closed the pool's idle connections").isPositive();
		assertThat(pool.poolHandshakes()).as("and the pool opened replacements").isPositive();
		assertThat(ChurnBenchmark.markdown(config, results)).contains("| " + Contender.POOL + " |");
	}

}
