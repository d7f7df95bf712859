package io.hotconnpool.benchmarks;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class FirstResponseBenchmarkTest {

	@Test
	void smokeRunTimesEveryClientAndThePoolsFirstRequestsFindWarmConnections() throws Exception {
		FirstResponseBenchmark.Config config = FirstResponseBenchmark.Config.smoke();
		List<FirstResponseBenchmark.Result> results = FirstResponseBenchmark.run(config);

		assertThat(results).hasSize(config.rtts().size());
		FirstResponseBenchmark.Result result = results.get(0);
		long rtt = result.rtt().toNanos();
		assertThat(result.clients()).extracting(FirstResponseBenchmark.ClientResult::client)
			.containsExactly(Contender.POOL, "OkHttp (as shipped)", "Apache HttpClient 5 (pooling)", "JDK HttpClient");
		int firsts = config.rounds() * config.hosts();
		assertThat(result.poolFirstRequests()).isEqualTo(firsts);
		assertThat(result.poolHandshakesDuringFirst()).as("the pool's first requests perform no handshake").isZero();
		assertThat(result.poolHotHitsDuringFirst()).isEqualTo(firsts);
		for (FirstResponseBenchmark.ClientResult client : result.clients()) {
			assertThat(client.failures()).as(client.client()).isZero();
			assertThat(client.first().count()).as(client.client()).isEqualTo(firsts);
			assertThat(client.steady().count()).isEqualTo((long) firsts * config.steadyPerHost());
			assertThat(client.first().p50()).as("no request beats the round trip").isGreaterThanOrEqualTo(rtt);
		}
		long poolFirst = result.client(Contender.POOL).first().p50();
		for (FirstResponseBenchmark.ClientResult peer : result.clients().subList(1, result.clients().size())) {
			assertThat(peer.first().p50()).as(peer.client() + " connects, shakes hands, then asks: 3 round trips")
				.isGreaterThanOrEqualTo(3 * rtt)
				.isGreaterThan(poolFirst);
		}
		assertThat(result.floor()).isGreaterThan(result.rtt());
		assertThat(FirstResponseBenchmark.markdown(config, results)).contains("| " + Contender.POOL + " |");
	}

	@Test
	void fullRunIsTheDocumentedOne() {
		FirstResponseBenchmark.Config full = FirstResponseBenchmark.Config.full();
		assertThat(full.rtts()).containsExactly(Duration.ofMillis(10), Duration.ofMillis(50));
		assertThat(full.hosts() * full.ipsPerHost()).isLessThanOrEqualTo(253);
	}

}
