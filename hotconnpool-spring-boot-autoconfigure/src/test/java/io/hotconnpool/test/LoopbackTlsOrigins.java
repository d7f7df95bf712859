package io.hotconnpool.test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

import io.hotconnpool.pool.HostResolver;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HostConfig;
import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.pool.TlsMaterial;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * Real TLS origins for one host name, one per loopback address (127.0.0.2, 127.0.0.3, ...) on one shared port, with
 * certificates from a test CA that no system trust store holds. Each origin answers 200 with the body {@code hot} (or,
 * to a request with a body, the method and that body) until told otherwise, can be closed and restarted, and records
 * the distinct connections and the requests it served.
 */
public final class LoopbackTlsOrigins implements AutoCloseable {

	/** The host name {@link #start(int)} serves. */
	public static final String HOST = "origin.test";

	private static final List<Protocol> HTTP_2_AND_1_1 = List.of(Protocol.HTTP_2, Protocol.HTTP_1_1);

	private static final HeldCertificate TEST_CA = new HeldCertificate.Builder().certificateAuthority(0)
		.commonName("hotconnpool test CA")
		.ecdsa256()
		.build();

	private final String host;

	private final List<Origin> origins;

	private final int port;

	private LoopbackTlsOrigins(String host, List<Origin> origins) {
		this.host = host;
		this.origins = List.copyOf(origins);
		this.port = origins.get(0).server.getPort();
	}

	/**
	 * Starts origins for {@link #HOST} on 127.0.0.2 and up, speaking HTTP/2 and HTTP/1.1.
	 * @param ips how many addresses
	 * @return the running origins
	 * @throws IOException when no common free port was found
	 */
	public static LoopbackTlsOrigins start(int ips) throws IOException {
		return start(ips, HTTP_2_AND_1_1);
	}

	/**
	 * Starts origins for {@link #HOST} on 127.0.0.2 and up.
	 * @param ips how many addresses
	 * @param protocols the protocols the servers offer
	 * @return the running origins
	 * @throws IOException when no common free port was found
	 */
	public static LoopbackTlsOrigins start(int ips, List<Protocol> protocols) throws IOException {
		return start(HOST, HOST, loopback(ips), protocols);
	}

	/**
	 * Starts origins that serve {@link #HOST} on 127.0.0.2 and up with a certificate issued for another name: a
	 * client that verifies host names refuses them.
	 * @param certificateHost the host name the certificate is issued for
	 * @param ips how many addresses
	 * @return the running origins
	 * @throws IOException when no common free port was found
	 */
	public static LoopbackTlsOrigins startWithCertificateFor(String certificateHost, int ips) throws IOException {
		return start(HOST, certificateHost, loopback(ips), HTTP_2_AND_1_1);
	}

	/**
	 * Starts origins for {@code host} on the given loopback addresses, speaking HTTP/2 and HTTP/1.1.
	 * @param host the host name they serve and the certificate is issued for
	 * @param addresses loopback addresses such as {@code 127.0.0.1}
	 * @return the running origins
	 * @throws IOException when no common free port was found
	 */
	public static LoopbackTlsOrigins start(String host, String... addresses) throws IOException {
		List<InetAddress> resolved = new ArrayList<>();
		for (String address : addresses) {
			resolved.add(InetAddress.getByName(address));
		}
		return start(host, host, resolved, HTTP_2_AND_1_1);
	}

	private static List<InetAddress> loopback(int ips) throws UnknownHostException {
		List<InetAddress> addresses = new ArrayList<>();
		for (int i = 0; i < ips; i++) {
			addresses.add(InetAddress.getByName("127.0.0." + (i + 2)));
		}
		return addresses;
	}

