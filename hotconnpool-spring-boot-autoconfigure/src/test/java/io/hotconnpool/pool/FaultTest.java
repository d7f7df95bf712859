package io.hotconnpool.pool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Faults on one IP of a host: requests keep succeeding through the others, deadlines fire, and the IP is set aside.
 */
@ExtendWith(OutputCaptureExtension.class)
class FaultTest {

	private static final Duration WITHIN = Duration.ofSeconds(15);

	/** An origin that cuts every GET /data mid-response (HTTP/1.1, where mockwebserver3 applies socket effects). */
	private static TlsOrigins originsWithOneCuttingIp(int ips) throws IOException {
		TlsOrigins origins = TlsOrigins.start(ips, TlsOrigins.HOST, List.of(Protocol.HTTP_1_1));
		origins.origin(0)
			.answer((request) -> request.getUrl().encodedPath().equals("/data")
					? new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build()
					: TlsOrigins.Origin.ok(request));
		return origins;
	}

	@Test
	void anIdempotentRequestIsRetriedOnceOnAnotherIp() throws Exception {
		try (TlsOrigins origins = originsWithOneCuttingIp(3);
				HotConnPool pool = origins.pool(origins.settings((host) -> host.connectionsPerIp(1)).build())) {
			pool.start();
			Request get = new Request.Builder().url("https://" + origins.target() + "/data").build();

			for (int i = 0; i < 6; i++) {
				try (Response response = pool.execute(get)) {
					assertThat(response.body().string()).isEqualTo("hot");
				}
			}

			PoolStats stats = pool.stats();
			assertThat(stats.retries()).isPositive().isEqualTo(stats.failedRequests());
			assertThat(stats.totalRequests()).isEqualTo(6 + stats.retries());
			assertThat(stats.retiredByReason().get(RetireReason.BROKEN)).isEqualTo(stats.retries());
		}
	}

	@Test
	void aNonIdempotentRequestIsNeverRetried() throws Exception {
		try (TlsOrigins origins = originsWithOneCuttingIp(1);
				HotConnPool pool = origins.pool(origins.settings((host) -> host.connectionsPerIp(1)).build())) {
			pool.start();
			Request post = new Request.Builder().url("https://" + origins.target() + "/data")
				.post(RequestBody.create("{}", MediaType.get("application/json")))
				.build();

			assertThatExceptionOfType(IOException.class).isThrownBy(() -> pool.execute(post).close());

			assertThat(pool.stats().retries()).isZero();
			assertThat(pool.stats().totalRequests()).isEqualTo(1);
		}
	}

	@Test
	void anIpThatAcceptsAndNeverAnswersIsCutOffByDeadlinesAndBlacklisted() throws Exception {
		ExecutorService holder = Executors.newSingleThreadExecutor();
		List<Socket> held = new ArrayList<>();
		try (TlsOrigins origins = TlsOrigins.start(1);
				ServerSocket blackHole = new ServerSocket()) {
			blackHole.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.7"), origins.port()));
			holder.execute(() -> {
				while (!blackHole.isClosed()) {
					try {
						held.add(blackHole.accept()); // accept, then never say a word
					}
					catch (IOException ex) {
						return;
					}
				}
			});
			List<InetAddress> addresses = List.of(origins.addresses().get(0), blackHole.getInetAddress());
			try (HotConnPool pool = HotConnPool.builder(origins.settings((host) -> host.connectionsPerIp(1))
				.tlsHandshakeTimeout(Duration.ofMillis(300))
				.probeTimeout(Duration.ofMillis(500))
				.healthCheckInterval(Duration.ofMillis(200))
				.blacklistFailureThreshold(2)
				.build()).resolver((host) -> addresses).build()) {
				long start = System.nanoTime();
				pool.start();
				assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the handshake deadline fired")
					.isLessThan(Duration.ofSeconds(5));

				Request get = new Request.Builder().url("https://" + origins.target() + "/").build();
				await().atMost(WITHIN).untilAsserted(() -> {
					try (Response response = pool.execute(get)) {
						assertThat(response.code()).isEqualTo(200);
					}
					assertThat(pool.stats().hosts().get(0).blacklisted()).singleElement()
						.satisfies((entry) -> assertThat(entry.ip()).isEqualTo("127.0.0.7"))
						.satisfies((entry) -> assertThat(entry.reason()).startsWith("2 consecutive connection failures"));
				});
				assertThat(pool.stats().failedRequests()).as("no user request met the silent IP").isZero();
			}
		}
		finally {
			holder.shutdownNow();
			for (Socket socket : held) {
				socket.close();
			}
		}
	}

	@Test
	void aLeaseHeldPastTheLeakThresholdIsReportedOnceWithItsAcquirer(CapturedOutput output) throws Exception {
		try (TlsOrigins origins = TlsOrigins.start(1);
				HotConnPool pool = origins.pool(origins.settings((host) -> host.connectionsPerIp(1))
					.leakDetectionThreshold(Duration.ofMillis(200))
					.build())) {
			pool.start();
			HotConnection forgotten = pool.acquire(origins.target());

			await().atMost(WITHIN).until(() -> pool.stats().leaksDetected() == 1);
			await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
				.until(() -> pool.stats().leaksDetected() == 1);
			assertThat(output).containsOnlyOnce("without being closed: a leak?")
				.contains("java.lang.Throwable: acquired here")
				.contains("aLeaseHeldPastTheLeakThresholdIsReportedOnceWithItsAcquirer");
			forgotten.close();
		}
	}

}
