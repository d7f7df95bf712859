package io.hotconnpool.tls;

import java.io.IOException;
import java.time.Duration;
import java.util.stream.Stream;

import javax.net.ssl.SSLException;

import io.hotconnpool.test.LoopbackTlsOrigins;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.TlsVersion;
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

	static Stream<TlsProfile> builtInProfiles() {
		return TlsProfile.builtInIds().stream().map(TlsProfile::builtIn);
	}

	@ParameterizedTest
	@MethodSource("builtInProfiles")
	void getSucceedsAndTheServerSeesTheProfilesHeaders(TlsProfile profile) throws Exception {
		TlsContext tls = TlsContext.create(profile, LoopbackTlsOrigins.trustStore(), null, Duration.ofSeconds(5),
				false);
		assertThat(tls.usesConscrypt()).isEqualTo(profile.requiresConscrypt());
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1)) {
			try (Response response = get(client(profile, tls, origins), origins, new Request.Builder())) {
				assertThat(response.code()).isEqualTo(200);
				assertThat(response.body().string()).isEqualTo("hot");
				assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
				assertThat(response.handshake().tlsVersion()).isEqualTo(TlsVersion.TLS_1_3);
			}
			RecordedRequest request = origins.origin(0).takeRequest(TIMEOUT);
			assertThat(request).isNotNull();
			assertThat(request.getHeaders().get("User-Agent")).isEqualTo(profile.userAgent());
			for (String name : profile.defaultHeaders().names()) {
				assertThat(request.getHeaders().values(name)).isEqualTo(profile.defaultHeaders().values(name));
			}
		}
	}

	@Test
	void chromeProfileRefusesAContextThatCannotSendItsHello() {
		TlsContext conscrypt = TlsContext.create(LoopbackTlsOrigins.trustStore(), null, Duration.ofSeconds(5), false);
		assertThatExceptionOfType(UnsupportedTlsProfileException.class)
			.isThrownBy(() -> TlsProfile.CHROME.configure(new OkHttpClient.Builder(), conscrypt, true))
			.withMessageContaining("it needs the browser engine");
	}

	@Test
	void browserEngineRefusesClientCertificates() throws Exception {
		javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory
			.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> TlsContext.create(TlsProfile.CHROME, null, keys, Duration.ofSeconds(5), false))
			.withMessageContaining("does not send client certificates");
	}

	@Test
	void headersTheCallerSetsWin() throws Exception {
		TlsContext tls = TlsContext.create(TlsProfile.FIREFOX, LoopbackTlsOrigins.trustStore(), null,
				Duration.ofSeconds(5), false);
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1)) {
			Request.Builder request = new Request.Builder().header("User-Agent", "caller/1.0")
				.header("Accept", "application/json");
			try (Response response = get(client(TlsProfile.FIREFOX, tls, origins), origins, request)) {
				assertThat(response.code()).isEqualTo(200);
			}
			RecordedRequest recorded = origins.origin(0).takeRequest(TIMEOUT);
			assertThat(recorded).isNotNull();
			assertThat(recorded.getHeaders().values("User-Agent")).containsExactly("caller/1.0");
			assertThat(recorded.getHeaders().values("Accept")).containsExactly("application/json");
			assertThat(recorded.getHeaders().get("Accept-Language")).isEqualTo("en-US,en;q=0.5");
		}
	}

	/** Conscrypt (okhttp) and the browser engine (chrome, firefox) must refuse alike. */
	static Stream<TlsProfile> engines() {
		return Stream.of(TlsProfile.OKHTTP, TlsProfile.CHROME, TlsProfile.FIREFOX);
	}

	@ParameterizedTest
	@MethodSource("engines")
	void certificateVerificationStaysOn(TlsProfile profile) throws Exception {
		TlsContext tls = TlsContext.create(profile, LoopbackTlsOrigins.unrelatedTrustStore(), null,
				Duration.ofSeconds(5), false);
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1)) {
			OkHttpClient client = client(profile, tls, origins);
			assertThatExceptionOfType(SSLException.class)
				.isThrownBy(() -> get(client, origins, new Request.Builder()).close());
		}
	}

	@ParameterizedTest
	@MethodSource("engines")
	void hostNameVerificationStaysOn(TlsProfile profile) throws Exception {
		TlsContext tls = TlsContext.create(profile, LoopbackTlsOrigins.trustStore(), null, Duration.ofSeconds(5), false);
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.startWithCertificateFor("other.test", 1)) {
			OkHttpClient client = client(profile, tls, origins);
			assertThatExceptionOfType(SSLException.class)
				.isThrownBy(() -> get(client, origins, new Request.Builder()).close())
				.withMessageContaining(LoopbackTlsOrigins.HOST);
		}
	}

	@ParameterizedTest
	@MethodSource("builtInProfiles")
	void aHostNameVerifierSetBeforeTheProfileIsReplaced(TlsProfile profile) throws Exception {
		TlsContext tls = TlsContext.create(profile, LoopbackTlsOrigins.trustStore(), null, Duration.ofSeconds(5), false);
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.startWithCertificateFor("other.test", 1)) {
			OkHttpClient client = profile
				.configure(new OkHttpClient.Builder().hostnameVerifier((host, session) -> true), tls, true)
				.dns(origins.resolver()::resolve)
				.callTimeout(TIMEOUT)
				.build();
			assertThatExceptionOfType(SSLException.class)
				.isThrownBy(() -> get(client, origins, new Request.Builder()).close())
				.withMessageContaining("Hostname " + LoopbackTlsOrigins.HOST + " not verified");
			assertThat(origins.origin(0).requests()).isZero();
		}
	}

	/** A client of the profile that resolves the origins' host name to their address and nothing else. */
	private static OkHttpClient client(TlsProfile profile, TlsContext tls, LoopbackTlsOrigins origins) {
		return profile.configure(new OkHttpClient.Builder(), tls, true)
			.dns(origins.resolver()::resolve)
			.callTimeout(TIMEOUT)
			.build();
	}

	private static Response get(OkHttpClient client, LoopbackTlsOrigins origins, Request.Builder request)
			throws IOException {
		return client.newCall(request.url(origins.url("/")).build()).execute();
	}

}
