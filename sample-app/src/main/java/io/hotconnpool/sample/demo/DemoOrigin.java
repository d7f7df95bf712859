package io.hotconnpool.sample.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * The embedded demo origin: one HTTPS {@link MockWebServer} per loopback address (127.0.0.2, 127.0.0.3, 127.0.0.4)
 * on one shared free port, with a server certificate for {@link #HOST} signed by a CA generated at start.
 * {@code GET} answers a small JSON naming the IP that served it; {@code HEAD} (the pool's probe) answers 200;
 * {@code GET} {@value #FORBIDDEN_PATH} answers 403, a status the pool blacklists the answering IP for.
 */
public final class DemoOrigin implements AutoCloseable {

	/** The host name the demo origin serves. It resolves only through the pool's static addresses. */
	public static final String HOST = "demo.hotconnpool.test";

	/** The loopback addresses the origin listens on. */
	public static final List<String> ADDRESSES = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");

	/** The path answered with 403, to show the blacklist at work. */
	public static final String FORBIDDEN_PATH = "/forbidden";

	private final HeldCertificate ca;

	private final List<MockWebServer> servers;

	private final int port;

	private DemoOrigin(HeldCertificate ca, List<MockWebServer> servers, int port) {
		this.ca = ca;
		this.servers = servers;
		this.port = port;
	}

	/** Generates a CA and a server certificate and starts one server per address on one free port. */
	public static DemoOrigin start() throws IOException {
		HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0)
			.commonName("hotconnpool demo CA")
			.ecdsa256()
			.build();
		HeldCertificate serverCertificate = new HeldCertificate.Builder().addSubjectAlternativeName(HOST)
			.commonName(HOST)
			.ecdsa256()
			.signedBy(ca)
			.build();
		HandshakeCertificates serverTls = new HandshakeCertificates.Builder()
			.heldCertificate(serverCertificate, ca.certificate())
			.build();
		IOException lastFailure = null;
		for (int attempt = 0; attempt < 5; attempt++) { // the port picked on the first address may be taken on another
			List<MockWebServer> started = new ArrayList<>();
			AtomicLong requests = new AtomicLong();
			try {
				int port = 0;
				for (String address : ADDRESSES) {
					MockWebServer server = new MockWebServer();
					started.add(server);
					server.useHttps(serverTls.sslSocketFactory());
					server.setDispatcher(new JsonDispatcher(address, requests));
					server.start(InetAddress.getByName(address), port);
					port = server.getPort();
				}
				return new DemoOrigin(ca, started, port);
			}
			catch (IOException ex) {
				lastFailure = ex;
				started.forEach(MockWebServer::close);
			}
		}
		throw lastFailure;
	}

	/** The shared port. */
	public int port() {
		return this.port;
	}

	/** {@code host:port}, as the pool names the host. */
	public String target() {
		return HOST + ":" + this.port;
	}

	/** The generated CA certificate, PEM-encoded: what clients must trust. */
	public String caCertificatePem() {
		return this.ca.certificatePem();
	}

	/** A client-side trust configuration holding only the demo CA. */
	public HandshakeCertificates clientCertificates() {
		return new HandshakeCertificates.Builder().addTrustedCertificate(this.ca.certificate()).build();
	}

	@Override
	public void close() {
		this.servers.forEach(MockWebServer::close);
	}

	private static final class JsonDispatcher extends Dispatcher {

		private final String address;

		private final AtomicLong requests;

		JsonDispatcher(String address, AtomicLong requests) {
			this.address = address;
			this.requests = requests;
		}

		@Override
		public MockResponse dispatch(RecordedRequest request) {
			MockResponse.Builder response = new MockResponse.Builder().code(200)
				.setHeader("Content-Type", "application/json");
			if ("HEAD".equals(request.getMethod())) {
				return response.build();
			}
			long n = this.requests.incrementAndGet();
			if (FORBIDDEN_PATH.equals(request.getUrl().encodedPath())) {
				return response.code(403).body("{\"servedBy\":\"" + this.address + "\",\"request\":" + n + "}").build();
			}
			return response.body("{\"origin\":\"" + HOST + "\",\"servedBy\":\"" + this.address + "\",\"request\":" + n
					+ ",\"message\":\"hello from the demo origin\"}")
				.build();
		}

	}

}
