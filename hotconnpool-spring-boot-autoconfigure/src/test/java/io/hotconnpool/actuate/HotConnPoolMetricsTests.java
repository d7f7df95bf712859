package io.hotconnpool.actuate;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.test.LoopbackTlsOrigins;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The meters over a real pool and real TLS origins: gauges follow the pool's state, events feed timers and
 * counters, and meters of vanished IPs, and all meters once the pool closes, leave the registry.
 */
class HotConnPoolMetricsTests {

	private static final Duration WITHIN = Duration.ofSeconds(15);

	private final MeterRegistry registry = new SimpleMeterRegistry();

	@AutoClose
	private LoopbackTlsOrigins origins;

	@AutoClose
	private HotConnPool pool;

	private HotConnPoolMetrics metrics;

	private void start(HotConnPoolConfig config, List<InetAddress> addresses) {
		this.metrics = new HotConnPoolMetrics(() -> this.pool);
		this.metrics.bindTo(this.registry);
		this.pool = HotConnPool.builder(config)
			.resolver((host) -> List.copyOf(addresses))
			.listener(this.metrics)
			.build();
		this.pool.start();
	}

	private void start() throws Exception {
		this.origins = LoopbackTlsOrigins.start(3);
		start(ActuatorTestApplication.config(this.origins), addresses(3));
	}

	private List<InetAddress> addresses(int count) {
		List<InetAddress> addresses = new CopyOnWriteArrayList<>();
		for (int i = 0; i < count; i++) {
			addresses.add(this.origins.origin(i).address());
		}
		return addresses;
	}

	private Search find(String name) {
		return this.registry.find(name).tag("host", this.origins.target());
	}

	private double gauge(String name, String... tags) {
		return find(name).tags(tags).gauge().value();
	}

	private double count(String name, String... tags) {
		return find(name).tags(tags).counters().stream().mapToDouble((counter) -> counter.count()).sum();
	}

	private List<Meter> poolMeters() {
		return this.registry.getMeters()
			.stream()
			.filter((meter) -> meter.getId().getName().startsWith("hotconnpool."))
			.toList();
	}

	@Test
	void gaugesTimersAndCountersFollowThePool() throws Exception {
		start();
		// Health probes reserve idle connections for a moment: wait for a snapshot that meets all six idle.
		await().atMost(WITHIN).until(() -> gauge("hotconnpool.connections", "state", "idle") == 6);
		assertThat(gauge("hotconnpool.connections", "state", "leased")).isZero();
		assertThat(gauge("hotconnpool.connections", "state", "warming")).isZero();
		assertThat(gauge("hotconnpool.acquires.pending")).isZero();
		assertThat(gauge("hotconnpool.ips.blacklisted")).isZero();
		assertThat(count("hotconnpool.handshakes")).isEqualTo(6);
		for (int i = 0; i < 3; i++) {
			String ip = this.origins.origin(i).ip();
			assertThat(find("hotconnpool.connection.connect").tag("ip", ip).timer().count()).isEqualTo(2);
			assertThat(find("hotconnpool.connection.handshake").tag("ip", ip).timer().count()).isEqualTo(2);
			assertThat(find("hotconnpool.probe").tags("ip", ip, "outcome", "healthy").timer().count())
				.isGreaterThanOrEqualTo(2);
		}

		assertThat(gauge("hotconnpool.streams.active")).isZero();
		try (Response response = this.pool
			.execute(new Request.Builder().url("https://" + this.origins.target() + "/").build())) {
			assertThat(response.code()).isEqualTo(200);
			// Gauges read a snapshot at most a second old.
			await().atMost(WITHIN).until(() -> gauge("hotconnpool.streams.active") == 1);
			assertThat(gauge("hotconnpool.connections", "state", "leased")).isEqualTo(1);
		}
		await().atMost(WITHIN).until(() -> gauge("hotconnpool.streams.active") == 0);

		assertThat(count("hotconnpool.requests", "outcome", "success", "hot", "true")).isEqualTo(1);
		assertThat(count("hotconnpool.requests", "outcome", "failure")).isZero();
		assertThat(count("hotconnpool.requests.hot")).isEqualTo(1);
		assertThat(find("hotconnpool.acquire").tag("outcome", "acquired").timer().count()).isEqualTo(1);
		Timer request = find("hotconnpool.request").tags("outcome", "success", "hot", "true").timer();
		assertThat(request.count()).isEqualTo(1);
		assertThat(request.totalTime(TimeUnit.NANOSECONDS)).isPositive();
		Timer held = find("hotconnpool.lease.held").timer();
		assertThat(held.count()).isEqualTo(1);
		assertThat(held.totalTime(TimeUnit.NANOSECONDS)).as("held at least while the request ran")
			.isGreaterThanOrEqualTo(request.totalTime(TimeUnit.NANOSECONDS));
		assertThat(gauge("hotconnpool.connections.max")).isEqualTo(this.pool.stats().hosts().get(0).maxConnections());
		assertThat(gauge("hotconnpool.connections.warm.target")).isEqualTo(6);
		assertThat(count("hotconnpool.acquire.timeouts")).isZero();
		assertThat(this.registry.get("hotconnpool.connections.dns.new").functionCounter().count()).isZero();
	}

