package io.hotconnpool.pool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.hotconnpool.test.LoopbackProxy;
import io.hotconnpool.test.LoopbackTlsOrigins;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * An idempotent request whose connection fails is retried once on a connection known alive: one that answered a
 * probe just before the retry (an idle HTTP/1.1 one first read for a close), to another IP where one is idle.
 * Retries are counted by outcome. HTTP/1.1 over proxies that drop idle connections silently, with the alive-bypass
 * window set to an hour so that the first attempt trusts its dead connection, as it does when a server closes it just
 * after the check.
 * <p>
 * Known alive takes a round trip: servers that reap idle connections close them at their end, and the closes take a
 * while to reach the client, during which no check without one can tell (HTTP/2's reader, HTTP/1.1's read) and a
 * request sent is lost. Proxies with a one-way delay model that window: 20 ms in front of the IP the first attempt
 * takes, 250 ms in front of the other; both servers reap at once, the first attempt fails when its close arrives, and
 * its retry goes to the other IP, whose close is 230 ms further away.
 */
class RetryOnFreshConnectionTests {

	private static final List<String> PROXIES = List.of("127.0.0.22", "127.0.0.23", "127.0.0.24");

	/** The reaping case's one-way delays, in front of the first attempt's IP and the other. */
	private static final List<Duration> ONE_WAY_DELAYS = List.of(Duration.ofMillis(20), Duration.ofMillis(250));

	private LoopbackTlsOrigins origins;

	private final List<LoopbackProxy> proxies = new ArrayList<>();

	private HotConnPool pool;

	private void start(int ips) throws IOException {
		this.origins = LoopbackTlsOrigins.start(ips, List.of(Protocol.HTTP_1_1));
		for (int i = 0; i < ips; i++) {
			this.proxies.add(new LoopbackProxy(InetAddress.getByName(PROXIES.get(i)), this.origins.port(),
					new InetSocketAddress(this.origins.origin(i).address(), this.origins.port())));
		}
		List<InetAddress> addresses = this.proxies.stream().map(LoopbackProxy::address).toList();
		this.pool = HotConnPool.builder(this.origins.config((host) -> host.setConnectionsPerIp(1),
				(config) -> config.getKeepAlive().setAliveBypassWindow(Duration.ofHours(1))))
			.resolver((name) -> addresses).build();
		this.pool.start();
	}

	@AfterEach
	void tearDown() throws IOException {
		if (this.pool != null) {
			this.pool.close();
		}
		for (LoopbackProxy proxy : this.proxies) {
			proxy.close();
		}
		if (this.origins != null) {
			this.origins.close();
		}
	}

	@Test
	void theRetryTakesAConnectionToAnotherIpCheckedAliveNotOneIdleJustAsLong() throws Exception {
		start(3);
		int mostRecent = usedLast();
		this.proxies.get(mostRecent).dropAll(); // the connection the next request takes is dead, and the pool trusts it

		try (Response response = this.pool.execute(get())) {
			assertThat(response.body().string()).isEqualTo("hot");
		}

		PoolStats stats = this.pool.stats();
		assertThat(stats.retries()).isEqualTo(1);
		assertThat(stats.retriesSucceeded()).isEqualTo(1);
		assertThat(stats.retriesFailed()).isZero();
		assertThat(gets(this.origins.origin(mostRecent))).as("the earlier request only: the retry went elsewhere")
			.isEqualTo(1);
		assertThat(stats.handshakes()).as("the retry ran on a warm connection: no handshake but the warm-up and"
				+ " the dead connection's replacement").isLessThanOrEqualTo(4);
	}

	@Test
	void whenEveryIdleConnectionIsDeadTheRetryFindsThemClosedAndRunsOnANewOne() throws Exception {
		start(3);
		usedLast();
		this.proxies.forEach(LoopbackProxy::dropAll); // every idle connection dead, HTTP/1.1 unaware

		try (Response response = this.pool.execute(get())) {
			assertThat(response.body().string()).isEqualTo("hot");
		}

		PoolStats stats = this.pool.stats();
		assertThat(stats.retries()).isEqualTo(1);
		assertThat(stats.retriesSucceeded()).isEqualTo(1);
		assertThat(stats.retiredByReason().get(RetireReason.BROKEN)).as("the failed one and the two checked dead")
			.isEqualTo(3);
	}

