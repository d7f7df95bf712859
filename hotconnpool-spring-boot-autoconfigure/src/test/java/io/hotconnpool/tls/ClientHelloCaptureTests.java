package io.hotconnpool.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.Provider;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.conscrypt.Conscrypt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link ClientHelloCapture} with real TLS clients on 127.0.0.1. Each
 * client's handshake fails by design: the capture closes without answering.
 */
class ClientHelloCaptureTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final String HOST_NAME = "origin.test";

	/**
	 * OkHttp 5.5.1's {@code ConnectionSpec.MODERN_TLS} suites as they reach the wire: its
	 * 16th, {@code SSL_RSA_WITH_3DES_EDE_CBC_SHA}, is enabled by neither Conscrypt nor
	 * JDK 17, so OkHttp drops it. The reference's JA4 measurements used these.
	 */
	private static final String[] OKHTTP_MODERN_TLS_CIPHER_SUITES = { "TLS_AES_128_GCM_SHA256",
			"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
			"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
			"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
			"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
			"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384",
			"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA" };

	private static InetAddress loopback;

	@BeforeAll
	static void resolveLoopback() throws IOException {
		// A literal: no resolver involved, and never anything but 127.0.0.1.
		loopback = InetAddress.getByAddress("localhost", new byte[] { 127, 0, 0, 1 });
	}

	@Test
	void capturesJdkClientHello() throws Exception {
		ClientHello hello = captureHandshake(SSLContext.getDefault(), null);
		TlsFingerprint fingerprint = TlsFingerprint.of(hello);
		assertThat(hello.serverName()).isEqualTo(HOST_NAME);
		assertThat(hello.alpnProtocols()).startsWith("h2");
		assertThat(fingerprint.ja4()).startsWith("t13d");
		assertThat(fingerprint.ja4a()).endsWith("h2");
	}

	@Test
	void capturesJdkClientHelloWithOkHttpCipherSuites() throws Exception {
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, null, null);
		TlsFingerprint fingerprint = TlsFingerprint.of(captureHandshake(context, OKHTTP_MODERN_TLS_CIPHER_SUITES));
		// Parts a and c depend on the JDK build (extensions, signature algorithms): only b is pinned.
		assertThat(fingerprint.ja4()).startsWith("t13d15").contains("h2_8daaf6152771_");
	}

	@Test
	void capturesConscryptClientHelloWithDefaultCipherSuites() throws Exception {
		ClientHello hello = captureHandshake(conscryptContext(), null);
		TlsFingerprint fingerprint = TlsFingerprint.of(hello);
		assertThat(hello.serverName()).isEqualTo(HOST_NAME);
		assertThat(hello.alpnProtocols()).containsExactly("h2", "http/1.1");
		// Conscrypt's own default list also enables ECDHE-ECDSA-AES-CBC-SHA (c009, c00a):
		// 17 suites, the same set as Firefox. Extensions and signature algorithms (part c)
		// are those of the reference measurement.
		assertThat(hello.cipherSuites()).contains(0xc009, 0xc00a);
		assertThat(fingerprint.ja4()).isEqualTo("t13d1711h2_5b57614c22b0_86dd91ae2a36");
	}

	@Test
	void capturesConscryptClientHelloWithOkHttpCipherSuitesAsMeasuredInReference() throws Exception {
		ClientHello hello = captureHandshake(conscryptContext(), OKHTTP_MODERN_TLS_CIPHER_SUITES);
		TlsFingerprint fingerprint = TlsFingerprint.of(hello);
		assertThat(hello.serverName()).isEqualTo(HOST_NAME);
		assertThat(fingerprint.ja4()).isEqualTo("t13d1511h2_8daaf6152771_86dd91ae2a36");
		assertThat(fingerprint.ja4r()).isEqualTo("t13d1511h2_"
				+ "002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
				+ "0005,000a,000b,000d,0017,002b,002d,0033,ff01_0403,0804,0401,0503,0805,0501,0806,0601,0201");
	}

	@Test
	void acceptTimeoutEndsTheCapture() throws Exception {
		try (ClientHelloCapture capture = ClientHelloCapture.start(loopback, Duration.ofMillis(200), TIMEOUT)) {
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> capture.await(TIMEOUT))
				.withMessageContaining("No client connected to")
				.withMessageContaining("within PT0.2S");
		}
	}

	@Test
	void readTimeoutEndsTheCapture() throws Exception {
		try (ClientHelloCapture capture = ClientHelloCapture.start(loopback, TIMEOUT, Duration.ofMillis(200));
				Socket silentClient = new Socket()) {
			silentClient.connect(capture.address(), (int) TIMEOUT.toMillis());
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> capture.await(TIMEOUT))
				.withMessageContaining("No complete ClientHello within PT0.2S");
		}
	}

	@Test
	void nonTlsClientFailsTheCapture() throws Exception {
		try (ClientHelloCapture capture = ClientHelloCapture.start(loopback, TIMEOUT);
				Socket httpClient = new Socket()) {
			httpClient.connect(capture.address(), (int) TIMEOUT.toMillis());
			OutputStream out = httpClient.getOutputStream();
			out.write("GET / HTTP/1.1\r\nHost: origin.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			assertThatIllegalArgumentException().isThrownBy(() -> capture.await(TIMEOUT))
				.withMessageContaining("Not a TLS handshake record: content type 71");
		}
	}

	@Test
	void closeStopsTheCaptureAndItsThread() throws Exception {
		ClientHelloCapture capture = ClientHelloCapture.start(loopback, TIMEOUT);
		String threadName = "hotconnpool-clienthello-capture-" + capture.port();
		assertThat(captureThreadAlive(threadName)).isTrue();
		capture.close();
		assertThat(captureThreadAlive(threadName)).isFalse();
		assertThat(capture.result()).isCompletedExceptionally();
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> capture.await(TIMEOUT))
			.withMessageContaining("was closed");
		// The port is released: connecting is refused.
		try (Socket socket = new Socket()) {
			assertThatExceptionOfType(IOException.class)
				.isThrownBy(() -> socket.connect(capture.address(), (int) TIMEOUT.toMillis()));
		}
		capture.close(); // idempotent
	}

	@Test
	void threadEndsAfterACapture() throws Exception {
		ClientHelloCapture capture = ClientHelloCapture.start(loopback, TIMEOUT);
		String threadName = "hotconnpool-clienthello-capture-" + capture.port();
		try (capture; Socket client = new Socket()) {
			client.connect(capture.address(), (int) TIMEOUT.toMillis());
			client.getOutputStream().write(ClientHelloBuilder.handshakeRecords(ClientHelloTests.tls13HelloWithGrease(), 50));
			assertThat(capture.await(TIMEOUT).serverName()).isEqualTo(HOST_NAME);
			// The capture closes its side once the hello is read.
			client.setSoTimeout((int) TIMEOUT.toMillis());
			assertThat(client.getInputStream().read()).isEqualTo(-1);
		}
		assertThat(captureThreadAlive(threadName)).isFalse();
	}

	@Test
	void refusesNonLoopbackAddress() throws Exception {
		InetAddress documentationAddress = InetAddress.getByAddress(new byte[] { (byte) 192, 0, 2, 1 });
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHelloCapture.start(documentationAddress, TIMEOUT))
			.withMessageContaining("Not a loopback address");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ClientHelloCapture.start(InetAddress.getByAddress(new byte[4]), TIMEOUT))
			.withMessageContaining("Not a loopback address");
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHelloCapture.start(loopback, Duration.ZERO))
			.withMessageContaining("acceptTimeout must be positive");
	}

	/**
	 * Connects a real TLS client for {@code origin.test} with ALPN h2, http/1.1 (and the
	 * given cipher suites, unless {@code null}) to a fresh capture and returns what it
	 * sent. A fresh capture port means no session can be resumed.
	 */
	private static ClientHello captureHandshake(SSLContext context, String[] cipherSuites) throws Exception {
		try (ClientHelloCapture capture = ClientHelloCapture.start(loopback, TIMEOUT)) {
			try (Socket plain = new Socket()) {
				plain.connect(capture.address(), (int) TIMEOUT.toMillis());
				plain.setSoTimeout((int) TIMEOUT.toMillis());
				try (SSLSocket tls = (SSLSocket) context.getSocketFactory()
					.createSocket(plain, HOST_NAME, capture.port(), false)) {
					SSLParameters parameters = tls.getSSLParameters();
					parameters.setServerNames(List.of(new SNIHostName(HOST_NAME)));
					parameters.setApplicationProtocols(new String[] { "h2", "http/1.1" });
					if (cipherSuites != null) {
						parameters.setCipherSuites(cipherSuites);
					}
					tls.setSSLParameters(parameters);
					// The capture hangs up after the ClientHello, so the handshake must fail.
					assertThatExceptionOfType(IOException.class).isThrownBy(tls::startHandshake);
				}
			}
			return capture.await(TIMEOUT);
		}
	}

	private static SSLContext conscryptContext() throws Exception {
		// A private provider: nothing JVM-global changes.
		Provider provider = Conscrypt.newProvider();
		TrustManagerFactory trustManagerFactory = TrustManagerFactory.getInstance("PKIX", provider);
		trustManagerFactory.init((KeyStore) null);
		SSLContext context = SSLContext.getInstance("TLS", provider);
		context.init(null, trustManagerFactory.getTrustManagers(), null);
		return context;
	}

	private static boolean captureThreadAlive(String name) {
		return Thread.getAllStackTraces().keySet().stream().anyMatch((thread) -> thread.getName().equals(name));
	}

}
