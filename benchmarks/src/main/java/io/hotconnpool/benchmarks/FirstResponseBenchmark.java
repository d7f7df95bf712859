package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.hotconnpool.pool.PoolStats;
import okhttp3.Protocol;

/**
 * Time to the first response, and steady state after it, under a network round-trip time: K hosts × M IPs, each
 * IP its own proxied address. Every client starts afresh in every round (the pool is started, hence warm, before
 * its first request is timed); each round times one first request per host, then {@code steadyPerHost} requests
 * per host, round robin. The clients take turns in a rotating order, and a discarded round first loads and
 * compiles every code path.
 * <p>
 * The floor of a request is one round trip plus the server time: everything else a request costs here (server,
 * client and proxy work), measured before and after the rounds as the median of warm requests on the pool's engine
 * through the same proxy code with no delay; the lower of the two counts.
 */
public final class FirstResponseBenchmark {

	private FirstResponseBenchmark() {
	}

	/**
	 * @param hosts K
	 * @param ipsPerHost M
	 * @param slotsPerIp the pool's warm connections per IP
	 * @param rtts the round-trip times, one run each
	 * @param rounds timed rounds
	 * @param steadyPerHost steady-state requests per host and round
	 * @param baselineRequests requests that measure the server time
	 */
	public record Config(int hosts, int ipsPerHost, int slotsPerIp, List<Duration> rtts, int rounds,
			int steadyPerHost, int baselineRequests) {

		/** The documented full run. */
		public static Config full() {
			return new Config(4, 4, 2, List.of(Duration.ofMillis(10), Duration.ofMillis(50)), 10, 10, 200);
		}

		/** Seconds, for the build. */
		public static Config smoke() {
			return new Config(2, 2, 1, List.of(Duration.ofMillis(10)), 1, 3, 20);
		}

	}

	/**
	 * One client's numbers.
	 * @param client the client
	 * @param first first requests, one per host and round
	 * @param steady the requests after them
	 * @param failures requests that failed or did not answer 200
	 */
	public record ClientResult(String client, Latencies first, Latencies steady, long failures) {
	}

	/**
	 * One round-trip time's numbers.
	 * @param rtt the round-trip time
	 * @param serverNanos the median warm request through a proxy without delay
	 * @param clients per client, the pool first
	 * @param poolFirstRequests the pool's timed first requests
	 * @param poolHandshakesDuringFirst TLS handshakes the pool made while they ran (0: all warm)
	 * @param poolHotHitsDuringFirst of them, requests served on a warm connection
	 */
	public record Result(Duration rtt, long serverNanos, List<ClientResult> clients, long poolFirstRequests,
			long poolHandshakesDuringFirst, long poolHotHitsDuringFirst) {

		/** One round trip plus the server time. */
		public Duration floor() {
			return this.rtt.plusNanos(this.serverNanos);
		}

		public ClientResult client(String name) {
			return this.clients.stream().filter((c) -> c.client().equals(name)).findFirst().orElseThrow();
		}

	}

	/**
	 * Runs every round-trip time.
	 * @param config the sizes
	 * @return one result per round-trip time
	 * @throws IOException when the set-up cannot start
	 */
	public static List<Result> run(Config config) throws IOException {
		List<Result> results = new ArrayList<>();
		for (Duration rtt : config.rtts()) {
			try (ProxiedOrigins env = ProxiedOrigins.start(config.hosts(), config.ipsPerHost(), rtt,
					List.of(Protocol.HTTP_2, Protocol.HTTP_1_1))) {
				results.add(run(config, env));
			}
		}
		return results;
	}

	private static Result run(Config config, ProxiedOrigins env) throws IOException {
		long serverBefore = serverTime(env, config.baselineRequests());
		List<Contender> contenders = Contender.all(config.slotsPerIp(), (settings) -> {
		});
		Map<String, Tally> tallies = new LinkedHashMap<>();
		contenders.forEach((c) -> tallies.put(c.name(), new Tally()));
		Tally poolFirst = new Tally();
		// Round -1 is discarded: it loads and compiles every client's code.
		for (int round = -1; round < config.rounds(); round++) {
			boolean timed = round >= 0;
			for (int i = 0; i < contenders.size(); i++) {
				Contender contender = contenders.get(Math.floorMod(round + i, contenders.size()));
				round(contender, env, config, timed ? tallies.get(contender.name()) : new Tally(),
						timed ? poolFirst : new Tally());
			}
		}
		List<ClientResult> clients = tallies.entrySet()
			.stream()
			.map((e) -> new ClientResult(e.getKey(), e.getValue().first, e.getValue().steady, e.getValue().failures))
			.toList();
		// The lower of two baselines: a busy moment must not lower the bar.
		long serverNanos = Math.min(serverBefore, serverTime(env, config.baselineRequests()));
		return new Result(env.proxy().oneWayDelay().multipliedBy(2), serverNanos, clients, poolFirst.requests,
				poolFirst.handshakes, poolFirst.hotHits);
	}

