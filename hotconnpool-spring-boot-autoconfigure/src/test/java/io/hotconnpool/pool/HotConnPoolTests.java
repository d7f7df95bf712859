package io.hotconnpool.pool;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.hotconnpool.test.LoopbackTlsOrigins;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Warm-up and spread over real TLS origins on three loopback IPs, for HTTP/2 and HTTP/1.1.
 */
class HotConnPoolTests {

	@AutoClose
	private LoopbackTlsOrigins origins;

	@AutoClose
	private HotConnPool pool;

	private void startPool(Protocol protocol) throws IOException {
		this.origins = LoopbackTlsOrigins.start(3, List.of(protocol, Protocol.HTTP_1_1));
		this.pool = this.origins.pool(this.origins.config((host) -> host.setConnectionsPerIp(2)));
		this.pool.start();
	}

	private Request get(String path) {
		return new Request.Builder().url("https://" + this.origins.target() + path).build();
	}

	@ParameterizedTest
	@EnumSource(value = Protocol.class, names = { "HTTP_2", "HTTP_1_1" })
	void startWarmsEverySlotOfEveryIpWithAValidatedConnection(Protocol protocol) throws IOException {
		startPool(protocol);

		PoolStats stats = this.pool.stats();
		assertThat(stats.idleConnections()).isEqualTo(6);
		assertThat(stats.healthyConnections()).isEqualTo(6);
		assertThat(stats.warmingConnections()).isZero();
		assertThat(stats.handshakes()).isEqualTo(6);
		assertThat(stats.hosts().get(0).connections()).allSatisfy((connection) -> {
			assertThat(connection.protocol()).isEqualTo(protocol.toString());
			assertThat(connection.healthy()).isTrue();
		});
		for (LoopbackTlsOrigins.Origin origin : this.origins.all()) {
			assertThat(origin.connections()).as("connections opened to %s", origin.ip()).isEqualTo(2);
			RecordedProbe probe = RecordedProbe.take(origin);
			assertThat(probe.method()).isEqualTo("HEAD");
			assertThat(probe.serverNames()).as("SNI keeps the host name on a pinned IP").contains(LoopbackTlsOrigins.HOST);
		}
	}

	@ParameterizedTest
	@EnumSource(value = Protocol.class, names = { "HTTP_2", "HTTP_1_1" })
	void firstRequestAfterStartPerformsNoHandshake(Protocol protocol) throws Exception {
		startPool(protocol);
		int serverConnectionsBefore = this.origins.connections();
		long handshakesBefore = this.pool.stats().handshakes();

		try (Lease connection = this.pool.acquire(LoopbackTlsOrigins.HOST + ":" + this.origins.port());
				Response response = connection.execute(get("/first"))) {
			assertThat(response.code()).isEqualTo(200);
			assertThat(response.body().string()).isEqualTo("hot");
		}

		assertThat(this.origins.connections()).isEqualTo(serverConnectionsBefore);
		assertThat(this.pool.stats().handshakes()).isEqualTo(handshakesBefore);
		assertThat(this.pool.stats().hotHits()).isEqualTo(1);
	}

	/**
	 * The selection policy (it replaced a least-recently-used rotation, which left every connection idle for the
	 * number of connections times the gap between requests): one caller at a time keeps the most recently used
	 * connection busy; concurrent leases spread over every IP.
	 */
	@ParameterizedTest
	@EnumSource(value = Protocol.class, names = { "HTTP_2", "HTTP_1_1" })
	void sequentialRequestsStayOnTheMostRecentlyUsedConnectionAndConcurrentLeasesSpreadOverEveryIp(Protocol protocol)
			throws Exception {
		startPool(protocol);
		Map<Long, Integer> byConnection = new HashMap<>();

		for (int i = 0; i < 30; i++) {
			try (Lease connection = this.pool.acquire(this.origins.target());
					Response response = connection.execute(get("/sequential"))) {
				assertThat(response.code()).isEqualTo(200);
				byConnection.merge(connection.stats().id(), 1, Integer::sum);
			}
		}
		assertThat(byConnection).as("one connection carries the traffic; retired: %s",
				this.pool.stats().retiredByReason()).hasSize(1);

		List<Lease> leases = new ArrayList<>();
		try {
			for (int i = 0; i < 6; i++) {
				leases.add(this.pool.acquire(this.origins.target()));
			}
			for (Lease lease : leases) {
				try (Response response = lease.execute(get("/concurrent"))) {
					assertThat(response.code()).isEqualTo(200);
				}
			}
			Map<String, Long> byIp = leases.stream()
				.collect(Collectors.groupingBy((lease) -> lease.ip().getHostAddress(), Collectors.counting()));
			assertThat(byIp).as("six concurrent leases, two on each IP")
				.containsOnlyKeys("127.0.0.2", "127.0.0.3", "127.0.0.4")
				.allSatisfy((ip, count) -> assertThat(count).isEqualTo(2));
		}
		finally {
			leases.forEach(Lease::close);
		}
		assertThat(this.origins.all().stream().collect(Collectors.toMap(LoopbackTlsOrigins.Origin::ip,
				LoopbackTlsOrigins.Origin::connections)))
			.as("no request needed a new connection")
			.allSatisfy((ip, connections) -> assertThat(connections).isEqualTo(2));
		assertThat(this.pool.stats().hotHits()).isEqualTo(36);
	}

	@ParameterizedTest
	@EnumSource(value = Protocol.class, names = { "HTTP_2", "HTTP_1_1" })
	void poolExecuteReleasesTheLeaseWhenTheBodyIsClosed(Protocol protocol) throws Exception {
		startPool(protocol);

		Response response = this.pool.execute(get("/convenience"));
		assertThat(this.pool.stats().activeConnections()).isEqualTo(1);
		assertThat(response.body().string()).isEqualTo("hot");

		assertThat(this.pool.stats().activeConnections()).isZero();
		assertThat(this.pool.stats().idleConnections()).isEqualTo(6);
		assertThat(this.pool.stats().totalRequests()).isEqualTo(1);
	}

	/** What an origin saw of the warm-up probe. */
	record RecordedProbe(String method, List<String> serverNames) {

		static RecordedProbe take(LoopbackTlsOrigins.Origin origin) {
			try {
				mockwebserver3.RecordedRequest request = origin.takeRequest(Duration.ofSeconds(5));
				assertThat(request).as("probe recorded by %s", origin.ip()).isNotNull();
				return new RecordedProbe(request.getMethod(), request.getHandshakeServerNames());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new AssertionError(ex);
			}
		}

	}

	static Duration seconds(long seconds) {
		return Duration.ofSeconds(seconds);
	}

}
