package io.hotconnpool.benchmarks;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class TlsEngineBenchmarkTest {

	@Test
	void smokeRunMeasuresEveryEngineOverHttp2() throws Exception {
		TlsEngineBenchmark.Config config = TlsEngineBenchmark.Config.smoke();
		List<TlsEngineBenchmark.Result> results = TlsEngineBenchmark.run(config);

		assertThat(results).extracting(TlsEngineBenchmark.Result::profile).containsExactly("okhttp", "chrome", "firefox");
		assertThat(results).extracting(TlsEngineBenchmark.Result::engine)
			.containsExactly("Conscrypt", "BCTLS browser engine: Chrome 149", "BCTLS browser engine: Firefox 144");
		for (TlsEngineBenchmark.Result result : results) {
			assertThat(result.cold().count()).isEqualTo((long) config.rounds() * config.coldPerRound());
			assertThat(result.hot().count()).isEqualTo((long) config.rounds() * config.hotPerRound());
			assertThat(result.coldCpuNanos()).isPositive();
			assertThat(result.cold().p50()).as("a handshake costs more than a hot request")
				.isGreaterThan(result.hot().p50());
		}
		assertThat(TlsEngineBenchmark.markdown(config, results))
			.contains("| chrome (BCTLS browser engine: Chrome 149) |", "| firefox (BCTLS browser engine: Firefox 144) |");
	}

}
