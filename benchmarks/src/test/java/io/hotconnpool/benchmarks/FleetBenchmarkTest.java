package io.hotconnpool.benchmarks;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class FleetBenchmarkTest {

	@Test
	void smokeRunPropagatesEveryBlacklistingThroughRedis() throws Exception {
		FleetBenchmark.unavailable().ifPresent((reason) -> {
			if (Boolean.parseBoolean(System.getenv("HOTCONNPOOL_REQUIRE_REDIS"))) {
				throw new AssertionError(reason + " (HOTCONNPOOL_REQUIRE_REDIS=true)");
			}
			Assumptions.abort(reason + ": skipped");
		});
		FleetBenchmark.Config config = FleetBenchmark.Config.smoke();
		FleetBenchmark.Result result = FleetBenchmark.run(config);

		assertThat(result.lost()).isZero();
		assertThat(result.propagation().count()).isEqualTo(config.rounds());
		assertThat(result.cost().count()).isEqualTo(config.rounds());
		int events = config.warmUpEvents() + 2 * (config.warmUp() + config.rounds());
		assertThat(result.a().published()).isEqualTo(events);
		assertThat(result.b().received()).isEqualTo(events);
		assertThat(FleetBenchmark.markdown(config, result))
			.contains("| propagation: A reports, B's pool has applied it |");
	}

}
