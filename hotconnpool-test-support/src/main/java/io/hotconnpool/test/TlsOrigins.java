package io.hotconnpool.test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;
import okhttp3.tls.HandshakeCertificates;

/**
 * Real TLS origins for one host name, one per loopback address (127.0.0.2, 127.0.0.3, ...) on one shared port: many
 * IPs of one host, as a test resolver hands them to a client. Each origin answers 200 with the body {@code hot} (or,
 * to a request with a body, the method and that body) until told otherwise, can be closed and restarted, and records
 * the distinct connections and the requests it served; {@linkplain Builder#recording(boolean) without recording} it
 * keeps no history, for benchmarks that send millions of requests.
 */
public class TlsOrigins implements AutoCloseable {

	/** The host name the origins serve unless told otherwise. */
	public static final String HOST = "origin.test";

	private static final List<Protocol> HTTP_2_AND_1_1 = List.of(Protocol.HTTP_2, Protocol.HTTP_1_1);

	/** Held strongly: java.util.logging forgets the level of a logger nobody references. */
	private static final Logger SERVER_LOGGER = Logger.getLogger(MockWebServer.class.getName());

	static {
		SERVER_LOGGER.setLevel(Level.WARNING); // it logs every request at INFO
	}

	private static final int BIND_ATTEMPTS = 10;

	private final String host;

	private final List<Origin> origins;

	private final int port;

	/**
	 * Takes over running origins, for a fixture that adds to them.
	 * @param started origins from {@link #start(int)} or a {@link Builder}
	 */
	protected TlsOrigins(TlsOrigins started) {
		this(started.host, started.origins);
	}

	private TlsOrigins(String host, List<Origin> origins) {
		this.host = host;
		this.origins = List.copyOf(origins);
		this.port = origins.get(0).port();
	}

	/**
	 * A builder of origins for {@link #HOST} on 127.0.0.2, speaking HTTP/2 and HTTP/1.1, certificates from
	 * {@link TestTls#shared()}.
	 * @return the builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Starts origins for {@link #HOST} on 127.0.0.2 and up, speaking HTTP/2 and HTTP/1.1.
	 * @param ips how many addresses
	 * @return the running origins
	 * @throws IOException when no common free port was found
	 */
	public static TlsOrigins start(int ips) throws IOException {
		return builder().ips(ips).start();
	}

	/**
	 * Quiet origins for benchmarks: no history, the given certificate, one port on every address.
	 * @param tls the material whose {@link TestTls#server() server certificate} they present
	 * @param addresses loopback addresses
	 * @param protocols the protocols offered over ALPN
	 * @return the running origins
	 * @throws IOException when no common free port was found
	 */
	public static TlsOrigins serve(TestTls tls, List<InetAddress> addresses, List<Protocol> protocols)
			throws IOException {
		return builder().serverTls(tls.server()).addresses(addresses).protocols(protocols).recording(false).start();
	}

	/**
	 * The port every origin listens on.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	/**
	 * The socket address of the first origin, for a single-origin set-up.
	 * @return address and port
	 */
	public InetSocketAddress socketAddress() {
		return new InetSocketAddress(this.origins.get(0).address(), this.port);
	}

	/**
	 * The host name these origins serve.
	 * @return the host name
	 */
	public String host() {
		return this.host;
	}

