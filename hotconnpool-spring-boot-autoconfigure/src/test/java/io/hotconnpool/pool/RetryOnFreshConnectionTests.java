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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * An idempotent request whose connection fails is retried once on a connection known alive: one that answered a
 * probe just before the retry (an idle HTTP/1.1 one first read for a close), to another IP where one is idle. Retries are counted by
 * outcome. HTTP/1.1 over proxies that drop idle connections silently, with the alive-bypass window set to an hour
 * so that the first attempt trusts its dead connection, as it does when a server closes it just after the check.
 */
class RetryOnFreshConnectionTests {

	private static final List<String> PROXIES = List.of("127.0.0.22", "127.0.0.23", "127.0.0.24");

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

	/** Runs one request, and returns the index of the origin it reached: its connection is now used most recently. */
	private int usedLast() throws IOException, InterruptedException {
		try (Lease lease = this.pool.acquire(this.origins.target());
				Response response = lease.execute(get())) {
			assertThat(response.code()).isEqualTo(200);
			return PROXIES.indexOf(lease.ip().getHostAddress());
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
