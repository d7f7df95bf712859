package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.hotconnpool.fleet.FleetProperties;
import io.hotconnpool.fleet.FleetStatus;
import io.hotconnpool.fleet.RedisFleet;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolListener;
import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.pool.HostConfig;
import io.hotconnpool.pool.TlsMaterial;
import io.hotconnpool.test.LoopbackRedis;
import io.hotconnpool.test.TestTls;
import io.hotconnpool.test.TlsOrigins;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import okhttp3.Protocol;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Fleet propagation over a real {@code redis-server} on loopback: two pools, each with its {@link RedisFleet} and
 * its own Lettuce client, in one JVM, serving one TLS origin. Instance A reports a blacklisting as its pool does
 * (the listener call, on the calling thread); the time runs until instance B's pool has applied it (B's listener
 * event); then A reports the IP restored and B restores it. One blacklisting at a time, so that each is measured
 * alone. Also measured: the cost of the report on A's thread, and the Redis round trip ({@code PING}) of a
 * separate connection, to which the bound (one round trip + 10 ms) refers.
 */
public final class FleetBenchmark {

	private static final String HOST = "fleet.bench.test";

	private FleetBenchmark() {
	}

	/**
	 * @param warmUpEvents untimed events first, for a host no pool serves, in bursts (class loading and JIT of both
	 * paths: the report and the apply)
	 * @param warmUp untimed blacklistings then, measured as the timed ones
	 * @param rounds timed blacklistings
	 * @param pings round trips measured
	 */
	public record Config(int warmUpEvents, int warmUp, int rounds, int pings) {

		/** The documented full run. */
		public static Config full() {
			return new Config(30_000, 200, 2000, 2000);
		}

		/** Seconds, for the build. */
		public static Config smoke() {
			return new Config(500, 20, 50, 50);
		}

	}

	/**
	 * @param propagation from A's report to B's pool having applied it
	 * @param cost the report's time on A's thread
	 * @param roundTrip Redis {@code PING} round trips
	 * @param lost blacklistings B did not apply within 5 s
	 * @param a instance A's fleet counters at the end
	 * @param b instance B's
	 */
	public record Result(Latencies propagation, Latencies cost, Latencies roundTrip, int lost, FleetStatus a,
			FleetStatus b) {
	}

	/** Why the benchmark cannot run here, if it cannot. */
	public static Optional<String> unavailable() {
		return LoopbackRedis.executable().isPresent() ? Optional.empty()
				: Optional.of("no redis-server on the PATH (Debian package redis-server) nor named by"
						+ " HOTCONNPOOL_REDIS_SERVER: the fleet benchmark needs one");
	}

