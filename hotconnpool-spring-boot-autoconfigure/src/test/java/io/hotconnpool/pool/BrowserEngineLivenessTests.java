package io.hotconnpool.pool;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import io.hotconnpool.test.LoopbackProxy;
import io.hotconnpool.test.LoopbackTlsOrigins;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The liveness check of an idle HTTP/1.1 connection (a read of at most 1 ms before it is leased) on the browser
 * engine's socket, where the read goes through Bouncy Castle's record layer: a live connection passes it and still
 * carries requests afterwards (the timed-out read leaves the TLS state intact), and one its server closed is not handed
 * out.
 */
class BrowserEngineLivenessTests {

	private static final InetAddress PROXY = loopback(15);

	private static InetAddress loopback(int last) {
		try {
			return InetAddress.getByAddress(new byte[] { 127, 0, 0, (byte) last });
		}
		catch (java.net.UnknownHostException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "chrome", "firefox" })
	void anIdleHttp11ConnectionItsServerClosedIsNotHandedOut(String profile) throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1, List.of(Protocol.HTTP_1_1));
				LoopbackProxy proxy = new LoopbackProxy(PROXY, origins.port(),
						new InetSocketAddress(origins.origin(0).address(), origins.port()));
				HotConnPool pool = HotConnPool
					.builder(origins.config((host) -> {
						host.setConnectionsPerIp(1);
						host.getTls().setProfile(profile);
					}, (config) -> config.getKeepAlive().setAliveBypassWindow(Duration.ZERO))) // every idle lease reads first
					.resolver((name) -> List.of(PROXY))
					.build()) {
			pool.start();
			assertThat(get(pool, origins, "/first")).isEqualTo("hot");

			PoolStats beforeLiveCheck = pool.stats();
			assertThat(get(pool, origins, "/after-a-live-check")).isEqualTo("hot");
			PoolStats afterLiveCheck = pool.stats();
			assertThat(afterLiveCheck.hotHits() - beforeLiveCheck.hotHits()).as("served hot after the check").isOne();
			assertThat(afterLiveCheck.handshakes()).as("no new handshake").isEqualTo(beforeLiveCheck.handshakes());
			assertThat(origins.connections()).isOne();

			proxy.dropAll(); // closes the idle connection: the client's side gets a FIN
			assertThat(get(pool, origins, "/after-the-server-closed")).isEqualTo("hot");
			PoolStats afterClose = pool.stats();
			assertThat(afterClose.retries() - afterLiveCheck.retries()).as("requests sent on the closed connection")
				.isZero();
			assertThat(afterClose.handshakes()).as("a new connection").isGreaterThan(afterLiveCheck.handshakes());
		}
	}

	private static String get(HotConnPool pool, LoopbackTlsOrigins origins, String path) throws Exception {
		try (Response response = pool.execute(new Request.Builder().url(origins.url(path)).build())) {
			assertThat(response.protocol()).isEqualTo(Protocol.HTTP_1_1);
			return response.body().string();
		}
	}

}
