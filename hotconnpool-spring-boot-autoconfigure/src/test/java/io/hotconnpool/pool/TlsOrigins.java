package io.hotconnpool.pool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * Real TLS origins for one host name, one per loopback address (127.0.0.2, 127.0.0.3, ...) on one shared port,
 * with certificates from a test CA. Each origin's behaviour can be switched at run time, and each records the
 * distinct connections and the requests it served.
 */
final class TlsOrigins implements AutoCloseable {

	static final String HOST = "origin.test";

	private static final HeldCertificate TEST_CA = new HeldCertificate.Builder().certificateAuthority(0)
		.commonName("hotconnpool test CA")
		.ecdsa256()
		.build();

	private final List<Origin> origins = new ArrayList<>();

	private final int port;

	private TlsOrigins(List<Origin> origins, int port) {
		this.origins.addAll(origins);
		this.port = port;
	}

	/** Starts {@code count} origins for {@link #HOST} speaking HTTP/2 and HTTP/1.1, answering 200. */
	static TlsOrigins start(int count) throws IOException {
		return start(count, HOST, List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
	}

	/**
	 * Starts origins.
	 * @param count how many IPs
	 * @param certificateHost the host name the server certificate is issued for
	 * @param protocols the protocols the servers offer
	 */
	static TlsOrigins start(int count, String certificateHost, List<Protocol> protocols) throws IOException {
		HeldCertificate serverCertificate = new HeldCertificate.Builder().addSubjectAlternativeName(certificateHost)
			.commonName(certificateHost)
			.ecdsa256()
			.signedBy(TEST_CA)
			.build();
		HandshakeCertificates serverTls = new HandshakeCertificates.Builder()
			.heldCertificate(serverCertificate, TEST_CA.certificate())
			.build();
		IOException lastFailure = null;
		for (int attempt = 0; attempt < 5; attempt++) { // the shared port may be taken on a later address
			List<Origin> started = new ArrayList<>();
			try {
				int port = 0;
				for (int i = 0; i < count; i++) {
					Origin origin = new Origin(InetAddress.getByName("127.0.0." + (i + 2)), serverTls, protocols);
					started.add(origin);
					origin.start(port);
					port = origin.server.getPort();
				}
				return new TlsOrigins(started, port);
			}
			catch (IOException ex) {
				lastFailure = ex;
				started.forEach(Origin::close);
			}
		}
		throw lastFailure;
	}

	/** A trust store holding only the test CA. */
	static KeyStore trustStore() {
		return trustStoreOf(TEST_CA.certificate());
	}

	/** A trust store holding a CA that signed none of the origins' certificates. */
	static KeyStore unrelatedTrustStore() {
		HeldCertificate other = new HeldCertificate.Builder().certificateAuthority(0)
			.commonName("unrelated CA")
			.ecdsa256()
			.build();
		return trustStoreOf(other.certificate());
	}

	private static KeyStore trustStoreOf(X509Certificate certificate) {
		try {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			store.setCertificateEntry("ca", certificate);
			return store;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	int port() {
		return this.port;
	}

	String target() {
		return HOST + ":" + this.port;
	}

	List<InetAddress> addresses() {
		return this.origins.stream().map((origin) -> origin.address).toList();
	}

	Origin origin(int index) {
		return this.origins.get(index);
	}

	List<Origin> all() {
		return this.origins;
	}

	/** A resolver that answers {@link #HOST} with these origins' addresses and refuses every other name. */
	HostResolver resolver() {
		return (host) -> {
			if (!HOST.equals(host)) {
				throw new UnknownHostException(host);
			}
			return addresses();
		};
	}

	/** Pool settings for these origins: the test CA trusted, the host resolved by {@link #resolver()}. */
	HotConnPoolSettings.Builder settings(java.util.function.UnaryOperator<HotConnPoolSettings.HostBuilder> host) {
		return HotConnPoolSettings.builder()
			.trustStore(trustStore())
			.acquireTimeout(java.time.Duration.ofSeconds(5))
			.host(target(), host);
	}

	/** A pool over these origins, not started. */
	HotConnPool pool(HotConnPoolSettings settings) {
		return HotConnPool.builder(settings).resolver(resolver()).build();
	}

	int totalConnections() {
		return this.origins.stream().mapToInt(Origin::connections).sum();
	}

	@Override
	public void close() {
		this.origins.forEach(Origin::close);
	}

	/** One origin: a TLS server on one loopback address. */
	static final class Origin {

		final InetAddress address;

		private final HandshakeCertificates serverTls;

		private final List<Protocol> protocols;

		/** The running server; a new one after {@link #restart()}. */
		volatile MockWebServer server;

		/** Connection indexes restart at zero with each server: the generation tells them apart. */
		private final Set<String> connectionIndexes = ConcurrentHashMap.newKeySet();

		private final AtomicInteger generation = new AtomicInteger();

		private final AtomicInteger requests = new AtomicInteger();

		private volatile Function<RecordedRequest, MockResponse> behaviour = (request) -> ok(request);

		Origin(InetAddress address, HandshakeCertificates serverTls, List<Protocol> protocols) {
			this.address = address;
			this.serverTls = serverTls;
			this.protocols = protocols;
			this.server = newServer();
		}

		private MockWebServer newServer() {
			MockWebServer server = new MockWebServer();
			int serving = this.generation.incrementAndGet();
			server.useHttps(this.serverTls.sslSocketFactory());
			server.setProtocols(this.protocols);
			server.setDispatcher(new Dispatcher() {
				@Override
				public MockResponse dispatch(RecordedRequest request) {
					Origin.this.connectionIndexes.add(serving + "/" + request.getConnectionIndex());
					Origin.this.requests.incrementAndGet();
					return Origin.this.behaviour.apply(request);
				}
			});
			return server;
		}

		private void start(int port) throws IOException {
			this.server.start(this.address, port);
		}

		/** Starts a new server on the same address and port after {@link #close()}: the IP is back. */
		void restart() throws IOException {
			int port = this.server.getPort();
			this.server = newServer();
			start(port);
		}

		/** 200 with the body {@code hot}; no body for HEAD, as HTTP requires. */
		static MockResponse ok(RecordedRequest request) {
			return status(request, 200, "hot");
		}

		static MockResponse status(RecordedRequest request, int code, String body) {
			MockResponse.Builder response = new MockResponse.Builder().code(code);
			return ("HEAD".equals(request.getMethod()) ? response : response.body(body)).build();
		}

		/** Changes how this origin answers from now on. */
		void answer(Function<RecordedRequest, MockResponse> behaviour) {
			this.behaviour = behaviour;
		}

		/** Distinct connections that carried at least one request. */
		int connections() {
			return this.connectionIndexes.size();
		}

		int requests() {
			return this.requests.get();
		}

		String ip() {
			return this.address.getHostAddress();
		}

		/** Closes the server and every connection it holds: the port is closed. */
		void close() {
			this.server.close();
		}

	}

}
