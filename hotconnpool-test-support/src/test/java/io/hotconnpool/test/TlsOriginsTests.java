package io.hotconnpool.test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@Timeout(30)
class TlsOriginsTests {

	@Test
	void oneOriginPerLoopbackAddressOnOnePortAnsweringOverVerifiedTls() throws Exception {
		try (TlsOrigins origins = TlsOrigins.start(3)) {
			assertThat(origins.addresses()).extracting(InetAddress::getHostAddress)
				.containsExactly("127.0.0.2", "127.0.0.3", "127.0.0.4");
			assertThat(origins.resolve(TlsOrigins.HOST)).isEqualTo(origins.addresses());
			assertThatExceptionOfType(UnknownHostException.class).isThrownBy(() -> origins.resolve("other.test"));
			for (TlsOrigins.Origin origin : origins.all()) {
				try (Response response = call(client(TestTls.shared(), origin.address()), origins)) {
					assertThat(response.code()).isEqualTo(200);
					assertThat(response.body().string()).isEqualTo("hot");
					assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
				}
				assertThat(origin.requests()).isEqualTo(1);
				assertThat(origin.connections()).isEqualTo(1);
			}
		}
	}

	@Test
	void answersAsToldAndComesBackAfterARestart() throws Exception {
		try (TlsOrigins origins = TlsOrigins.start(1)) {
			TlsOrigins.Origin origin = origins.origin(0);
			OkHttpClient client = client(TestTls.shared(), origin.address());
			origin.answer(403);
			try (Response response = call(client, origins)) {
				assertThat(response.code()).isEqualTo(403);
			}
			origin.close();
			// The port is free at once, though the connection the server closed may still be in TIME_WAIT.
			client.connectionPool().evictAll();
			origin.restart();
			origin.answer(TlsOrigins.Origin::ok);
			try (Response response = call(client, origins)) {
				assertThat(response.code()).isEqualTo(200);
			}
			assertThat(origin.connections()).as("one per server generation").isEqualTo(2);
		}
	}

	@Test
	void aClientTrustingAnotherCaOrExpectingAnotherNameIsRefused() throws Exception {
		try (TlsOrigins origins = TlsOrigins.builder().certificateFor("elsewhere.test").start()) {
			OkHttpClient client = client(TestTls.shared(), origins.origin(0).address());
			assertThatExceptionOfType(SSLPeerUnverifiedException.class)
				.isThrownBy(() -> call(client, origins).close());
		}
		try (TlsOrigins origins = TlsOrigins.start(1)) {
			OkHttpClient stranger = client(TestTls.create(List.of(TlsOrigins.HOST), List.of()),
					origins.origin(0).address());
			assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(() -> call(stranger, origins).close());
		}
	}

	@Test
	void withoutRecordingKeepsNoRequestButCountsThem() throws Exception {
		TestTls tls = TestTls.create(List.of(TlsOrigins.HOST), List.of());
		try (TlsOrigins origins = TlsOrigins.serve(tls, Loopback.addresses(1), List.of(Protocol.HTTP_1_1))) {
			OkHttpClient client = client(tls, origins.origin(0).address());
			for (int i = 0; i < 3; i++) {
				call(client, origins).close();
			}
			assertThat(origins.origin(0).requests()).isEqualTo(3);
			assertThat(origins.origin(0).takeRequest(Duration.ZERO)).as("none queued").isNull();
		}
	}

	@Test
	void loopbackOnly() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TlsOrigins.builder().addresses(List.of(InetAddress.getByName("192.0.2.1"))));
		assertThatIllegalArgumentException().isThrownBy(() -> Loopback.address(255));
	}

	private static OkHttpClient client(TestTls tls, InetAddress address) {
		return new OkHttpClient.Builder()
			.sslSocketFactory(tls.client().sslSocketFactory(), tls.client().trustManager())
			.dns((host) -> List.of(address))
			.callTimeout(Duration.ofSeconds(10))
			.build();
	}

	private static Response call(OkHttpClient client, TlsOrigins origins) throws Exception {
		return client.newCall(new Request.Builder().url(origins.url("/")).build()).execute();
	}

}
