package io.hotconnpool.benchmarks;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class ScaleBenchmarkTest {

	@Test
	void smokeRunWarmsThePoolAgainstAnOriginProcessAndTimesATick() throws Exception {
		ScaleBenchmark.Config config = ScaleBenchmark.Config.smoke();
		List<ScaleBenchmark.Result> results = ScaleBenchmark.run(config);

		assertThat(results).hasSize(1);
		ScaleBenchmark.Result result = results.get(0);
		assertThat(result.connections()).isEqualTo(config.connections().get(0));
		assertThat(result.warmUp()).isPositive().isLessThan(Duration.ofSeconds(30));
		assertThat(result.skipped()).isNull();
		assertThat(result.heapPerConnection()).as("a warm connection costs heap").isPositive();
		assertThat(result.fdsPerConnection()).as("and at least its socket").isGreaterThanOrEqualTo(1);
		assertThat(result.tickBookkeepingNanos()).isPositive();
		assertThat(result.tickProbeNanos()).as("every connection was probed").isPositive();
		assertThat(result.tickWallNanos()).isGreaterThanOrEqualTo(result.tickBookkeepingNanos());
		assertThat(result.topClasses()).hasSize(config.topClasses());
		assertThat(ScaleBenchmark.markdown(config, results)).contains("| " + result.connections() + " |");
	}

}
