package io.hotconnpool.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.ConnectionPool;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The OkHttp behaviour the churn benchmark uncovered (see BENCHMARKS.md): when the server closes an idle HTTP/2
 * connection, OkHttp's reader closes the socket at once, yet its connection pool still counts the connection idle.
 * A pool that asks only {@link ConnectionPool#idleConnectionCount()} hands the dead connection out, and OkHttp
 * reconnects on the caller's time. The pool therefore watches its sockets close (its
 * {@code ServerClosedConnectionTests}); this test fails, and tells, if OkHttp ever changes.
 */
@Timeout(30)
class DeadConnectionTests {

	@Test
	void anHttp2ConnectionClosedByTheServerIsStillCountedIdleThoughItsSocketIsClosed() throws Exception {
		try (ProxiedOrigins env = ProxiedOrigins.start(1, 1, Duration.ofMillis(10),
				List.of(Protocol.HTTP_2, Protocol.HTTP_1_1))) {
			Target target = env.targets().get(0);
			HandshakeCertificates tls = env.tls().client();
			AtomicReference<Connection> connection = new AtomicReference<>();
			ConnectionPool okPool = new ConnectionPool(1, 1, TimeUnit.DAYS);
			OkHttpClient client = new OkHttpClient.Builder().sslSocketFactory(tls.sslSocketFactory(), tls.trustManager())
				.dns((host) -> target.addresses())
				.connectionPool(okPool)
				.eventListener(new EventListener() {
					@Override
					public void connectionAcquired(Call call, Connection acquired) {
						connection.set(acquired);
					}
				})
				.build();
			try (Response response = client.newCall(new Request.Builder().url(target.url()).build()).execute()) {
				response.body().string();
			}
			assertThat(okPool.idleConnectionCount()).isEqualTo(1);

			await().atMost(Duration.ofSeconds(5)).until(() -> env.proxy().closeIdle(Duration.ZERO) == 1);

			await().atMost(Duration.ofSeconds(5)).until(() -> connection.get().socket().isClosed());
			assertThat(okPool.idleConnectionCount()).as("still counted idle").isEqualTo(1);
			client.connectionPool().evictAll();
		}
	}

}
