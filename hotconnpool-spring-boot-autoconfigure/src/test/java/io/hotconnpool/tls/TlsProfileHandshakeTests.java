package io.hotconnpool.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.net.ssl.SSLException;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.TlsVersion;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A full TLS handshake and GET per profile against a real mockwebserver3 TLS server on 127.0.0.2, with a certificate
 * for {@code origin.test} from a test CA that the client trusts through {@link TlsContext}.
 */
class TlsProfileHandshakeTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final String HOST_NAME = "origin.test";

	private static final HeldCertificate TEST_CA = new HeldCertificate.Builder().certificateAuthority(0)
		.commonName("hotconnpool profile test CA")
		.ecdsa256()
		.build();

	private static InetAddress serverAddress;

	@BeforeAll
	static void resolveServerAddress() throws IOException {
		serverAddress = InetAddress.getByAddress(HOST_NAME, new byte[] { 127, 0, 0, 2 });
	}

	static Stream<TlsProfile> builtInProfiles() {
		return TlsProfile.builtInIds().stream().map(TlsProfile::builtIn);
	}

	@ParameterizedTest
	@MethodSource("builtInProfiles")
	void getSucceedsAndTheServerSeesTheProfilesHeaders(TlsProfile profile) throws Exception {
		TlsContext tls = TlsContext.create(profile, trustStoreOf(TEST_CA.certificate()), null, Duration.ofSeconds(5),
				false);
		assertThat(tls.usesConscrypt()).isEqualTo(profile.requiresConscrypt());
		try (MockWebServer server = startServer(HOST_NAME)) {
			try (Response response = get(client(profile, tls), server, new Request.Builder())) {
				assertThat(response.code()).isEqualTo(200);
				assertThat(response.body().string()).isEqualTo("hot");
				assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
				assertThat(response.handshake().tlsVersion()).isEqualTo(TlsVersion.TLS_1_3);
			}
			RecordedRequest request = server.takeRequest(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(request).isNotNull();
			assertThat(request.getHeaders().get("User-Agent")).isEqualTo(profile.userAgent());
			for (String name : profile.defaultHeaders().names()) {
				assertThat(request.getHeaders().values(name)).isEqualTo(profile.defaultHeaders().values(name));
			}
		}
	}

	@Test
	void chromeProfileRunsOnTheContextThePoolBuildsToday() throws Exception {
		TlsContext tls = TlsContext.create(trustStoreOf(TEST_CA.certificate()), null, Duration.ofSeconds(5), false);
		try (MockWebServer server = startServer(HOST_NAME);
				Response response = get(client(TlsProfile.CHROME, tls), server, new Request.Builder())) {
			assertThat(response.code()).isEqualTo(200);
			assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
		}
	}

	@Test
	void headersTheCallerSetsWin() throws Exception {
		TlsContext tls = TlsContext.create(trustStoreOf(TEST_CA.certificate()), null, Duration.ofSeconds(5), false);
		try (MockWebServer server = startServer(HOST_NAME)) {
			Request.Builder request = new Request.Builder().header("User-Agent", "caller/1.0")
				.header("Accept", "application/json");
			try (Response response = get(client(TlsProfile.FIREFOX, tls), server, request)) {
				assertThat(response.code()).isEqualTo(200);
			}
			RecordedRequest recorded = server.takeRequest(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(recorded).isNotNull();
			assertThat(recorded.getHeaders().values("User-Agent")).containsExactly("caller/1.0");
			assertThat(recorded.getHeaders().values("Accept")).containsExactly("application/json");
			assertThat(recorded.getHeaders().get("Accept-Language")).isEqualTo("en-US,en;q=0.5");
		}
	}

	@Test
	void certificateVerificationStaysOn() throws Exception {
		HeldCertificate otherCa = new HeldCertificate.Builder().certificateAuthority(0)
			.commonName("unrelated CA")
			.ecdsa256()
			.build();
		TlsContext tls = TlsContext.create(trustStoreOf(otherCa.certificate()), null, Duration.ofSeconds(5), false);
		try (MockWebServer server = startServer(HOST_NAME)) {
			OkHttpClient client = client(TlsProfile.CHROME, tls);
			assertThatExceptionOfType(SSLException.class)
				.isThrownBy(() -> get(client, server, new Request.Builder()).close());
		}
	}

	@Test
	void hostNameVerificationStaysOn() throws Exception {
		TlsContext tls = TlsContext.create(trustStoreOf(TEST_CA.certificate()), null, Duration.ofSeconds(5), false);
		try (MockWebServer server = startServer("other.test")) {
			OkHttpClient client = client(TlsProfile.CHROME, tls);
			assertThatExceptionOfType(SSLException.class)
				.isThrownBy(() -> get(client, server, new Request.Builder()).close())
				.withMessageContaining(HOST_NAME);
		}
	}

	private static OkHttpClient client(TlsProfile profile, TlsContext tls) {
		return profile.configure(new OkHttpClient.Builder(), tls, true).dns((host) -> {
			if (!HOST_NAME.equals(host)) {
				throw new UnknownHostException(host);
			}
			return List.of(serverAddress);
		}).callTimeout(TIMEOUT).build();
	}

	private static Response get(OkHttpClient client, MockWebServer server, Request.Builder request) throws IOException {
		return client.newCall(request.url("https://" + HOST_NAME + ":" + server.getPort() + "/").build()).execute();
	}

	/** A TLS server on 127.0.0.2 with a certificate for {@code certificateHost} from the test CA, answering "hot". */
	private static MockWebServer startServer(String certificateHost) throws IOException {
		HeldCertificate certificate = new HeldCertificate.Builder().addSubjectAlternativeName(certificateHost)
			.commonName(certificateHost)
			.ecdsa256()
			.signedBy(TEST_CA)
			.build();
		HandshakeCertificates serverTls = new HandshakeCertificates.Builder()
			.heldCertificate(certificate, TEST_CA.certificate())
			.build();
		MockWebServer server = new MockWebServer();
		server.useHttps(serverTls.sslSocketFactory());
		server.enqueue(new MockResponse.Builder().body("hot").build());
		server.start(serverAddress, 0);
		return server;
	}

	private static KeyStore trustStoreOf(X509Certificate certificate) throws Exception {
		KeyStore store = KeyStore.getInstance("PKCS12");
		store.load(null, null);
		store.setCertificateEntry("ca", certificate);
		return store;
	}

}
