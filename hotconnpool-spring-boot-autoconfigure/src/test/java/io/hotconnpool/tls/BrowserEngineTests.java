package io.hotconnpool.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import io.hotconnpool.test.LoopbackTlsOrigins;
import io.hotconnpool.tls.BouncyCastleTlsOrigin.CertificateCompression;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.TlsVersion;
import okhttp3.tls.HandshakeCertificates;
import okio.BufferedSink;
import org.bouncycastle.tls.ContentType;
import org.bouncycastle.tls.HandshakeType;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The browser engine behind {@code chrome} and {@code firefox} against servers mockwebserver3 cannot play: Bouncy
 * Castle TLS servers on 127.0.0.1, relaying to an HTTP/2 mockwebserver3, that compress their certificate chain
 * (RFC 8879: brotli, zlib, zstd), honestly or lying about its size, send a chain of 50 KB, split their handshake into
 * records of three bytes, or accept ALPS; against a TLS 1.2-only JDK server, a server whose ServerHello claims
 * 16 MiB and one that stops reading; and its own host-name check, which holds even when OkHttp's verifier is
 * replaced.
 */
class BrowserEngineTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@ParameterizedTest
	@CsvSource({ "chrome, BROTLI", "firefox, ZLIB", "firefox, BROTLI", "firefox, ZSTD" })
	void getsOverHttp2FromAServerThatCompressesItsCertificate(String profile, CertificateCompression compression)
			throws Exception {
		try (BouncyCastleTlsOrigin origin = BouncyCastleTlsOrigin.start(compression, false)) {
			OkHttpClient client = client(TlsProfile.builtIn(profile));
			for (int i = 0; i < 2; i++) { // two connections: decompression is per handshake
				try (Response response = get(client.newBuilder().connectionPool(new okhttp3.ConnectionPool()).build(),
						origin.port())) {
					assertThat(response.code()).isEqualTo(200);
					assertThat(response.body().string()).isEqualTo("hot");
					assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
					assertThat(response.handshake().tlsVersion()).isEqualTo(TlsVersion.TLS_1_3);
					assertThat(response.handshake().peerCertificates()).hasSize(2);
				}
			}
			assertThat(origin.compressedCertificatesSent()).isEqualTo(2);
			assertThat(origin.failures()).isEmpty();
		}
	}

	@ParameterizedTest
	@CsvSource({ "BROTLI_WRONG_LENGTH, does not decompress to its stated", "BROTLI_TOO_LARGE, more than 131072",
			"ZLIB_WRONG_LENGTH, does not decompress to its stated", "ZSTD_WRONG_LENGTH, is not valid zstd" })
	void refusesACompressedCertificateThatIsNotWhatItClaims(CertificateCompression compression, String message)
			throws Exception {
		try (BouncyCastleTlsOrigin origin = BouncyCastleTlsOrigin.start(compression, false)) {
			assertThatExceptionOfType(SSLHandshakeException.class)
				.isThrownBy(() -> get(client(TlsProfile.FIREFOX), origin.port()).close())
				.withMessageContaining(message);
			assertThat(origin.handshakes()).isZero();
		}
	}

	@ParameterizedTest
	@CsvSource({ "chrome, NONE", "firefox, NONE", "chrome, BROTLI", "firefox, ZLIB" })
	void getsFromAServerWhoseCertificateChainTakesSeveralRecords(String profile, CertificateCompression compression)
			throws Exception {
		// About 50 KB: more than a record holds and than Bouncy Castle's default limit on a handshake message (32 KiB).
		try (BouncyCastleTlsOrigin origin = BouncyCastleTlsOrigin.startWithLargeCertificate(compression, 2000)) {
			assertGetsThrough(origin, TlsProfile.builtIn(profile));
		}
	}

	@ParameterizedTest
	@CsvSource({ "chrome, BROTLI", "firefox, NONE" })
	void getsFromAServerThatSplitsItsHandshakeIntoRecordsOfThreeBytes(String profile,
			CertificateCompression compression) throws Exception {
		try (BouncyCastleTlsOrigin origin = BouncyCastleTlsOrigin.startWithHandshakeRecordsOf(3, compression)) {
			assertGetsThrough(origin, TlsProfile.builtIn(profile));
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "chrome", "firefox" })
	void refusesAHandshakeMessageLargerThanItsLimitFromItsHeaderAlone(String profile) throws Exception {
		try (HugeServerHello server = new HugeServerHello()) {
			OkHttpClient client = client(TlsProfile.builtIn(profile)).newBuilder()
				.retryOnConnectionFailure(false)
				.build();
			assertThatExceptionOfType(SSLHandshakeException.class)
				.isThrownBy(() -> get(client, server.port()).close())
				.withMessageContaining("server_hello(2) of 16777215 bytes, more than 131072");
			// Refused from the header, with 100 of the bytes claimed received, and the connection closed.
			assertThat(server.closedByClient).succeedsWithin(TIMEOUT).isEqualTo(true);
		}
	}

	@Test
	void refusesACertificateCompressedWithAnAlgorithmItDidNotOffer() throws Exception {
		try (BouncyCastleTlsOrigin origin = BouncyCastleTlsOrigin.start(CertificateCompression.ZLIB, false)) {
			assertThatExceptionOfType(SSLHandshakeException.class)
				.isThrownBy(() -> get(client(TlsProfile.CHROME), origin.port()).close())
				.withMessageContaining("CompressedCertificate with algorithm 1, which was not offered");
			assertThat(origin.handshakes()).isZero();
		}
	}

	@Test
	void answersAServerThatAcceptsAlpsWithItsEncryptedExtensions() throws Exception {
		try (BouncyCastleTlsOrigin origin = BouncyCastleTlsOrigin.start(CertificateCompression.NONE, true)) {
			try (Response response = get(client(TlsProfile.CHROME), origin.port())) {
				assertThat(response.code()).isEqualTo(200);
				assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
			}
			// EncryptedExtensions (8), 33 bytes: one extension, application_settings (17613 = 0x44cd), 27 bytes: an
			// HTTP/2 SETTINGS frame with Chrome's ENABLE_PUSH 0, INITIAL_WINDOW_SIZE 6291456, MAX_HEADER_LIST_SIZE 262144.
			assertThat(origin.clientApplicationSettings()).singleElement()
				.isEqualTo(new byte[] { 8, 0, 0, 33, 0, 31, 0x44, (byte) 0xcd, 0, 27, //
						0, 0, 18, 4, 0, 0, 0, 0, 0, //
						0, 2, 0, 0, 0, 0, //
						0, 4, 0, 0x60, 0, 0, //
						0, 6, 0, 4, 0, 0 });
			assertThat(origin.failures()).isEmpty();
		}
	}

	@Test
	void keepsItsRecordsWithinTheRecordSizeLimitTheServerAnnounces() throws Exception {
		try (BouncyCastleTlsOrigin origin = BouncyCastleTlsOrigin.startWithRecordSizeLimit(1024)) {
			Request post = new Request.Builder().url("https://" + LoopbackTlsOrigins.HOST + ":" + origin.port() + "/")
				.post(RequestBody.create(new byte[20_000], MediaType.get("application/octet-stream")))
				.build();
			try (Response response = client(TlsProfile.FIREFOX).newCall(post).execute()) {
				assertThat(response.code()).isEqualTo(200);
				assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
			}
			// TLS 1.3: 1023 bytes of plaintext and the content type byte. OkHttp alone writes 8 KiB at a time.
			assertThat(origin.largestRecord()).isEqualTo(1023);
			assertThat(origin.failures()).isEmpty();
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "chrome", "firefox" })
	void getsOverHttp2FromATls12OnlyServer(String profile) throws Exception {
		HandshakeCertificates serverTls = new HandshakeCertificates.Builder()
			.heldCertificate(LoopbackTlsOrigins.serverCertificate(LoopbackTlsOrigins.HOST))
			.build();
		try (MockWebServer server = new MockWebServer()) {
			server.useHttps(new Tls12Only(serverTls.sslSocketFactory()));
			server.setProtocols(List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
			server.enqueue(new MockResponse.Builder().body("hot").build());
			server.start(InetAddress.getByAddress("localhost", new byte[] { 127, 0, 0, 1 }), 0);
			try (Response response = get(client(TlsProfile.builtIn(profile)), server.getPort())) {
				assertThat(response.code()).isEqualTo(200);
				assertThat(response.protocol()).isEqualTo(Protocol.HTTP_2);
				assertThat(response.handshake().tlsVersion()).isEqualTo(TlsVersion.TLS_1_2);
				// The JDK's server picks by its own preference among the browser's suites.
				assertThat(response.handshake().cipherSuite().javaName()).startsWith("TLS_ECDHE_ECDSA_WITH_");
			}
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "chrome", "firefox" })
	void refusesAWrongHostNameEvenWhenOkHttpsVerifierIsReplaced(String id) throws Exception {
		TlsProfile profile = TlsProfile.builtIn(id);
		TlsContext tls = TlsContext.create(profile, LoopbackTlsOrigins.trustStore(), null, TIMEOUT, false);
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.startWithCertificateFor("other.test", 1)) {
			OkHttpClient lax = profile.configure(new OkHttpClient.Builder(), tls, true)
				.hostnameVerifier((host, session) -> true)
				.dns(origins.resolver()::resolve)
				.callTimeout(TIMEOUT)
				.build();
			Request request = new Request.Builder().url(origins.url("/")).build();
			assertThatExceptionOfType(SSLHandshakeException.class)
				.isThrownBy(() -> lax.newCall(request).execute().close())
				.withMessageContaining("Hostname " + LoopbackTlsOrigins.HOST + " not verified");
			assertThat(origins.origin(0).requests()).isZero();
		}
	}

	/**
	 * A write that times out ends the call: Okio's watchdog closes the socket under the stuck write, and that close
	 * must not wait for the write to finish (it never would) to send close_notify.
	 */
	@ParameterizedTest
	@ValueSource(strings = { "chrome", "firefox" })
	void aWriteTimeoutEndsAPostToAServerThatStopsReading(String profile) throws Exception {
		try (DeafTlsServer server = DeafTlsServer.start()) {
			OkHttpClient client = client(TlsProfile.builtIn(profile)).newBuilder()
				.writeTimeout(Duration.ofMillis(200))
				.callTimeout(Duration.ZERO) // the write timeout alone must end the call
				.build();
			Request post = new Request.Builder().url("https://" + LoopbackTlsOrigins.HOST + ":" + server.port() + "/")
				.post(new EndlessBody())
				.build();
			assertTimeoutPreemptively(TIMEOUT,
					() -> assertThatExceptionOfType(InterruptedIOException.class)
						.isThrownBy(() -> client.newCall(post).execute().close())
						.withMessage("timeout"));
		}
	}

	/**
	 * close_notify waits at most a bounded time for a transport that cannot take it (here another write holds it, as
	 * one Bouncy Castle makes itself while reading would), then the transport is closed under it.
	 */
	@Test
	void closeGivesUpOnCloseNotifyWhenTheTransportCannotTakeIt() throws Exception {
		try (DeafTlsServer server = DeafTlsServer.start(); Socket transport = new Socket()) {
			transport.setSendBufferSize(4096);
			transport.connect(new InetSocketAddress(server.address(), server.port()), (int) TIMEOUT.toMillis());
			TlsContext tls = TlsContext.create(TlsProfile.CHROME, LoopbackTlsOrigins.trustStore(), null, TIMEOUT, false);
			SSLSocket socket = (SSLSocket) tls.socketFactory()
				.createSocket(transport, LoopbackTlsOrigins.HOST, server.port(), true);
			socket.startHandshake();
			Thread filler = new Thread(() -> {
				try {
					OutputStream raw = transport.getOutputStream();
					for (int i = 0; i < 4096; i++) {
						raw.write(new byte[64 * 1024]);
					}
				}
				catch (IOException ex) {
					// closed under it
				}
			}, "filler");
			filler.start();
			await().atMost(TIMEOUT).until(() -> waitsForTheSocket(filler));

			assertTimeoutPreemptively(TIMEOUT, socket::close);
			assertThat(socket.isClosed()).isTrue();
			assertThat(transport.isClosed()).isTrue();
			filler.join(TIMEOUT.toMillis());
			assertThat(filler.isAlive()).as("the filler's write ended by the close").isFalse();
		}
	}

	/** Whether a thread is parked in a JDK socket write, waiting for the peer to take bytes. */
	private static boolean waitsForTheSocket(Thread thread) {
		return Arrays.stream(thread.getStackTrace())
			.anyMatch((frame) -> frame.getClassName().equals("sun.nio.ch.NioSocketImpl")
					&& frame.getMethodName().equals("park"));
	}

	private static OkHttpClient client(TlsProfile profile) throws IOException {
		TlsContext tls = TlsContext.create(profile, LoopbackTlsOrigins.trustStore(), null, TIMEOUT, false);
		InetAddress loopback = InetAddress.getByAddress("localhost", new byte[] { 127, 0, 0, 1 });
		return profile.configure(new OkHttpClient.Builder(), tls, true)
			.dns((host) -> List.of(loopback))
			.callTimeout(TIMEOUT)
			.build();
	}

	private static void assertGetsThrough(BouncyCastleTlsOrigin origin, TlsProfile profile) throws IOException {
		try (Response response = get(client(profile), origin.port())) {
			assertThat(response.code()).isEqualTo(200);
			assertThat(response.body().string()).isEqualTo("hot");
			assertThat(response.handshake().peerCertificates()).hasSize(2);
		}
		assertThat(origin.failures()).isEmpty();
	}

	private static Response get(OkHttpClient client, int port) throws IOException {
		return client.newCall(new Request.Builder().url("https://" + LoopbackTlsOrigins.HOST + ":" + port + "/").build())
			.execute();
	}

	/**
	 * A server on 127.0.0.1 that answers a ClientHello with one plaintext handshake record: the header of a ServerHello
	 * claiming 16 MiB - 1 bytes and the first of them, then sends nothing more.
	 */
	private static final class HugeServerHello implements AutoCloseable {

		private final ServerSocket listener = new ServerSocket(0, 1,
				InetAddress.getByAddress("localhost", new byte[] { 127, 0, 0, 1 }));

		/** Whether the client ended the connection before the server's read timeout. */
		private final CompletableFuture<Boolean> closedByClient = CompletableFuture.supplyAsync(this::serveOne,
				(task) -> new Thread(task, "huge-server-hello").start());

		HugeServerHello() throws IOException {
		}

		int port() {
			return this.listener.getLocalPort();
		}

		private boolean serveOne() {
			try (Socket socket = this.listener.accept()) {
				socket.setSoTimeout((int) (2 * TIMEOUT.toMillis()));
				InputStream in = socket.getInputStream();
				byte[] header = in.readNBytes(5);
				in.readNBytes(TlsUtils.readUint16(header, 3)); // the ClientHello
				byte[] record = new byte[5 + 100];
				record[0] = ContentType.handshake;
				TlsUtils.writeVersion(ProtocolVersion.TLSv12, record, 1);
				TlsUtils.writeUint16(100, record, 3);
				record[5] = HandshakeType.server_hello;
				TlsUtils.writeUint24((1 << 24) - 1, record, 6);
				socket.getOutputStream().write(record);
				in.skip(Long.MAX_VALUE); // until the client closes
				return true;
			}
			catch (SocketTimeoutException ex) {
				return false;
			}
			catch (SocketException ex) {
				return true; // reset by the client
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		@Override
		public void close() throws IOException {
			this.listener.close();
		}

	}

	/** A request body that streams zeros, more than any socket buffer holds, until its write fails. */
	private static final class EndlessBody extends RequestBody {

		@Override
		public MediaType contentType() {
			return MediaType.get("application/octet-stream");
		}

		@Override
		public void writeTo(BufferedSink sink) throws IOException {
			byte[] chunk = new byte[64 * 1024];
			for (int i = 0; i < 4096; i++) { // 256 MiB at most
				sink.write(chunk);
			}
		}

	}

	/**
	 * The JDK's TLS server on 127.0.0.1 (no ALPN: HTTP/1.1) that handshakes and then never reads: with its small
	 * receive buffer full, the client's writes block.
	 */
	private static final class DeafTlsServer implements AutoCloseable {

		private final SSLServerSocket listener;

		private final Queue<Socket> accepted = new ConcurrentLinkedQueue<>();

		private final Thread acceptor = new Thread(this::accept, "deaf-tls-server");

		private DeafTlsServer(SSLServerSocket listener) {
			this.listener = listener;
		}

		static DeafTlsServer start() throws IOException {
			HandshakeCertificates serverTls = new HandshakeCertificates.Builder()
				.heldCertificate(LoopbackTlsOrigins.serverCertificate(LoopbackTlsOrigins.HOST))
				.build();
			SSLServerSocket listener = (SSLServerSocket) serverTls.sslContext()
				.getServerSocketFactory()
				.createServerSocket();
			listener.setReceiveBufferSize(4096);
			listener.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] { 127, 0, 0, 1 }), 0));
			DeafTlsServer server = new DeafTlsServer(listener);
			server.acceptor.setDaemon(true);
			server.acceptor.start();
			return server;
		}

		private void accept() {
			try {
				while (true) {
					SSLSocket socket = (SSLSocket) this.listener.accept();
					this.accepted.add(socket);
					socket.setSoTimeout((int) TIMEOUT.toMillis());
					socket.startHandshake();
				}
			}
			catch (IOException ex) {
				// closed
			}
		}

		InetAddress address() {
			return this.listener.getInetAddress();
		}

		int port() {
			return this.listener.getLocalPort();
		}

		@Override
		public void close() throws Exception {
			this.listener.close();
			for (Socket socket : this.accepted) {
				socket.close();
			}
			this.acceptor.join(TIMEOUT.toMillis());
		}

	}

	/** The JDK's TLS server with TLS 1.3 switched off on every socket it layers. */
	private static final class Tls12Only extends SocketConfiguringSslSocketFactory {

		Tls12Only(javax.net.ssl.SSLSocketFactory delegate) {
			super(delegate);
		}

		@Override
		java.net.Socket configure(java.net.Socket socket) {
			((javax.net.ssl.SSLSocket) socket).setEnabledProtocols(new String[] { "TLSv1.2" });
			return socket;
		}

	}

}