	@Test
	void aBlacklistedIpCountsRetirementsAndShowsInTheGauge() throws Exception {
		start();
		assertThat(count("hotconnpool.connections.retired", "reason", "blacklisted")).isZero();

		this.origins.origin(1).answer(403);

		await().atMost(WITHIN).untilAsserted(() -> {
			assertThat(gauge("hotconnpool.ips.blacklisted")).isEqualTo(1);
			assertThat(count("hotconnpool.connections.retired", "reason", "blacklisted")).isEqualTo(2);
			assertThat(gauge("hotconnpool.connections", "state", "idle")).isEqualTo(4);
		});
		assertThat(find("hotconnpool.probe").tags("ip", this.origins.origin(1).ip(), "outcome", "unhealthy")
			.timer()
			.count()).isGreaterThanOrEqualTo(1);
	}

	@Test
	void metersOfAnIpThatLeftTheDnsAnswerAreRemoved() throws Exception {
		this.origins = LoopbackTlsOrigins.start(3);
		List<InetAddress> addresses = addresses(3);
		start(ActuatorTestApplication.config(this.origins,
				(config) -> config.setDnsUpdateInterval(Duration.ofMillis(200))), addresses);
		String gone = this.origins.origin(2).ip();
		assertThat(find("hotconnpool.connection.handshake").tag("ip", gone).timer()).isNotNull();

		addresses.remove(this.origins.origin(2).address());

		await().atMost(WITHIN).untilAsserted(() -> {
			assertThat(count("hotconnpool.connections.retired", "reason", "dns-removed")).isEqualTo(2);
			assertThat(gauge("hotconnpool.connections", "state", "idle")).isEqualTo(4); // reading gauges prunes
			assertThat(this.registry.find("hotconnpool.requests").tag("ip", gone).meters()).isEmpty();
			assertThat(this.registry.find("hotconnpool.connection.handshake").tag("ip", gone).meters()).isEmpty();
		});
		assertThat(find("hotconnpool.connection.handshake").tag("ip", this.origins.origin(0).ip()).timer())
			.isNotNull();
	}

	@Test
	void aFilterMergingIpsKeepsCountingWhenOneIpLeaves() throws Exception {
		this.registry.config().meterFilter(MeterFilter.ignoreTags("ip"));
		this.origins = LoopbackTlsOrigins.start(3);
		List<InetAddress> addresses = addresses(3);
		start(ActuatorTestApplication.config(this.origins,
				(config) -> config.setDnsUpdateInterval(Duration.ofMillis(200))), addresses);
		assertThat(find("hotconnpool.connection.handshake").timer().count()).isEqualTo(6);
		get(6);
		assertThat(count("hotconnpool.requests", "outcome", "success")).isEqualTo(6);

		addresses.remove(this.origins.origin(2).address());
		await().atMost(WITHIN).untilAsserted(() -> {
			assertThat(count("hotconnpool.connections.retired", "reason", "dns-removed")).isEqualTo(2);
			assertThat(gauge("hotconnpool.connections", "state", "idle")).isEqualTo(4); // reading gauges prunes
		});
		get(4);

		assertThat(count("hotconnpool.requests", "outcome", "success")).as("the other IPs' requests, all of them")
			.isEqualTo(10);
		assertThat(find("hotconnpool.connection.handshake").timer().count()).as("the warm-up's, all still counted")
			.isEqualTo(6);
	}

	@Test
	void withoutTheIpTagMetersArePerHost() throws Exception {
		this.origins = LoopbackTlsOrigins.start(2);
		this.metrics = new HotConnPoolMetrics(() -> this.pool, false);
		this.metrics.bindTo(this.registry);
		this.pool = HotConnPool.builder(ActuatorTestApplication.config(this.origins))
			.resolver(this.origins.resolver())
			.listener(this.metrics)
			.build();
		this.pool.start();
		get(4);

		assertThat(this.registry.find("hotconnpool.requests").tagKeys("ip").meters()).isEmpty();
		assertThat(count("hotconnpool.requests", "outcome", "success")).isEqualTo(4);
		assertThat(find("hotconnpool.connection.handshake").timers()).singleElement()
			.satisfies((timer) -> assertThat(timer.count()).isEqualTo(4));
	}

	private void get(int requests) throws IOException {
		for (int i = 0; i < requests; i++) {
			try (Response response = this.pool
				.execute(new Request.Builder().url("https://" + this.origins.target() + "/").build())) {
				assertThat(response.code()).isEqualTo(200);
			}
		}
	}

	@Test
	void allMetersLeaveWhenThePoolCloses() throws Exception {
		start();
		assertThat(poolMeters()).isNotEmpty();

		this.pool.close();
		this.registry.get("hotconnpool.connections.dns.new").functionCounter().count(); // a scrape

		assertThat(poolMeters()).isEmpty();
	}

	@Test
	void closingTheBeanRemovesAllMeters() throws Exception {
		start();
		assertThat(poolMeters()).isNotEmpty();

		this.metrics.close();

		assertThat(poolMeters()).isEmpty();
		get(1);
		assertThat(poolMeters()).as("events after close register nothing").isEmpty();
	}

	@Test
	void aPoolStoppedAndStartedAgainFeedsItsMetersAgain() throws Exception {
		start();
		get(1);
		this.pool.stop();
		assertThat(this.registry.find("hotconnpool.connections.dns.new").functionCounter()).isNotNull();

		this.pool.start();

		await().atMost(WITHIN).until(() -> gauge("hotconnpool.connections", "state", "idle") == 6);
		double before = count("hotconnpool.requests.hot");
		get(1);
		assertThat(count("hotconnpool.requests.hot")).isEqualTo(before + 1);
		assertThat(count("hotconnpool.requests", "outcome", "success", "hot", "true")).isGreaterThanOrEqualTo(1);
	}

}