	private static LoopbackTlsOrigins start(String host, String certificateHost, List<InetAddress> addresses,
			List<Protocol> protocols) throws IOException {
		HeldCertificate certificate = serverCertificate(certificateHost);
		HandshakeCertificates serverTls = new HandshakeCertificates.Builder()
			.heldCertificate(certificate, TEST_CA.certificate())
			.build();
		IOException lastFailure = null;
		for (int attempt = 0; attempt < 5; attempt++) { // the shared port may be taken on a later address
			List<Origin> started = new ArrayList<>();
			try {
				int port = 0;
				for (InetAddress address : addresses) {
					Origin origin = new Origin(address, serverTls, protocols);
					started.add(origin);
					origin.start(port);
					port = origin.server.getPort();
				}
				return new LoopbackTlsOrigins(host, started);
			}
			catch (IOException ex) {
				lastFailure = ex;
				started.forEach(Origin::close);
			}
		}
		throw lastFailure;
	}

	/**
	 * A server certificate (ECDSA P-256) for {@code host}, issued by the test CA the trust stores hold: for test servers
	 * that are not mockwebserver3.
	 * @param host the host name the certificate is issued for
	 * @return the certificate with its private key
	 */
	public static HeldCertificate serverCertificate(String host) {
		return new HeldCertificate.Builder().addSubjectAlternativeName(host)
			.commonName(host)
			.ecdsa256()
			.signedBy(TEST_CA)
			.build();
	}

	/**
	 * The test CA's certificate in PEM, for an SSL bundle's trust store.
	 * @return the PEM text
	 */
	public static String caCertificatePem() {
		return TEST_CA.certificatePem();
	}

	/**
	 * A trust store holding only the test CA.
	 * @return a PKCS12 key store
	 */
	public static KeyStore trustStore() {
		return trustStoreOf(TEST_CA.certificate());
	}