	/**
	 * A client's key for these origins.
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
	 * Resolves the host name to these origins' addresses and refuses every other name: a test resolver.
	 * @param name the name to resolve
	 * @return the addresses
	 * @throws UnknownHostException for any other name
	 */
	public List<InetAddress> resolve(String name) throws UnknownHostException {
		if (!this.host.equals(name)) {
			throw new UnknownHostException(name);
		}
		return addresses();
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

	/** What to start: host, addresses, protocols, certificate, history. */
	public static final class Builder {

		private String host = HOST;

		private String certificateHost;

		private HandshakeCertificates serverTls;

		private List<InetAddress> addresses = Loopback.addresses(1);

		private List<Protocol> protocols = HTTP_2_AND_1_1;

		private boolean recording = true;

		private Builder() {
		}

		/**
		 * The host name served, and the one the certificate is issued for unless {@link #certificateFor} says.
		 * @param host the host name
		 * @return this builder
		 */
		public Builder host(String host) {
			this.host = host;
			return this;
		}

		/**
		 * Issues the certificate for another name: a client that verifies host names refuses the origins.
		 * @param certificateHost the name on the certificate
		 * @return this builder
		 */
		public Builder certificateFor(String certificateHost) {
			this.certificateHost = certificateHost;
			return this;
		}

		/**
		 * Presents this server certificate instead of one from the shared test CA.
		 * @param serverTls the server material
		 * @return this builder
		 */
		public Builder serverTls(HandshakeCertificates serverTls) {
			this.serverTls = serverTls;
			return this;
		}

		/**
		 * Listens on 127.0.0.2 and up.
		 * @param ips how many addresses
		 * @return this builder
		 */
		public Builder ips(int ips) {
			return addresses(Loopback.addresses(ips));
		}

		/**
		 * Listens on these loopback addresses.
		 * @param addresses the addresses, one origin each
		 * @return this builder
		 */
		public Builder addresses(List<InetAddress> addresses) {
			for (InetAddress address : addresses) {
				if (!address.isLoopbackAddress()) {
					throw new IllegalArgumentException("Loopback only: " + address);
				}
			}
			this.addresses = List.copyOf(addresses);
			return this;
		}

		/**
		 * The protocols offered over ALPN.
		 * @param protocols for example HTTP/2 and HTTP/1.1
		 * @return this builder
		 */
		public Builder protocols(List<Protocol> protocols) {
			this.protocols = List.copyOf(protocols);
			return this;
		}

		/**
		 * Whether each origin keeps its requests (for {@link Origin#takeRequest}) and connections; benchmarks keep
		 * none.
		 * @param recording {@code false} for no history
		 * @return this builder
		 */
		public Builder recording(boolean recording) {
			this.recording = recording;
			return this;
		}

		/**
		 * Starts one origin per address, all on one free port.
		 * @return the running origins
		 * @throws IOException when no common free port was found
		 */
		public TlsOrigins start() throws IOException {
			HandshakeCertificates tls = (this.serverTls != null) ? this.serverTls : TestTls.shared()
				.serverTls(TestTls.shared()
				.serverCertificate((this.certificateHost != null) ? this.certificateHost : this.host));
			IOException lastFailure = null;
			for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) { // the port may be taken on a later address
				List<Origin> started = new ArrayList<>();
				try {
					int port = 0;
					for (InetAddress address : this.addresses) {
						Origin origin = new Origin(address, tls, this.protocols, this.recording);
						started.add(origin);
						origin.start(port);
						port = origin.port();
					}
					return new TlsOrigins(this.host, started);
				}
				catch (IOException ex) {
					lastFailure = ex;
					started.forEach(Origin::close);
				}
			}
			throw lastFailure;
		}

	}

	/** One origin: a TLS server on one loopback address. */
	public static final class Origin {

		private final InetAddress address;

		private final HandshakeCertificates serverTls;

		private final List<Protocol> protocols;

		private final boolean recording;

		/** The running server; a new one after {@link #restart()}. */
		private volatile MockWebServer server;

		/** Connection indexes restart at zero with each server: the generation tells them apart. */
		private final Set<String> connectionIndexes = ConcurrentHashMap.newKeySet();

		private final AtomicInteger generation = new AtomicInteger();

		private final AtomicInteger requests = new AtomicInteger();

		private volatile Function<RecordedRequest, MockResponse> behaviour = Origin::ok;

		private Origin(InetAddress address, HandshakeCertificates serverTls, List<Protocol> protocols,
				boolean recording) {
			this.address = address;
			this.serverTls = serverTls;
			this.protocols = protocols;
			this.recording = recording;
			this.server = newServer();
		}

		private MockWebServer newServer() {
			MockWebServer server = new MockWebServer();
			int serving = this.generation.incrementAndGet();
			// Real servers turn Nagle off; MockWebServer does not, and its separate header and body writes would then
			// wait for the client's delayed ACK. It also turns SO_REUSEADDR off, which a restart needs.
			server.setServerSocketFactory(new RealServerSocketFactory());
			server.useHttps(this.serverTls.sslSocketFactory());
			server.setProtocols(this.protocols);
			server.setDispatcher(new Dispatcher() {
				@Override
				public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
					Origin.this.requests.incrementAndGet();
					if (Origin.this.recording) {
						Origin.this.connectionIndexes.add(serving + "/" + request.getConnectionIndex());
					}
					else {
						// MockWebServer queues every request for takeRequest(): take one per request to stay bounded.
						server.takeRequest(0, TimeUnit.NANOSECONDS);
					}
					return Origin.this.behaviour.apply(request);
				}
			});
			return server;
		}

		private void start(int port) throws IOException {
			this.server.start(this.address, port);
		}

		private int port() {
			return this.server.getPort();
		}

		/**
		 * Starts a new server on the same address and port after {@link #close()}: the IP is back.
		 * @throws IOException when the port is taken
		 */
		public void restart() throws IOException {
			int port = port();
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
		 * The next request this origin received, probes included, in order; only while recording.
		 * @param timeout how long to wait for one
		 * @return the request, or {@code null} when none arrived in time
		 * @throws InterruptedException when interrupted while waiting
		 */
		public RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
			return this.server.takeRequest(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}

		/**
		 * Distinct connections that carried at least one request; 0 unless recording.
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
