package io.hotconnpool.pool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.hotconnpool.test.LoopbackProxy;
import io.hotconnpool.test.LoopbackTlsOrigins;
import mockwebserver3.MockResponse;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How the pool learns a host's keep-alive timeout ({@link KeepAlive}), and that it re-probes idle connections before
 * it, so that a server that announces it never closes a spare.
 */
class KeepAliveTests {

	private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

	private final KeepAlive keepAlive = new KeepAlive(500 * MS);

	@Test
	void anAnnouncedTimeoutIsReadFromHttp11ResponsesOnly() {
		this.keepAlive.learn(response(Protocol.HTTP_2, "timeout=7"));
		assertThat(this.keepAlive.timeoutNanos(0)).as("Keep-Alive has no meaning in HTTP/2").isZero();

		this.keepAlive.learn(response(Protocol.HTTP_1_1, "max=100, Timeout=5"));
		assertThat(this.keepAlive.timeoutNanos(0)).isEqualTo(TimeUnit.SECONDS.toNanos(5));
		assertThat(this.keepAlive.revalidateAfterNanos(0)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(2500));

		this.keepAlive.learn(response(Protocol.HTTP_1_1, "timeout=soon"));
		this.keepAlive.learn(response(Protocol.HTTP_1_1, "timeout=0"));
		assertThat(this.keepAlive.timeoutNanos(0)).as("malformed values change nothing")
			.isEqualTo(TimeUnit.SECONDS.toNanos(5));
	}

	@Test
	void observedIdleClosesGiveTheShortestUpperBoundUntilAConnectionStaysOpenLonger() {
		assertThat(this.keepAlive.revalidateAfterNanos(0)).as("unknown").isEqualTo(Long.MAX_VALUE);
		this.keepAlive.idleClosed(100 * MS, 0);
		assertThat(this.keepAlive.timeoutNanos(0)).as("shorter than the alive-bypass window: no timeout").isZero();

		this.keepAlive.idleClosed(4000 * MS, 0);
		this.keepAlive.idleClosed(3100 * MS, 0);
		this.keepAlive.idleClosed(3500 * MS, 0);
		assertThat(this.keepAlive.timeoutNanos(0)).isEqualTo(3100 * MS);

		this.keepAlive.stayedOpen(3000 * MS);
		assertThat(this.keepAlive.timeoutNanos(0)).as("open for less: consistent").isEqualTo(3100 * MS);
		this.keepAlive.stayedOpen(3200 * MS);
		assertThat(this.keepAlive.timeoutNanos(0)).as("open for longer: that close had another cause").isZero();

		this.keepAlive.idleClosed(3100 * MS, 0);
		assertThat(this.keepAlive.timeoutNanos(KeepAlive.OBSERVATION_TTL_NANOS)).as("an observation expires").isZero();
	}

	@Test
	void theShorterOfTheAnnouncedAndTheObservedTimeoutCounts() {
		this.keepAlive.learn(response(Protocol.HTTP_1_1, "timeout=5"));
		this.keepAlive.idleClosed(2000 * MS, 0);
		assertThat(this.keepAlive.timeoutNanos(0)).isEqualTo(2000 * MS);
	}

	@Test
	void spareConnectionsAreReprobedBeforeTheAnnouncedTimeoutSoTheServerClosesNone() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(2, List.of(Protocol.HTTP_1_1))) {
			origins.all().forEach((origin) -> origin.answer((request) -> {
				MockResponse.Builder response = new MockResponse.Builder().code(200).addHeader("Keep-Alive", "timeout=1");
				return ("HEAD".equals(request.getMethod()) ? response : response.body("hot")).build();
			}));
			List<LoopbackProxy> proxies = new ArrayList<>();
			try {
				for (int i = 0; i < 2; i++) { // servers that do close connections idle for the announced second
					proxies.add(new LoopbackProxy(InetAddress.getByName("127.0.0.3" + (i + 2)), origins.port(),
							new InetSocketAddress(origins.origin(i).address(), origins.port()), Duration.ofSeconds(1)));
				}
				List<InetAddress> addresses = proxies.stream().map(LoopbackProxy::address).toList();
				try (HotConnPool pool = HotConnPool.builder(origins.config((host) -> host.setConnectionsPerIp(2),
						(config) -> config.getKeepAlive().setCheckInterval(Duration.ofMillis(100))))
					.resolver((name) -> addresses).build()) {
					pool.start();
					HostStats host = pool.stats().hosts().get(0);
					assertThat(host.keepAliveTimeout()).as("announced by the probes' answers").hasSeconds(1);
					long handshakes = pool.stats().handshakes();

					await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5))
						.until(() -> proxies.stream().mapToInt(LoopbackProxy::idleClosed).sum() == 0);
					try (Response response = pool.execute(new Request.Builder().url(origins.url("/")).build())) {
						assertThat(response.body().string()).isEqualTo("hot");
					}
					PoolStats stats = pool.stats();
					assertThat(stats.handshakes()).as("no connection replaced, none on the request path")
						.isEqualTo(handshakes);
					assertThat(stats.hotHits()).isEqualTo(1);
					Reliability.report("a server announces Keep-Alive: timeout=1 and closes connections idle 1 s",
							"idle connections re-probed before it: 0 closed by the server in 2.5 s, 0 handshakes, the"
									+ " next request hot");
				}
			}
			finally {
				for (LoopbackProxy proxy : proxies) {
					proxy.close();
				}
			}
		}
	}

	private static Response response(Protocol protocol, String keepAlive) {
		return new Response.Builder().request(new Request.Builder().url("https://origin.test/").build())
			.protocol(protocol)
			.code(200)
			.message("OK")
			.header("Keep-Alive", keepAlive)
			.build();
	}

}