	/**
	 * A trust store holding a CA that signed none of the origins' certificates.
	 * @return a PKCS12 key store
	 */
	public static KeyStore unrelatedTrustStore() {
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
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The port every origin listens on.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * The pool's key for these origins.
	 * @return {@code host:port}
	 */
	public String target() {
		return this.host + ":" + this.port;
	}

	/**
	 * The https URL of a path on these origins.
	 * @param path the path, empty or starting with {@code /}
	 * @return the URL
	 */
	public String url(String path) {
		return "https://" + target() + path;
	}

	/**
	 * The origins' addresses, in the order they were started.
	 * @return the addresses
	 */
	public List<InetAddress> addresses() {
		return this.origins.stream().map(Origin::address).toList();
	}

	/**
	 * One origin.
	 * @param index its position among the addresses it was started with
	 * @return the origin
	 */
	public Origin origin(int index) {
		return this.origins.get(index);
	}

	/**
	 * Every origin, in the order they were started.
	 * @return the origins
	 */
	public List<Origin> all() {
		return this.origins;
	}

	/**
	 * A resolver that answers the host name with these origins' addresses and refuses every other name.
	 * @return the resolver
	 */
	public HostResolver resolver() {
		return (name) -> {
			if (!this.host.equals(name)) {
				throw new UnknownHostException(name);
			}
			return addresses();
		};
	}

	/**
	 * A pool configuration for these origins: the test CA trusted, a 5 s acquire timeout, one host.
	 * @param host how to configure the host
	 * @return the configuration
	 */
	public HotConnPoolConfig config(Consumer<HostConfig> host) {
		return config(host, (pool) -> {
		});
	}

	/**
	 * As {@link #config(Consumer)}, then changes to the pool-wide values.
	 * @param host how to configure the host
	 * @param pool how to configure the pool
	 * @return the configuration
	 */
	public HotConnPoolConfig config(Consumer<HostConfig> host, Consumer<HotConnPoolConfig> pool) {
		HotConnPoolConfig config = new HotConnPoolConfig();
		config.getTls().useMaterial(new TlsMaterial(trustStore(), null));
		config.setAcquireTimeout(Duration.ofSeconds(5));
		host.accept(config.addHost(target()));
		pool.accept(config);
		return config;
	}

	/**
	 * As {@link #config(Consumer, Consumer)} with maintenance every 200 ms (health checks of connections idle for
	 * 100 ms, clean-up, blacklist re-probes), for tests that watch it act.
	 * @param host how to configure the host
	 * @param pool further changes to the pool-wide values
	 * @return the configuration
	 */
	public HotConnPoolConfig configWithFastMaintenance(Consumer<HostConfig> host, Consumer<HotConnPoolConfig> pool) {
		return config(host, (config) -> {
			config.setHealthCheckInterval(Duration.ofMillis(200));
			config.setHealthCheckIdleThreshold(Duration.ofMillis(100));
			config.setCleanupInterval(Duration.ofMillis(200));
			config.getBlacklist().setCheckInterval(Duration.ofMillis(200));
			pool.accept(config);
		});
	}

	/**
	 * A pool over these origins, resolved by {@link #resolver()}, not started.
	 * @param config the pool's configuration
	 * @return the pool
	 */
	public HotConnPool pool(HotConnPoolConfig config) {
		return HotConnPool.builder(config).resolver(resolver()).build();
	}

	/**
	 * Distinct connections that carried at least one request, over every origin.
	 * @return the count
	 */
	public int connections() {
		return this.origins.stream().mapToInt(Origin::connections).sum();
	}

	@Override
	public void close() {
		this.origins.forEach(Origin::close);
	}

	/** One origin: a TLS server on one loopback address. */
	public static final class Origin {

		private final InetAddress address;

		private final HandshakeCertificates serverTls;

		private final List<Protocol> protocols;

		/** The running server; a new one after {@link #restart()}. */
		private volatile MockWebServer server;

		/** Connection indexes restart at zero with each server: the generation tells them apart. */
		private final Set<String> connectionIndexes = ConcurrentHashMap.newKeySet();

		private final AtomicInteger generation = new AtomicInteger();

		private final AtomicInteger requests = new AtomicInteger();

		private volatile Function<RecordedRequest, MockResponse> behaviour = Origin::ok;

		private Origin(InetAddress address, HandshakeCertificates serverTls, List<Protocol> protocols) {
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

		/**
		 * Starts a new server on the same address and port after {@link #close()}: the IP is back.
		 * @throws IOException when the port is taken
		 */
		public void restart() throws IOException {
			int port = this.server.getPort();
			this.server = newServer();
			start(port);
		}

		/**
		 * The default answer: 200 with the body {@code hot}, or to a request with a body, the method and that body;
		 * no body for HEAD, as HTTP requires.
		 * @param request the request
		 * @return the response
		 */
		public static MockResponse ok(RecordedRequest request) {
			boolean echo = request.getBody() != null && request.getBodySize() > 0;
			return status(request, 200, echo ? request.getMethod() + " " + request.getBody().utf8() : "hot");
		}

		/**
		 * A response with this status and body; no body for HEAD, as HTTP requires.
		 * @param request the request
		 * @param code the status code
		 * @param body the body
		 * @return the response
		 */
		public static MockResponse status(RecordedRequest request, int code, String body) {
			MockResponse.Builder response = new MockResponse.Builder().code(code);
			return ("HEAD".equals(request.getMethod()) ? response : response.body(body)).build();
		}

		/**
		 * Changes how this origin answers from now on.
		 * @param behaviour the response to each request
		 */
		public void answer(Function<RecordedRequest, MockResponse> behaviour) {
			this.behaviour = behaviour;
		}

		/**
		 * Answers every request with this status from now on.
		 * @param code the status code
		 */
		public void answer(int code) {
			answer((request) -> status(request, code, "status " + code));
		}

		/**
		 * The next request this origin received, probes included, in order.
		 * @param timeout how long to wait for one
		 * @return the request, or {@code null} when none arrived in time
		 * @throws InterruptedException when interrupted while waiting
		 */
		public RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
			return this.server.takeRequest(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}

		/**
		 * Distinct connections that carried at least one request.
		 * @return the count
		 */
		public int connections() {
			return this.connectionIndexes.size();
		}

		/**
		 * Requests served, probes included.
		 * @return the count
		 */
		public int requests() {
			return this.requests.get();
		}

		/**
		 * The address this origin listens on.
		 * @return the address
		 */
		public InetAddress address() {
			return this.address;
		}

		/**
		 * The address this origin listens on.
		 * @return the address as text, such as {@code 127.0.0.2}
		 */
		public String ip() {
			return this.address.getHostAddress();
		}

		/** Closes the server and every connection it holds: the port is closed. */
		public void close() {
			this.server.close();
		}

	}

}