	@Test
	void aRetryThatFailsTooIsCountedFailedAndItsCallerGetsTheError() throws Exception {
		start(2);
		this.origins.all()
			.forEach((origin) -> origin.answer((request) -> request.getUrl().encodedPath().equals("/cut")
					? new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build()
					: LoopbackTlsOrigins.Origin.ok(request)));

		assertThatExceptionOfType(IOException.class).isThrownBy(() -> this.pool
			.execute(new Request.Builder().url(this.origins.url("/cut")).build())
			.close()).satisfies((ex) -> assertThat(ex.getSuppressed()).as("the first attempt's failure").isNotEmpty());

		PoolStats stats = this.pool.stats();
		assertThat(stats.retries()).isEqualTo(1);
		assertThat(stats.retriesSucceeded()).isZero();
		assertThat(stats.retriesFailed()).isEqualTo(1);
	}

	@ParameterizedTest
	@EnumSource(value = Protocol.class, names = { "HTTP_1_1", "HTTP_2" })
	void aRetryNeverRunsOnAConnectionWhoseServerReapedItWhileTheCloseIsOnItsWay(Protocol protocol) throws Exception {
		this.origins = LoopbackTlsOrigins.start(2, List.of(protocol, Protocol.HTTP_1_1));
		List<InetAddress> addresses = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			LoopbackProxy proxy = LoopbackProxy.start(ONE_WAY_DELAYS.get(i));
			this.proxies.add(proxy);
			InetSocketAddress front = new InetSocketAddress(InetAddress.getByName(PROXIES.get(i)), this.origins.port());
			InetSocketAddress origin = new InetSocketAddress(this.origins.origin(i).address(), this.origins.port());
			addresses.add(proxy.listen(front, origin).getAddress());
		}
		this.pool = HotConnPool.builder(this.origins.config((host) -> host.setConnectionsPerIp(1)))
			.resolver((name) -> addresses)
			.build();
		this.pool.start();
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(this.pool.stats().hosts().get(0).connections()).as("both warm")
				.hasSize(2)
				.allSatisfy((connection) -> assertThat(connection.protocol()).isEqualTo(protocol.toString()))
				.allSatisfy((connection) -> assertThat(connection.state()).isEqualTo(ConnectionState.IDLE)));
		useLast(PROXIES.get(0)); // the next request of this thread goes to the 20 ms proxy first

		for (LoopbackProxy proxy : List.of(this.proxies.get(1), this.proxies.get(0))) {
			// each reaps its connection once nothing is in flight on it; the 20 ms one last, just before the request
			await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(5))
				.until(() -> proxy.closeIdle(Duration.ZERO) == 1);
		}
		String answer;
		try (Response response = this.pool.execute(get())) {
			answer = response.body().string();
		}
		catch (IOException ex) {
			answer = ex.toString();
		}

		PoolStats stats = this.pool.stats();
		Reliability.report(
				"servers reap idle connections while a request goes out, the closes still on their way, " + protocol,
				"caller got " + answer + "; " + stats.retries() + " retries (" + stats.retriesSucceeded()
						+ " succeeded)");
		assertThat(stats.retries()).as("the first attempt met the reaped connection").isEqualTo(1);
		assertThat(answer).as("what the caller got").isEqualTo("hot");
		assertThat(stats.retriesSucceeded()).isEqualTo(1);
	}

	/** Runs one request, and returns the index of the origin it reached: its connection is now used most recently. */
	private int usedLast() throws IOException, InterruptedException {
		try (Lease lease = this.pool.acquire(this.origins.target());
				Response response = lease.execute(get())) {
			assertThat(response.code()).isEqualTo(200);
			return PROXIES.indexOf(lease.ip().getHostAddress());
		}
	}

	/**
	 * Leases until one is on the IP's connection, and gives that one back last: this thread's next lease takes it
	 * first, as the connection it took its last stream on (HTTP/2, {@link SharedConnections#pickStream}) or the most
	 * recently used one (HTTP/1.1).
	 */
	private void useLast(String ip) throws InterruptedException {
		List<Lease> held = new ArrayList<>();
		try {
			while (true) {
				Lease lease = this.pool.acquire(this.origins.target());
				held.add(lease);
				if (lease.ip().getHostAddress().equals(ip)) {
					return;
				}
				assertThat(held).as("each IP has one connection: the next lease is on the other").hasSize(1);
			}
		}
		finally {
			held.forEach(Lease::close); // in order: the IP's last
		}
	}

	/** GETs the origin received (probes are HEAD requests). */
	private static int gets(LoopbackTlsOrigins.Origin origin) throws InterruptedException {
		int gets = 0;
		for (RecordedRequest request = origin.takeRequest(Duration.ofMillis(50)); request != null;
				request = origin.takeRequest(Duration.ofMillis(50))) {
			gets += "GET".equals(request.getMethod()) ? 1 : 0;
		}
		return gets;
	}

	private Request get() {
		return new Request.Builder().url(this.origins.url("/")).build();
	}

}
