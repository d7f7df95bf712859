package io.hotconnpool.actuate;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.hotconnpool.pool.HostResolver;
import io.hotconnpool.pool.HotConnPoolSettings;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * Real TLS origins for one host name on 127.0.0.2, 127.0.0.3, ... sharing one port, with a certificate from a test
 * CA; each can be switched to answer another status. The pool tests' {@code TlsOrigins} does the same but is
 * package-private to {@code io.hotconnpool.pool}.
 */
final class TestOrigins implements AutoCloseable {

	static final String HOST = "origin.test";

	private final HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0)
		.commonName("hotconnpool actuate test CA")
		.ecdsa256()
		.build();

	private final List<Origin> origins = new ArrayList<>();

	private final int port;

	private TestOrigins(int count) throws IOException {
		HeldCertificate certificate = new HeldCertificate.Builder().addSubjectAlternativeName(HOST)
			.commonName(HOST)
			.ecdsa256()
			.signedBy(this.ca)
			.build();
		HandshakeCertificates tls = new HandshakeCertificates.Builder()
			.heldCertificate(certificate, this.ca.certificate())
			.build();
		int shared = 0;
		try {
			for (int i = 0; i < count; i++) {
				Origin origin = new Origin(InetAddress.getByName("127.0.0." + (i + 2)), tls);
				this.origins.add(origin);
				origin.server.start(origin.address, shared);
				shared = origin.server.getPort();
			}
		}
		catch (IOException ex) {
			close();
			throw ex;
		}
		this.port = shared;
	}

	/** Starts {@code count} origins answering 200; retries when the shared port is taken on a later address. */
	static TestOrigins start(int count) throws IOException {
		IOException failure = null;
		for (int attempt = 0; attempt < 5; attempt++) {
			try {
				return new TestOrigins(count);
			}
			catch (IOException ex) {
				failure = ex;
			}
		}
		throw failure;
	}

	/** {@code origin.test:port}. */
	String target() {
		return HOST + ":" + this.port;
	}

	Origin origin(int index) {
		return this.origins.get(index);
	}

	/** Answers {@link #HOST} with every origin's address, refuses other names. */
	HostResolver resolver() {
		return (host) -> {
			if (!HOST.equals(host)) {
				throw new UnknownHostException(host);
			}
			return this.origins.stream().map((origin) -> origin.address).toList();
		};
	}

	/** Settings trusting the test CA, two connections per IP and second-scale maintenance. */
	HotConnPoolSettings.Builder settings() {
		return HotConnPoolSettings.builder()
			.trustStore(trustStore())
			.acquireTimeout(Duration.ofSeconds(5))
			.healthCheckInterval(Duration.ofMillis(200))
			.healthCheckIdleThreshold(Duration.ofMillis(100))
			.cleanupInterval(Duration.ofMillis(200))
			.blacklistCheckInterval(Duration.ofMillis(200))
			.host(target(), (host) -> host.connectionsPerIp(2));
	}

	private KeyStore trustStore() {
		try {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			store.setCertificateEntry("ca", this.ca.certificate());
			return store;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		this.origins.forEach((origin) -> origin.server.close());
	}

	/** One TLS server on one loopback address. */
	static final class Origin {

		final InetAddress address;

		private final MockWebServer server = new MockWebServer();

		private volatile int status = 200;

		Origin(InetAddress address, HandshakeCertificates tls) {
			this.address = address;
			this.server.useHttps(tls.sslSocketFactory());
			this.server.setDispatcher(new Dispatcher() {
				@Override
				public MockResponse dispatch(RecordedRequest request) {
					MockResponse.Builder response = new MockResponse.Builder().code(Origin.this.status);
					// HEAD (the probe) must not carry a body.
					return ("HEAD".equals(request.getMethod()) ? response : response.body("origin")).build();
				}
			});
		}

		/** Answers this status from now on. */
		void answer(int status) {
			this.status = status;
		}

		String ip() {
			return this.address.getHostAddress();
		}

	}

}
