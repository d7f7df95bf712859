package io.hotconnpool.pool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.hotconnpool.autoconfigure.HotConnPoolAutoConfiguration;
import io.hotconnpool.autoconfigure.HotConnPoolRestClientAutoConfiguration;
import io.hotconnpool.test.LoopbackProxy;
import io.hotconnpool.test.LoopbackTlsOrigins;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Servers that close keep-alive connections idle for a timeout (a proxy in front of each of three origins closes a
 * connection no byte crossed for that long), HTTP/1.1 and HTTP/2, called at a steady rate through
 * {@link HotConnPool#execute(Request)} and through Spring's {@link RestClient}
 * ({@code hotconnpool.http.rest-client.enabled=true}): no caller sees a failure, and when requests come more often
 * than the servers reap, they stay hot (no connect or handshake on the request path).
 * <p>
 * The matrix runs at a fifth of real time, every duration scaled alike (server idle close 500 ms → 100 ms and 3 s →
 * 600 ms, a request every second → every 200 ms and five a second → every 40 ms, the alive-bypass window 500 ms →
 * 100 ms, the keep-alive check 1 s → 200 ms); one case runs in real time: 3 s, one request a second, HTTP/1.1,
 * RestClient, default settings.
 */
class IdleReapingServerTests {

	private static final int REQUESTS = 10;

	/** The proxies' addresses, one in front of each origin. */
	private static final List<String> PROXIES = List.of("127.0.0.12", "127.0.0.13", "127.0.0.14");

	static Stream<Arguments> scaledCases() {
		List<Arguments> cases = new ArrayList<>();
		for (Protocol protocol : List.of(Protocol.HTTP_1_1, Protocol.HTTP_2)) {
			for (Client client : Client.values()) {
				cases.add(Arguments.of(protocol, client, 100, 200));
				cases.add(Arguments.of(protocol, client, 100, 40));
				cases.add(Arguments.of(protocol, client, 600, 200));
				cases.add(Arguments.of(protocol, client, 600, 40));
			}
		}
		return cases.stream();
	}

	@ParameterizedTest(name = "{0} via {1}: server closes after {2} ms idle, a request every {3} ms")
	@MethodSource("scaledCases")
	void noRequestFailsAndRequestsFasterThanTheServersReapStayHot(Protocol protocol, Client client, int idleCloseMillis,
			int gapMillis) throws Exception {
		try (ReapingOrigins servers = new ReapingOrigins(protocol, Duration.ofMillis(idleCloseMillis))) {
			Outcome outcome = client.run(servers, List.of("hotconnpool.keep-alive.alive-bypass-window=100ms",
					"hotconnpool.keep-alive.check-interval=200ms"), (pool) -> {
						pool.getKeepAlive().setAliveBypassWindow(Duration.ofMillis(100));
						pool.getKeepAlive().setCheckInterval(Duration.ofMillis(200));
					}, Duration.ofMillis(gapMillis));

			Reliability.report("server closes connections idle " + idleCloseMillis * 5 + " ms (scaled 1/5), "
					+ 1000 / (gapMillis * 5) + " req/s, " + protocol + ", " + client, outcome.toString());
			assertThat(outcome.callerFailures()).as("requests that failed their caller").isEmpty();
			if (idleCloseMillis == 600) { // 3 s: requests come faster than the servers reap
				assertThat(outcome.hotRatio()).as("requests served hot").isGreaterThanOrEqualTo(0.9);
			}
		}
	}

	@Test
	void realTimeThreeSecondIdleCloseOneRequestASecondHttp11RestClient() throws Exception {
		try (ReapingOrigins servers = new ReapingOrigins(Protocol.HTTP_1_1, Duration.ofSeconds(3))) {
			Outcome outcome = Client.REST_CLIENT.run(servers, List.of(), (pool) -> {
			}, Duration.ofSeconds(1));

			Reliability.report("server closes connections idle 3 s, 1 req/s, HTTP/1.1, REST_CLIENT, real time",
					outcome.toString());
			assertThat(outcome.callerFailures()).isEmpty();
			assertThat(outcome.hotRatio()).isGreaterThanOrEqualTo(0.9);
		}
	}

	/** Sends {@link #REQUESTS} GETs, one every {@code gap}, and measures what callers and the pool saw. */
	private static Outcome run(HotConnPool pool, Exchange exchange, Duration gap) {
		PoolStats before = pool.stats();
		List<String> failures = new ArrayList<>();
		long start = System.nanoTime();
		for (int i = 1; i <= REQUESTS; i++) {
			long due = start + i * gap.toNanos();
			for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
				LockSupport.parkNanos(wait); // paces the rate; nothing waits for the pool here
			}
			try {
				assertThat(exchange.get("/idle/" + i)).isEqualTo("hot");
			}
			catch (IOException | RuntimeException ex) {
				failures.add(ex.toString());
			}
		}
		PoolStats after = pool.stats();
		HostStats host = after.hosts().get(0);
		return new Outcome(failures, after.totalRequests() - before.totalRequests(),
				after.hotHits() - before.hotHits(), after.handshakes() - before.handshakes(),
				after.retries() - before.retries(), after.retriesSucceeded() - before.retriesSucceeded(),
				host.keepAliveTimeout());
	}

	/** How requests are sent. */
	enum Client {

		EXECUTE {
			@Override
			Outcome run(ReapingOrigins servers, List<String> properties,
					Consumer<HotConnPoolConfig> settings, Duration gap) throws Exception {
				try (HotConnPool pool = HotConnPool
					.builder(servers.origins.config((host) -> host.setConnectionsPerIp(2), settings))
					.resolver((name) -> servers.proxyAddresses())
					.build()) {
					pool.start();
					return IdleReapingServerTests.run(pool, (path) -> {
						try (Response response = pool.execute(new Request.Builder().url(servers.origins.url(path)).build())) {
							return response.body().string();
						}
					}, gap);
				}
			}
		},

		REST_CLIENT {
			@Override
			Outcome run(ReapingOrigins servers, List<String> properties,
					Consumer<HotConnPoolConfig> settings, Duration gap) {
				Outcome[] outcome = new Outcome[1];
				new ApplicationContextRunner()
					.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class,
							HotConnPoolAutoConfiguration.class, HotConnPoolRestClientAutoConfiguration.class))
					.withPropertyValues("hotconnpool.tls.self-test=false", "hotconnpool.http.rest-client.enabled=true",
							"hotconnpool.hosts[0].host=" + servers.origins.target(),
							"hotconnpool.hosts[0].addresses=" + String.join(",", PROXIES),
							"hotconnpool.hosts[0].dns-enabled=false", "hotconnpool.hosts[0].tls.bundle=test-ca",
							"spring.ssl.bundle.pem.test-ca.truststore.certificate="
									+ LoopbackTlsOrigins.caCertificatePem())
					.withPropertyValues(properties.toArray(String[]::new))
					.run((context) -> {
						assertThat(context).hasNotFailed();
						RestClient.Builder builder = RestClient.builder().baseUrl(servers.origins.url(""));
						context.getBean(RestClientCustomizer.class).customize(builder);
						RestClient restClient = builder.build();
						outcome[0] = IdleReapingServerTests.run(context.getBean(HotConnPool.class),
								(path) -> restClient.get().uri(path).retrieve().body(String.class), gap);
					});
				return outcome[0];
			}
		};

		abstract Outcome run(ReapingOrigins servers, List<String> properties,
				Consumer<HotConnPoolConfig> settings, Duration gap) throws Exception;

	}

	/** One GET, its body. */
	@FunctionalInterface
	interface Exchange {

		String get(String path) throws IOException;

	}

	/**
	 * What one run measured.
	 * @param callerFailures the exceptions callers got
	 * @param attempts requests executed on leases, retries included
	 * @param hot of those, served on a warm connection
	 * @param handshakes TLS handshakes during the run, in the background or not
	 * @param retries requests retried after a connection failure
	 * @param retriesSucceeded of those, retries that got a response
	 * @param learned the keep-alive timeout the pool learned
	 */
	record Outcome(List<String> callerFailures, long attempts, long hot, long handshakes, long retries,
			long retriesSucceeded, Duration learned) {

		double hotRatio() {
			return (double) this.hot / this.attempts;
		}

		@Override
		public String toString() {
			return REQUESTS + " requests, " + this.callerFailures.size() + " failed their caller; " + this.hot + " of "
					+ this.attempts + " attempts hot; " + this.handshakes + " handshakes (background included); "
					+ this.retries + " retries (" + this.retriesSucceeded + " succeeded); learned keep-alive "
					+ ((this.learned != null) ? this.learned.toMillis() + " ms" : "none")
					+ (this.callerFailures.isEmpty() ? "" : "; " + this.callerFailures);
		}

	}

	/** Three origins of one host, each behind a proxy that closes connections idle for the timeout. */
	static final class ReapingOrigins implements AutoCloseable {

		final LoopbackTlsOrigins origins;

		final List<LoopbackProxy> proxies = new ArrayList<>();

		ReapingOrigins(Protocol protocol, Duration idleClose) throws IOException {
			this.origins = LoopbackTlsOrigins.start(3, List.of(protocol, Protocol.HTTP_1_1));
			try {
				for (int i = 0; i < 3; i++) {
					this.proxies.add(new LoopbackProxy(InetAddress.getByName(PROXIES.get(i)), this.origins.port(),
							new InetSocketAddress(this.origins.origin(i).address(), this.origins.port()), idleClose));
				}
			}
			catch (IOException ex) {
				close();
				throw ex;
			}
		}

		List<InetAddress> proxyAddresses() {
			return this.proxies.stream().map(LoopbackProxy::address).collect(Collectors.toList());
		}

		@Override
		public void close() throws IOException {
			for (LoopbackProxy proxy : this.proxies) {
				proxy.close();
			}
			this.origins.close();
		}

	}

}
