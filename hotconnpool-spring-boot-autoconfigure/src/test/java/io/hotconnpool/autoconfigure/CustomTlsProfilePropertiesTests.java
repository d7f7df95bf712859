package io.hotconnpool.autoconfigure;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import io.hotconnpool.actuate.HotConnPoolEndpoint;
import io.hotconnpool.actuate.HotConnPoolEndpoint.TlsProfileReport;
import io.hotconnpool.autoconfigure.InvalidPropertiesTests.Invalid;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.test.LoopbackTlsOrigins;
import io.hotconnpool.tls.ClientHello;
import io.hotconnpool.tls.ClientHelloCapture;
import io.hotconnpool.tls.TlsFingerprint;
import io.hotconnpool.tls.TlsProfile;
import io.hotconnpool.tls.TlsSelfTest;
import mockwebserver3.RecordedRequest;
import okhttp3.CipherSuite;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.TlsVersion;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * TLS profiles defined under {@code hotconnpool.tls.custom-profiles}: the ClientHello the pool sends with one, captured
 * on loopback, a full handshake and request with one against a real TLS server, the start-up self-test reporting its
 * JA4, and every bad value failing start-up with the property named.
 */
@ExtendWith(OutputCaptureExtension.class)
class CustomTlsProfilePropertiesTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final String PARTNER = "hotconnpool.tls.custom-profiles.partner.";

	/** TLS 1.3 in BoringSSL's order, then two ECDSA and one RSA TLS 1.2 suites in an order of our own. */
	private static final String PARTNER_CIPHER_SUITES = "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,"
			+ "TLS_CHACHA20_POLY1305_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,"
			+ "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";

	/** What the partner profile sends on OkHttp 5.5.1 + Conscrypt 2.9.0, measured by this test's capture. */
	private static final String PARTNER_JA4 = "t13d0611h1_0b52c7b0ed8e_86dd91ae2a36";

	private static final int X25519 = 0x001d;

	private static final int SECP256R1 = 0x0017;

	private static final int SESSION_TICKET = 35;

	private static InetAddress loopback;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, HotConnPoolAutoConfiguration.class))
		.withPropertyValues(PARTNER + "versions=TLSv1.3,TLSv1.2", PARTNER + "cipher-suites=" + PARTNER_CIPHER_SUITES,
				PARTNER + "named-groups=X25519,P-256", PARTNER + "alpn=http/1.1", PARTNER + "session-tickets=false",
				PARTNER + "user-agent=partner-client/2.1", PARTNER + "headers.Accept=application/json",
				PARTNER + "headers.X-Partner=hotconnpool", PARTNER + "expected-ja4=" + PARTNER_JA4);

	@BeforeAll
	static void resolveLoopback() throws IOException {
		// A literal: no resolver involved, and never anything but 127.0.0.1.
		loopback = InetAddress.getByAddress("localhost", new byte[] { 127, 0, 0, 1 });
	}

	@Test
	void aHostsCustomProfileShapesTheClientHelloItsConnectionsSend() throws Exception {
		try (ClientHelloCapture capture = ClientHelloCapture.start(loopback, TIMEOUT)) {
			this.runner
				.withPropertyValues("hotconnpool.tls.self-test=false", "hotconnpool.warm-up.mode=background",
						"hotconnpool.hosts[0].host=partner.test:" + capture.port(), "hotconnpool.hosts[0].addresses=127.0.0.1",
						"hotconnpool.hosts[0].dns-enabled=false", "hotconnpool.hosts[0].connections-per-ip=1",
						"hotconnpool.hosts[0].tls.profile=Partner")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					// The warm-up's ClientHello: the capture hangs up after it, so that warm-up fails as expected.
					ClientHello hello = capture.await(TIMEOUT);
					assertThat(hello.serverName()).isEqualTo("partner.test");
					assertThat(hello.cipherSuites()).containsExactly(0x1301, 0x1302, 0x1303, 0xcca9, 0xc02c, 0xc02f);
					assertThat(hello.supportedGroups()).containsExactly(X25519, SECP256R1);
					assertThat(hello.alpnProtocols()).containsExactly("http/1.1");
					assertThat(hello.supportedVersions()).containsExactly(0x0304, 0x0303);
					assertThat(hello.extensions()).doesNotContain(SESSION_TICKET);
					assertThat(TlsFingerprint.of(hello).ja4()).isEqualTo(PARTNER_JA4);
				});
		}
	}

	@Test
	void aPoolWideCustomProfileIsSelfTestedAndItsFingerprintsReported() {
		this.runner.withPropertyValues("hotconnpool.tls.profile=partner,chrome").run((context) -> {
			HotConnPool pool = context.getBean(HotConnPool.class);
			assertThat(pool.config().defaultTlsProfiles()).extracting(TlsProfile::id)
				.containsExactly("partner", "chrome");
			List<TlsSelfTest.Result> selfTests = pool.stats().tlsSelfTests();
			assertThat(selfTests).extracting(TlsSelfTest.Result::profileId).containsExactly("partner", "chrome");
			TlsSelfTest.Result partner = selfTests.get(0);
			assertThat(partner.failure()).isNull();
			assertThat(partner.matches()).isTrue();
			assertThat(partner.achieved().ja4()).isEqualTo(PARTNER_JA4);
			assertThat(partner.achieved().clientHello().cipherSuites()).containsExactly(0x1301, 0x1302, 0x1303,
					0xcca9, 0xc02c, 0xc02f);

			List<TlsProfileReport> reported = new HotConnPoolEndpoint(pool).pool().tlsProfiles();
			assertThat(reported).extracting(TlsProfileReport::profile).containsExactly("partner", "chrome");
			assertThat(reported.get(0)).satisfies((report) -> {
				assertThat(report.expectedJa4()).isEqualTo(PARTNER_JA4);
				assertThat(report.ja4()).isEqualTo(PARTNER_JA4);
				assertThat(report.ja4r()).startsWith("t13d0611h1_1301,1302,1303,c02c,c02f,cca9_");
				assertThat(report.ja3()).isEqualTo(partner.achieved().ja3());
				assertThat(report.matches()).isTrue();
				assertThat(report.failure()).isNull();
			});
			assertThat(reported.get(1).ja4()).isEqualTo(TlsProfile.CHROME.achievedJa4());
		});
	}

	@Test
	void aFullHandshakeAndRequestWithACustomProfileSucceedInStrictMode() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1)) {
			String tls12 = "hotconnpool.tls.custom-profiles.tls12.";
			this.runner
				.withPropertyValues("hotconnpool.tls.strict=true", tls12 + "versions=TLSv1.2",
						tls12 + "cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", tls12 + "alpn=http/1.1",
						tls12 + "user-agent=partner-client/2.1", tls12 + "headers.Accept-Language=de-CH",
						"hotconnpool.hosts[0].host=" + origins.target(), "hotconnpool.hosts[0].addresses=127.0.0.2",
						"hotconnpool.hosts[0].dns-enabled=false", "hotconnpool.hosts[0].connections-per-ip=1",
						"hotconnpool.hosts[0].tls.profile=tls12", "hotconnpool.hosts[0].tls.bundle=test-ca",
						HotConnPoolAutoConfigurationTests.TEST_CA_BUNDLE)
				.run((context) -> {
					HotConnPool pool = context.getBean(HotConnPool.class);
					assertThat(pool.stats().healthyConnections()).as("warmed over the custom profile").isOne();
					try (Response response = pool.execute(new Request.Builder().url(origins.url("/partner")).build())) {
						assertThat(response.code()).isEqualTo(200);
						assertThat(response.body().string()).isEqualTo("hot");
						assertThat(response.protocol()).isEqualTo(Protocol.HTTP_1_1);
						assertThat(response.handshake().tlsVersion()).isEqualTo(TlsVersion.TLS_1_2);
						assertThat(response.handshake().cipherSuite())
							.isEqualTo(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384);
					}
					RecordedRequest request = takeRequest(origins, "/partner");
					assertThat(request.getHeaders().get("User-Agent")).isEqualTo("partner-client/2.1");
					assertThat(request.getHeaders().get("Accept-Language")).isEqualTo("de-CH");
				});
		}
	}

	@Test
	void aSettingTheStackCannotSendIsDroppedWithAWarningOutsideStrictMode(CapturedOutput output) {
		this.runner
			.withPropertyValues("hotconnpool.tls.self-test=false", "hotconnpool.tls.custom-profiles.old.versions=TLSv1.3,TLSv1.1",
					"hotconnpool.tls.profile=old")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(HotConnPool.class).config().defaultTlsProfiles().get(0).tlsVersions())
					.containsExactly("TLSv1.3", "TLSv1.1");
				assertThat(output).contains("TLS profile 'old' on Conscrypt: TLS version 'TLSv1.1' is not supported")
					.contains("dropped because hotconnpool.tls.strict=false");
			});
	}

	/** Every other bad value is a row of {@link InvalidPropertiesTests}; this one is reported by the profile's key. */
	@Test
	void aCustomProfileNamedLikeABuiltInOneFailsStartUp() {
		new InvalidPropertiesTests().failsStartUpWithAReportNamingThePropertyAndTheValue(
				new Invalid("hotconnpool.tls.custom-profiles.chrome", "chrome",
						List.of("hotconnpool.tls.custom-profiles.chrome.user-agent=not-chrome")));
	}

	@Test
	void theDocumentedYamlProfileBindsAndSendsItsExpectedJa4() {
		try (ConfigurableApplicationContext context = PoolApplication.run("custom-tls-profile")) {
			TlsProfile partner = context.getBean(HotConnPool.class).config().defaultTlsProfiles().get(0);
			assertThat(partner.id()).isEqualTo("partner");
			assertThat(partner.cipherSuites()).hasSize(6).endsWith("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
			assertThat(partner.alpnProtocols()).containsExactly("h2", "http/1.1");
			assertThat(partner.defaultHeaders().names()).containsExactly("Accept");
			assertThat(context.getBean(HotConnPool.class).tlsSelfTests()).singleElement().satisfies((result) -> {
				assertThat(result.expectedJa4()).isEqualTo("t13d0611h2_0b52c7b0ed8e_86dd91ae2a36");
				assertThat(result.matches()).as("achieved %s", result.achieved()).isTrue();
			});
		}
	}

	@Test
	void startUpFailureReportNamesTheListEntryAndWhereItWasSet(CapturedOutput output) {
		assertThatException().isThrownBy(() -> PoolApplication.run("invalid-custom-tls-profile"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid value 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA257' for configuration property"
					+ " 'hotconnpool.tls.custom-profiles.partner.cipher-suites[3]' (originating from 'class path"
					+ " resource [invalid-custom-tls-profile.yml] - 11:13')")
			.contains("cipher suite 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA257' is unknown to Conscrypt");
	}

	@ParameterizedTest
	@ValueSource(strings = { "Authorization", "X-Api-Key" })
	void startUpFailureReportNeverShowsAHeaderValue(String header, CapturedOutput output) {
		String property = PARTNER + "headers." + header;
		// A value read from a mounted secret file, with the file's trailing newline: no header can carry it.
		Throwable failure = catchThrowable(
				() -> PoolApplication.run("custom-tls-profile", "--" + property + "=Bearer eyJhbGciOiJIUzI1NiJ9.s3cr3t\n"));
		assertThat(failure).isNotNull();
		StringWriter trace = new StringWriter();
		failure.printStackTrace(new PrintWriter(trace));
		assertThat(output).contains("APPLICATION FAILED TO START").contains(property).doesNotContain("s3cr3t");
		assertThat(trace.toString()).as("the exception and its causes").contains(property).doesNotContain("s3cr3t");
	}

	/** The first request to {@code path}, skipping the warm-up probes. */
	private static RecordedRequest takeRequest(LoopbackTlsOrigins origins, String path) throws InterruptedException {
		for (int i = 0; i < 10; i++) {
			RecordedRequest request = origins.origin(0).takeRequest(TIMEOUT);
			assertThat(request).as("a request within %s", TIMEOUT).isNotNull();
			if (path.equals(request.getTarget())) {
				return request;
			}
		}
		throw new AssertionError("No request to " + path + " among the first 10");
	}

}