	/**
	 * Runs it.
	 * @param config the sizes
	 * @return the numbers
	 * @throws IOException when redis-server or the origin cannot start
	 * @throws InterruptedException when interrupted
	 * @throws IllegalStateException when there is no redis-server ({@link #unavailable()})
	 */
	public static Result run(Config config) throws IOException, InterruptedException {
		TestTls tls = TestTls.create(List.of(HOST), List.of());
		InetAddress loopback = InetAddress.getByName("127.0.0.1");
		try (LoopbackRedis redis = LoopbackRedis.start(LoopbackRedis.executable()
			.orElseThrow(() -> new IllegalStateException(unavailable().orElseThrow())));
				TlsOrigins origin = TlsOrigins.serve(tls, List.of(loopback),
						List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
				Instance a = new Instance("a", redis, tls, origin);
				Instance b = new Instance("b", redis, tls, origin)) {
			String host = HOST + ":" + origin.socketAddress().getPort();
			String ip = loopback.getHostAddress();
			Latencies propagation = new Latencies();
			Latencies cost = new Latencies();
			warmUp(a, b, config.warmUpEvents());
			int lost = 0;
			for (int i = 0; i < config.warmUp() + config.rounds(); i++) {
				long start = System.nanoTime();
				a.fleet.ipBlacklisted(host, ip, "benchmark", Instant.now().plusSeconds(60), null);
				long reported = System.nanoTime();
				Long applied = b.arrivals.blacklisted.poll(5, TimeUnit.SECONDS);
				a.fleet.ipRestored(host, ip, null);
				if (b.arrivals.restored.poll(5, TimeUnit.SECONDS) == null || applied == null) {
					lost++;
				}
				else if (i >= config.warmUp()) {
					cost.record(reported - start);
					propagation.record(applied - start);
				}
			}
			return new Result(propagation, cost, roundTrips(redis, config.pings()), lost, a.fleet.status(),
					b.fleet.status());
		}
	}

	/** Bursts of events for a host no pool serves, each burst received before the next (a bounded wait). */
	private static void warmUp(Instance a, Instance b, int events) {
		int burst = 100; // well below queue-capacity, and answered within the driver's timeout on a busy machine
		for (int sent = 0; sent < events; sent += burst) {
			for (int i = 0; i < burst; i++) {
				a.fleet.ipBlacklisted("warm-up.bench.test:443", "127.0.0.9", "warm-up", Instant.now().plusSeconds(1),
						null);
			}
			long expected = sent + burst;
			long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
			while (b.fleet.status().received() < expected) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("warm-up events not received: " + b.fleet.status());
				}
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // a bounded poll of B's counter
			}
		}
	}

	private static Latencies roundTrips(LoopbackRedis redis, int pings) {
		RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redis.port()));
		try (var connection = client.connect()) {
			RedisCommands<String, String> commands = connection.sync();
			Latencies roundTrip = new Latencies();
			for (int i = 0; i < pings; i++) {
				long start = System.nanoTime();
				commands.ping();
				roundTrip.record(System.nanoTime() - start);
			}
			return roundTrip;
		}
		finally {
			client.shutdown();
		}
	}

	/** The result as Markdown. */
	public static String markdown(Config config, Result result) {
		double bound = result.roundTrip().p50() / 1e6 + 10;
		StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
				"%d blacklistings after %d untimed (and %d warm-up events), one at a time; Redis round trip (PING)"
						+ " %s.%n%n",
				config.rounds(), config.warmUp(), config.warmUpEvents(), result.roundTrip().inMillis()));
		out.append("| | p50 | p99 | max |\n|---|---|---|---|\n");
		row(out, "propagation: A reports, B's pool has applied it", result.propagation(), 1e6, "ms");
		row(out, "cost of the report on A's thread", result.cost(), 1e3, "µs");
		out.append(String.format(Locale.ROOT,
				"%nBound (one round trip + 10 ms = %.1f ms): p50 %s, p99 %s. Lost: %d. A published %d, B received"
						+ " %d; Redis failures A %d, B %d; dropped A %d.%n",
				bound, met(result.propagation().p50(), bound), met(result.propagation().p99(), bound), result.lost(),
				result.a().published(), result.b().received(), result.a().failed(), result.b().failed(),
				result.a().dropped()));
		return out.toString();
	}

	private static void row(StringBuilder out, String what, Latencies latencies, double unit, String name) {
		out.append(String.format(Locale.ROOT, "| %s | %.2f %s | %.2f %s | %.2f %s |%n", what, latencies.p50() / unit,
				name, latencies.p99() / unit, name, latencies.max() / unit, name));
	}

	private static String met(long nanos, double boundMillis) {
		return (nanos / 1e6 <= boundMillis) ? "met" : "missed";
	}

	/** A pool with its fleet link and its own Lettuce client, started and linked. */
	private static final class Instance implements AutoCloseable {

		final LettuceConnectionFactory redis;

		final HotConnPool pool;

		final RedisFleet fleet;

		final Arrivals arrivals = new Arrivals();

		Instance(String id, LoopbackRedis server, TestTls tls, TlsOrigins origin) {
			this.redis = server.connectionFactory(Duration.ofMillis(500));
			FleetProperties properties = new Binder(new MapConfigurationPropertySource(
					Map.of("hotconnpool.fleet.prefix", "bench", "hotconnpool.fleet.instance-id", id)))
				.bindOrCreate("hotconnpool.fleet", FleetProperties.class);
			AtomicReference<HotConnPool> pool = new AtomicReference<>();
			this.fleet = new RedisFleet(pool::get, () -> pool.get().config().getLifecyclePhase(), this.redis,
					properties);
			HotConnPoolConfig config = new HotConnPoolConfig();
			config.getTls().useMaterial(new TlsMaterial(tls.trustStore(), null));
			config.getTls().setSelfTest(false);
			HostConfig host = config.addHost(HOST + ":" + origin.socketAddress().getPort());
			host.setAddresses(List.of(origin.socketAddress().getAddress().getHostAddress()));
			host.setDnsEnabled(false);
			host.setConnectionsPerIp(1);
			pool.set(HotConnPool.builder(config)
				.listener(this.fleet)
				.listener(this.arrivals)
				.reprobeGate(this.fleet)
				.build());
			this.pool = pool.get();
			this.pool.start();
			this.fleet.start();
			long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
			while (this.fleet.status().link() != FleetStatus.Link.UP) {
				if (System.nanoTime() > deadline) {
					close();
					throw new IllegalStateException("fleet " + id + " did not link up: " + this.fleet.status());
				}
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // a bounded poll of the link's state
			}
		}

		@Override
		public void close() {
			this.fleet.stop();
			this.pool.close();
			this.redis.destroy();
		}

	}

	/** When B's pool applied what the fleet reported (its listener events, on the Redis driver's thread). */
	private static final class Arrivals implements HotConnPoolListener {

		final BlockingQueue<Long> blacklisted = new LinkedBlockingQueue<>();

		final BlockingQueue<Long> restored = new LinkedBlockingQueue<>();

		@Override
		public void ipBlacklisted(String host, String ip, String reason, Instant until, String source) {
			if (source != null) {
				this.blacklisted.add(System.nanoTime());
			}
		}

		@Override
		public void ipRestored(String host, String ip, String source) {
			if (source != null) {
				this.restored.add(System.nanoTime());
			}
		}

	}

}
