package io.hotconnpool.pool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.hotconnpool.test.LoopbackProxy;
import io.hotconnpool.test.LoopbackTlsOrigins;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Servers reap idle connections, and their closes are still on the way to the client when a request goes out: the
 * request is lost, and the client learns it only when the close arrives; no check without a round trip can tell
 * before (HTTP/2's reader, HTTP/1.1's read). Two IPs, each behind a proxy with a one-way delay (the window in which a
 * reaped connection looks alive): 20 ms in front of the IP the first attempt takes, 250 ms in front of the other.
 * Both servers reap at once; the first attempt fails when its close arrives, 20 ms later, and its retry goes to the
 * other IP, whose close is 230 ms further away. The retry must not run on that connection unchecked: an idempotent
 * request's caller never sees a failure that a server's idle reaping caused.
 */
class ReapedConnectionRetryTests {

	private static final List<String> PROXIES = List.of("127.0.0.42", "127.0.0.43");

	private static final List<Duration> ONE_WAY_DELAYS = List.of(Duration.ofMillis(20), Duration.ofMillis(250));

	private LoopbackTlsOrigins origins;

	private final List<LoopbackProxy> proxies = new ArrayList<>();

	private HotConnPool pool;

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

	@ParameterizedTest
	@EnumSource(value = Protocol.class, names = { "HTTP_1_1", "HTTP_2" })
	void aRetryNeverRunsOnAConnectionWhoseServerReapedItWhileTheCloseIsOnItsWay(Protocol protocol) throws Exception {
		this.origins = LoopbackTlsOrigins.start(2, List.of(protocol, Protocol.HTTP_1_1));
		List<InetAddress> addresses = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			LoopbackProxy proxy = LoopbackProxy.start(ONE_WAY_DELAYS.get(i));
			this.proxies.add(proxy);
			addresses.add(proxy.listen(new InetSocketAddress(InetAddress.getByName(PROXIES.get(i)), this.origins.port()),
					new InetSocketAddress(this.origins.origin(i).address(), this.origins.port())).getAddress());
		}
		this.pool = HotConnPool.builder(this.origins.config((host) -> host.setConnectionsPerIp(1)))
			.resolver((name) -> addresses)
			.build();
		this.pool.start();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(this.pool.stats().hosts().get(0).connections())
			.as("both warm")
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
		try (Response response = this.pool.execute(new Request.Builder().url(this.origins.url("/reaped")).build())) {
			answer = response.body().string();
		}
		catch (IOException ex) {
			answer = ex.toString();
		}

		PoolStats stats = this.pool.stats();
		Reliability.report("servers reap idle connections while a request goes out, the closes still on their way, "
				+ protocol,
				"caller got " + answer + "; " + stats.retries() + " retries (" + stats.retriesSucceeded() + " succeeded)");
		assertThat(stats.retries()).as("the first attempt met the reaped connection").isEqualTo(1);
		assertThat(answer).as("what the caller got").isEqualTo("hot");
		assertThat(stats.retriesSucceeded()).isEqualTo(1);
	}

	/**
	 * Leases until one is on the IP's connection, and gives that one back last: this thread's next lease takes it
	 * first, as the connection it took its last stream on (HTTP/2, {@link SharedConnections#pickStream}) or the most
	 * recently used one (HTTP/1.1).
	 */
	private void useLast(String ip) throws InterruptedException {
		List<Lease> held = new ArrayList<>();
		try {
			for (Lease lease = this.pool.acquire(this.origins.target()); ; lease = this.pool.acquire(this.origins.target())) {
				held.add(0, lease);
				if (lease.ip().getHostAddress().equals(ip)) {
					return;
				}
				assertThat(held).as("each IP has one connection").hasSizeLessThan(2);
			}
		}
		finally {
			held.subList(1, held.size()).forEach(Lease::close);
			held.get(0).close();
		}
	}

}
