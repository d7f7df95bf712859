package io.hotconnpool.benchmarks;

import java.time.Duration;
import java.util.List;

import io.hotconnpool.test.LoopbackRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every end-to-end benchmark once, at its smoke size, through the same code as the documented run: each result must
 * be physically possible (no request beats the round trip), complete (every scheduled request counted) and reach the
 * markdown report. Speed itself is measured by the benchmarks, not here.
 */
@Timeout(60)
class BenchmarkSmokeTests {

	@Test
	void churnSendsEveryScheduledRequestWhileConnectionsAreClosedAndThePoolRewarms() throws Exception {
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

	@Test
	void firstResponseTimesEveryClientAndThePoolsFirstRequestsFindWarmConnections() throws Exception {
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
	void firstResponseFullRunIsTheDocumentedOne() {
		FirstResponseBenchmark.Config full = FirstResponseBenchmark.Config.full();
		assertThat(full.rtts()).containsExactly(Duration.ofMillis(10), Duration.ofMillis(50));
		assertThat(full.hosts() * full.ipsPerHost()).isLessThanOrEqualTo(253);
	}

	@Test
	void scaleWarmsThePoolAgainstAnOriginProcessAndTimesATick() throws Exception {
		ScaleBenchmark.Config config = ScaleBenchmark.Config.smoke();
		List<ScaleBenchmark.Result> results = ScaleBenchmark.run(config);

		ScaleBenchmark.Result result = only(results);
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

	@Test
	void throughputCountsRequestsOfBothClientsWithoutFailures() throws Exception {
		ThroughputBenchmark.Config config = ThroughputBenchmark.Config.smoke();
		List<ThroughputBenchmark.Result> results = ThroughputBenchmark.run(config);

		ThroughputBenchmark.Result result = only(results);
		assertThat(result.protocol()).isEqualTo("h2");
		assertThat(result.poolPerSecond()).isPositive();
		assertThat(result.enginePerSecond()).isPositive();
		assertThat(result.failures()).isZero();
		assertThat(ThroughputBenchmark.markdown(config, results)).contains("| h2 |");
	}

	@Test
	void tlsEngineMeasuresEveryEngineOverHttp2() throws Exception {
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

	@Test
	void sweepMeasuresEveryClientOnItsRowsProtocolWithinPhysicalBounds() throws Exception {
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
	void sweepFullRunIsTheDocumentedOne() {
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

	@Test
	void smokeRunPropagatesEveryBlacklistingThroughRedis() throws Exception {
		LoopbackRedis.assumeAvailable();
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

	private static <R> R only(List<R> results) {
		assertThat(results).hasSize(1);
		return results.get(0);
	}

}
