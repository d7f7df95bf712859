package io.hotconnpool.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.NamedGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The ClientHello each profile really sends, captured on 127.0.0.1 from an OkHttp client configured through
 * {@link TlsProfile#configure}, and the start-up self-test built on the same capture. Every client's handshake fails by
 * design: the capture hangs up after the ClientHello.
 */
class TlsProfileFingerprintTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final String HOST_NAME = "origin.test";

	private static InetAddress loopback;

	private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

	@BeforeAll
	static void resolveLoopback() throws IOException {
		// A literal: no resolver involved, and never anything but 127.0.0.1.
		loopback = InetAddress.getByAddress("localhost", new byte[] { 127, 0, 0, 1 });
	}

	@BeforeEach
	void captureLogs() {
		this.logs.start();
		logger(TlsSelfTest.class).addAppender(this.logs);
		logger(TlsProfile.class).addAppender(this.logs);
	}

	@AfterEach
	void releaseLogs() {
		logger(TlsSelfTest.class).detachAppender(this.logs);
		logger(TlsProfile.class).detachAppender(this.logs);
	}

	static Stream<TlsProfile> builtInProfiles() {
		return TlsProfile.builtInIds().stream().map(TlsProfile::builtIn);
	}

	@ParameterizedTest
	@MethodSource("builtInProfiles")
	void sendsTheJa4TheProfileRecords(TlsProfile profile) throws Exception {
		ClientHello hello = captureClientHello(clientFor(profile, true));
		TlsFingerprint fingerprint = TlsFingerprint.of(hello);
		assertThat(fingerprint.ja4()).isEqualTo(profile.achievedJa4());
		assertThat(hello.serverName()).isEqualTo(HOST_NAME);
		assertThat(hello.alpnProtocols()).containsExactly("h2", "http/1.1");
		// One ConnectionSpec: OkHttp never retries with a fallback spec that would add TLS_FALLBACK_SCSV.
		assertThat(hello.cipherSuites()).doesNotContain(CipherSuite.TLS_FALLBACK_SCSV);
	}

	@Test
	void okhttpProfileSendsStockOkHttpOnConscrypt() throws Exception {
		ClientHello hello = captureClientHello(clientFor(TlsProfile.OKHTTP, true));
		assertThat(TlsFingerprint.of(hello).ja4()).isEqualTo("t13d1512h2_8daaf6152771_40271e0a5736")
			.isEqualTo(TlsProfile.OKHTTP.target().ja4());
		// Conscrypt 2.9.0's default groups: the profile leaves them alone, as stock OkHttp does.
		assertThat(hello.supportedGroups()).containsExactly(NamedGroup.X25519MLKEM768, NamedGroup.x25519,
				NamedGroup.secp256r1, NamedGroup.secp384r1);
	}

	@Test
	void chromeProfileSendsChromesHelloFieldByField() throws Exception {
		ClientHello hello = captureClientHello(clientFor(TlsProfile.CHROME, true));
		assertThat(TlsFingerprint.of(hello).ja4()).isEqualTo("t13d1516h2_8daaf6152771_d8a2da3f94cd")
			.isEqualTo(TlsProfile.CHROME.target().ja4());
		// GREASE first among the suites, groups and versions (RFC 8701), then Chrome's values in Chrome's order.
		assertThat(TlsFingerprint.isGrease(hello.cipherSuites().get(0))).isTrue();
		assertThat(hello.cipherSuites().subList(1, 16)).containsExactly(0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c,
				0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035);
		assertThat(TlsFingerprint.isGrease(hello.supportedGroups().get(0))).isTrue();
		assertThat(hello.supportedGroups().subList(1, 5)).containsExactly(NamedGroup.X25519MLKEM768, NamedGroup.x25519,
				NamedGroup.secp256r1, NamedGroup.secp384r1);
		assertThat(TlsFingerprint.isGrease(hello.supportedVersions().get(0))).isTrue();
		assertThat(hello.supportedVersions().subList(1, 3)).containsExactly(0x0304, 0x0303);
		assertThat(hello.signatureAlgorithms()).containsExactly(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806,
				0x0601);
		// 18 extensions: a GREASE one first and last, Chrome's 16 between them.
		List<Integer> extensions = hello.extensions();
		assertThat(extensions).hasSize(18);
		assertThat(TlsFingerprint.isGrease(extensions.get(0))).isTrue();
		assertThat(TlsFingerprint.isGrease(extensions.get(17))).isTrue();
		assertThat(extensions.subList(1, 17)).containsExactlyInAnyOrder(0, 5, 10, 11, 13, 16, 18, 23, 27, 35, 43, 45,
				51, 17613, 65037, 65281);
	}

	@Test
	void chromeProfilePermutesItsExtensionsPerConnectionAsChromeDoes() throws Exception {
		OkHttpClient client = clientFor(TlsProfile.CHROME, true);
		Set<String> ja3 = new HashSet<>();
		Set<String> ja4 = new HashSet<>();
		Set<List<Integer>> sortedExtensions = new HashSet<>();
		for (int i = 0; i < 4; i++) {
			ClientHello hello = captureClientHello(client);
			TlsFingerprint fingerprint = TlsFingerprint.of(hello);
			ja3.add(fingerprint.ja3());
			ja4.add(fingerprint.ja4());
			sortedExtensions.add(hello.extensions().stream().filter((type) -> !TlsFingerprint.isGrease(type)).sorted()
				.toList());
		}
		// 16! orders: four equal JA3s in a row would take a broken shuffle (or a 1 in 10^39 draw).
		assertThat(ja3).hasSizeGreaterThan(1);
		assertThat(ja4).containsExactly(TlsProfile.CHROME.achievedJa4());
		assertThat(sortedExtensions).hasSize(1);
	}

	@Test
	void firefoxProfileSendsFirefoxsHelloFieldByField() throws Exception {
		ClientHello hello = captureClientHello(clientFor(TlsProfile.FIREFOX, true));
		TlsFingerprint fingerprint = TlsFingerprint.of(hello);
		assertThat(fingerprint.ja4()).isEqualTo("t13d1717h2_5b57614c22b0_3cbfd9057e0d")
			.isEqualTo(TlsProfile.FIREFOX.target().ja4());
		// Firefox keeps one order and sends no GREASE: its JA3 is stable and equals Firefox 144's.
		assertThat(fingerprint.ja3()).isEqualTo("6f7889b9fb1a62a9577e685c1fcfa919");
		assertThat(hello.cipherSuites()).containsExactly(0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c,
				0xc030, 0xc00a, 0xc009, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035);
		assertThat(hello.extensions()).containsExactly(0, 23, 65281, 10, 11, 35, 16, 5, 34, 18, 51, 43, 13, 45, 28, 27,
				65037);
		assertThat(hello.supportedGroups()).containsExactly(NamedGroup.X25519MLKEM768, NamedGroup.x25519,
				NamedGroup.secp256r1, NamedGroup.secp384r1, NamedGroup.secp521r1, NamedGroup.ffdhe2048, NamedGroup.ffdhe3072);
		assertThat(hello.supportedVersions()).containsExactly(0x0304, 0x0303);
		assertThat(hello.signatureAlgorithms()).containsExactly(0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401,
				0x0501, 0x0601, 0x0203, 0x0201);
	}

	@Test
	void jdkProfileSendsTheJdksOwnClientHello() throws Exception {
		ClientHello hello = captureClientHello(clientFor(TlsProfile.JDK, true));
		assertThat(TlsFingerprint.of(hello).ja4()).isEqualTo("t13d1514h2_8daaf6152771_a5b99884f7f5");
		// SunJSSE's own groups, ffdhe included: nothing Conscrypt-specific reaches this socket.
		assertThat(hello.supportedGroups()).startsWith(NamedGroup.x25519, NamedGroup.secp256r1).contains(NamedGroup.ffdhe2048);
	}

	@Test
	void nonStrictModeDropsAnUnsupportedGroupWithAWarning() throws Exception {
		TlsProfile lenient = TlsProfile.custom("lenient").namedGroups("P-256", "ffdhe2048").build();
		ClientHello hello = captureClientHello(clientFor(lenient, false));
		assertThat(hello.supportedGroups()).containsExactly(NamedGroup.secp256r1);
		assertThat(warnings()).singleElement()
			.asString()
			.contains("TLS profile 'lenient'")
			.contains("named group 'ffdhe2048'")
			.contains(TlsProfile.STRICT_SETTING + "=false");
	}

	@ParameterizedTest
	@MethodSource("builtInProfiles")
	void selfTestConfirmsTheRecordedJa4(TlsProfile profile) {
		TlsSelfTest.Result result = TlsSelfTest.run(profile, clientFor(profile, true), TIMEOUT);
		assertThat(result.failure()).isNull();
		assertThat(result.matches()).isTrue();
		assertThat(result.profileId()).isEqualTo(profile.id());
		assertThat(result.achieved().ja4()).isEqualTo(profile.achievedJa4());
		assertThat(result.achieved().ja4r()).startsWith(profile.achievedJa4().substring(0, 10));
		assertThat(result.achieved().ja3()).hasSize(32);
		assertThat(result.achieved().clientHello().serverName()).isEqualTo(TlsSelfTest.HOST);
		assertThat(warnings()).isEmpty();
	}

	@Test
	void selfTestWarnsOnAMismatchWithoutThrowing() {
		// As if recorded before session tickets were turned on: the ClientHello has changed since.
		TlsProfile drifted = TlsProfile.custom("drifted").achievedJa4("t13d1511h2_8daaf6152771_86dd91ae2a36").build();
		TlsSelfTest.Result result = TlsSelfTest.run(drifted, clientFor(drifted, true), TIMEOUT);
		assertThat(result.matches()).isFalse();
		assertThat(result.failure()).isNull();
		assertThat(result.achieved().ja4()).isEqualTo("t13d1512h2_8daaf6152771_40271e0a5736");
		assertThat(warnings()).singleElement()
			.asString()
			.contains("TLS profile 'drifted'")
			.contains("expected JA4 t13d1511h2_8daaf6152771_86dd91ae2a36")
			.contains("sends t13d1512h2_8daaf6152771_40271e0a5736");
	}

	@Test
	void selfTestReportsAClientThatAnswersItselfWithoutThrowing() {
		OkHttpClient shortCircuited = clientFor(TlsProfile.OKHTTP, true).newBuilder()
			.addInterceptor((chain) -> new Response.Builder().request(chain.request())
				.protocol(Protocol.HTTP_1_1)
				.code(204)
				.message("short-circuited")
				.build())
			.build();
		TlsSelfTest.Result result = TlsSelfTest.run(TlsProfile.OKHTTP, shortCircuited, TIMEOUT);
		assertThat(result.matches()).isFalse();
		assertThat(result.achieved()).isNull();
		assertThat(result.failure()).startsWith("HTTP 204 came back although the capture never answers");
		assertThat(warnings()).singleElement()
			.asString()
			.contains("TLS profile 'okhttp' self-test could not capture the ClientHello: HTTP 204");
	}

	@Test
	void selfTestEndsAtItsTimeoutWhenNoClientHelloArrives() {
		// A client that fails before connecting: the capture waits for nobody, but only until the timeout.
		OkHttpClient neverConnects = clientFor(TlsProfile.OKHTTP, true).newBuilder().addInterceptor((chain) -> {
			throw new IOException("refused before connecting");
		}).build();
		Duration timeout = Duration.ofMillis(300);
		long start = System.nanoTime();
		TlsSelfTest.Result result = TlsSelfTest.run(TlsProfile.OKHTTP, neverConnects, timeout);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT);
		assertThat(result.matches()).isFalse();
		assertThat(result.achieved()).isNull();
		// Whichever deadline fires first, the self-test's or the capture's accept timeout, names the cause.
		assertThat(result.failure()).containsAnyOf("no ClientHello within PT0.3S", "No client connected");
		assertThat(warnings()).singleElement().asString().contains("could not capture the ClientHello");
	}

	/** A client configured as the pool configures it, resolving every host to 127.0.0.1. */
	private static OkHttpClient clientFor(TlsProfile profile, boolean strict) {
		TlsContext tls = TlsContext.create(profile, null, null, TIMEOUT, false);
		return profile.configure(new OkHttpClient.Builder(), tls, strict)
			.dns((host) -> List.of(loopback))
			.callTimeout(TIMEOUT)
			.build();
	}

	/** Sends one request to a fresh capture, so no session can be resumed, and returns the ClientHello. */
	private static ClientHello captureClientHello(OkHttpClient client) throws Exception {
		try (ClientHelloCapture capture = ClientHelloCapture.start(loopback, TIMEOUT)) {
			Request request = new Request.Builder().url("https://" + HOST_NAME + ":" + capture.port() + "/").build();
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> client.newCall(request).execute().close());
			return capture.await(TIMEOUT);
		}
	}

	private static String partB(String ja4) {
		return ja4.split("_")[1];
	}

	private List<String> warnings() {
		return this.logs.list.stream()
			.filter((event) -> event.getLevel() == Level.WARN)
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

	private static Logger logger(Class<?> type) {
		return (Logger) LoggerFactory.getLogger(type);
	}

}
