package io.hotconnpool.test;

import java.io.IOException;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * Real TLS origins for one host name on loopback addresses sharing one port, with a certificate from a test CA
 * that no system trust store holds. Each origin answers 200 with the body {@code hot} (or, to a request with a
 * body, the method and that body) and counts the distinct connections that carried a request.
 */
public final class LoopbackTlsOrigins implements AutoCloseable {

	private static final HeldCertificate TEST_CA = new HeldCertificate.Builder().certificateAuthority(0)
		.commonName("hotconnpool autoconfigure test CA")
		.ecdsa256()
		.build();

	private final String host;

	private final List<Origin> origins;

	private LoopbackTlsOrigins(String host, List<Origin> origins) {
		this.host = host;
		this.origins = origins;
	}

	/**
	 * Starts origins for {@code host} on the given loopback addresses, all on one port.
	 * @param host the host name the certificate is issued for
	 * @param addresses loopback addresses such as {@code 127.0.0.2}
	 * @return the running origins
	 * @throws IOException when no common free port was found
	 */
	public static LoopbackTlsOrigins start(String host, String... addresses) throws IOException {
		HeldCertificate certificate = new HeldCertificate.Builder().addSubjectAlternativeName(host)
			.commonName(host)
			.ecdsa256()
			.signedBy(TEST_CA)
			.build();
		HandshakeCertificates serverTls = new HandshakeCertificates.Builder()
			.heldCertificate(certificate, TEST_CA.certificate())
			.build();
		IOException lastFailure = null;
		for (int attempt = 0; attempt < 5; attempt++) { // the shared port may be taken on a later address
			List<Origin> started = new ArrayList<>();
			try {
				int port = 0;
				for (String address : addresses) {
					Origin origin = new Origin(InetAddress.getByName(address));
					started.add(origin);
					origin.server.useHttps(serverTls.sslSocketFactory());
					origin.server.start(origin.address, port);
					port = origin.server.getPort();
				}
				return new LoopbackTlsOrigins(host, started);
			}
			catch (IOException ex) {
				lastFailure = ex;
				started.forEach((origin) -> origin.server.close());
			}
		}
		throw lastFailure;
	}

	/** The test CA's certificate in PEM, for an SSL bundle's trust store. */
	public static String caCertificatePem() {
		return TEST_CA.certificatePem();
	}

	/** A trust store holding only the test CA. */
	public static KeyStore trustStore() {
		try {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			store.setCertificateEntry("test-ca", TEST_CA.certificate());
			return store;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public String host() {
		return this.host;
	}

	public int port() {
		return this.origins.get(0).server.getPort();
	}

	/** {@code host:port}. */
	public String target() {
		return this.host + ":" + port();
	}

	/** The https URL of a path on these origins. */
	public String url(String path) {
		return "https://" + target() + path;
	}

	/** The origins' addresses, comma-separated, as a property value. */
	public String addresses() {
		return this.origins.stream().map((origin) -> origin.address.getHostAddress()).collect(Collectors.joining(","));
	}

	/** Distinct connections that carried at least one request, over every origin. */
	public int connections() {
		return this.origins.stream().mapToInt((origin) -> origin.connections.size()).sum();
	}

	/**
	 * The next request the origin at {@code index} received, probes included, in order.
	 * @param index the origin's position among the addresses it was started with
	 * @param timeout how long to wait for one
	 * @return the request, or {@code null} when none arrived in time
	 * @throws InterruptedException when interrupted while waiting
	 */
	public RecordedRequest takeRequest(int index, Duration timeout) throws InterruptedException {
		return this.origins.get(index).server.takeRequest(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void close() {
		this.origins.forEach((origin) -> origin.server.close());
	}

	private static final class Origin {

		final InetAddress address;

		final MockWebServer server = new MockWebServer();

		final Set<Integer> connections = ConcurrentHashMap.newKeySet();

		Origin(InetAddress address) {
			this.address = address;
			this.server.setDispatcher(new Dispatcher() {
				@Override
				public MockResponse dispatch(RecordedRequest request) {
					Origin.this.connections.add(request.getConnectionIndex());
					MockResponse.Builder response = new MockResponse.Builder().code(200);
					if ("HEAD".equals(request.getMethod())) {
						return response.build();
					}
					boolean echo = request.getBody() != null && request.getBodySize() > 0;
					return response.body(echo ? request.getMethod() + " " + request.getBody().utf8() : "hot").build();
				}
			});
		}

	}

}