	/** One fresh client: a first request per host, then steady state. */
	private static void round(Contender contender, ProxiedOrigins env, Config config, Tally into, Tally poolFirst) {
		try (HttpPeer peer = contender.start().apply(env)) {
			PoolStats before = (peer instanceof PoolPeer p) ? p.pool().stats() : null;
			for (Target target : env.targets()) {
				into.failures += timed(peer, target, into.first);
			}
			if (peer instanceof PoolPeer p) {
				PoolStats after = p.pool().stats();
				poolFirst.requests += env.targets().size();
				poolFirst.handshakes += after.handshakes() - before.handshakes();
				poolFirst.hotHits += after.hotHits() - before.hotHits();
			}
			for (int i = 0; i < config.steadyPerHost(); i++) {
				for (Target target : env.targets()) {
					into.failures += timed(peer, target, into.steady);
				}
			}
		}
	}

	private static int timed(HttpPeer peer, Target target, Latencies into) {
		long start = System.nanoTime();
		try {
			int status = peer.get(target);
			into.record(System.nanoTime() - start);
			return (status == 200) ? 0 : 1;
		}
		catch (IOException ex) {
			return 1;
		}
	}

	/** The median warm request on the pool's engine through a proxy without delay: a request's cost but the RTT. */
	static long serverTime(ProxiedOrigins env, int requests) throws IOException {
		List<Target> direct = env.baselineTargets();
		try (HttpPeer engine = Peers.rawEngine(env.tls(), direct, List.of(Protocol.HTTP_2, Protocol.HTTP_1_1),
				direct.size())) {
			for (Target target : direct) {
				engine.get(target);
			}
			Latencies latencies = new Latencies();
			for (int i = 0; i < requests; i++) {
				if (timed(engine, direct.get(i % direct.size()), latencies) != 0) {
					throw new IOException("The origin failed a baseline request");
				}
			}
			return latencies.p50();
		}
	}

	/** A client's running totals; for the pool's first requests, also its counters. */
	private static final class Tally {

		final Latencies first = new Latencies();

		final Latencies steady = new Latencies();

		long failures;

		long requests;

		long handshakes;

		long hotHits;

	}

	/** The results as Markdown: p50 / p99 / max as multiples of the round trip. */
	public static String markdown(Config config, List<Result> results) {
		StringBuilder out = new StringBuilder();
		out.append(String.format(Locale.ROOT, "%d hosts × %d IPs, pool %d slots per IP, %d rounds, %d steady "
				+ "requests per host and round; p50 / p99 / max in RTTs%n%n", config.hosts(), config.ipsPerHost(),
				config.slotsPerIp(), config.rounds(), config.steadyPerHost()));
		for (Result result : results) {
			Duration rtt = result.rtt();
			double floor = result.floor().toNanos() / (double) rtt.toNanos();
			ClientResult pool = result.client(Contender.POOL);
			out.append(String.format(Locale.ROOT, "RTT %d ms: floor %.2f RTT (server time %.2f ms); pool first "
					+ "request p50 = %.2f × floor; pool handshakes during %d first requests: %d, hot hits: %d%n%n",
					rtt.toMillis(), floor, result.serverNanos() / 1e6, pool.first().p50() / (double) result.floor().toNanos(),
					result.poolFirstRequests(), result.poolHandshakesDuringFirst(), result.poolHotHitsDuringFirst()));
			out.append("| client | first request | steady state | failures |\n|---|---|---|---|\n");
			for (ClientResult client : result.clients()) {
				out.append(String.format(Locale.ROOT, "| %s | %s | %s | %d |%n", client.client(),
						client.first().inUnits(rtt), client.steady().inUnits(rtt), client.failures()));
			}
			out.append('\n');
		}
		return out.toString();
	}

}
