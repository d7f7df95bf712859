package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import javax.net.ServerSocketFactory;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Protocol;

/**
 * A real TLS server on one loopback address answering every request {@code 200 hot} (no body for HEAD), speaking
 * the given protocols. It keeps no history: benchmarks send millions of requests.
 */
public final class TlsOrigin implements AutoCloseable {

	/** Held strongly: java.util.logging forgets the level of a logger nobody references. */
	private static final Logger SERVER_LOGGER = Logger.getLogger(MockWebServer.class.getName());

	static {
		SERVER_LOGGER.setLevel(Level.WARNING); // it logs every request at INFO
	}

	private static final MockResponse OK = new MockResponse.Builder().body("hot").build();

	private static final MockResponse OK_HEAD = new MockResponse.Builder().build();

	private final MockWebServer server = new MockWebServer();

	private final AtomicLong requests = new AtomicLong();

	private TlsOrigin(BenchmarkTls tls, List<Protocol> protocols) {
		// Real servers (nginx, Netty, Go) turn Nagle off; MockWebServer does not, and its separate header and body
		// writes would then wait for the client's delayed ACK.
		this.server.setServerSocketFactory(new NoDelayServerSocketFactory());
		this.server.useHttps(tls.server().sslSocketFactory());
		this.server.setProtocols(protocols);
		this.server.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
				TlsOrigin.this.requests.incrementAndGet();
				// MockWebServer queues every request for takeRequest(): take one per request to stay bounded.
				TlsOrigin.this.server.takeRequest(0, TimeUnit.NANOSECONDS);
				return "HEAD".equals(request.getMethod()) ? OK_HEAD : OK;
			}
		});
	}

	/**
	 * Starts an origin.
	 * @param address a loopback address
	 * @param port the port, 0 for any
	 * @param tls the server certificate
	 * @param protocols the protocols offered over ALPN, for example HTTP/2 and HTTP/1.1
	 * @return the running origin
	 * @throws IOException when the address cannot be bound
	 */
	public static TlsOrigin start(InetAddress address, int port, BenchmarkTls tls, List<Protocol> protocols)
			throws IOException {
		if (!address.isLoopbackAddress()) {
			throw new IllegalArgumentException("Loopback only: " + address);
		}
		TlsOrigin origin = new TlsOrigin(tls, protocols);
		try {
			origin.server.start(address, port);
		}
		catch (IOException ex) {
			origin.close();
			throw ex;
		}
		return origin;
	}

	/** The bound address and port. */
	public InetSocketAddress address() {
		return this.server.getSocketAddress();
	}

	/** Requests served so far. */
	public long requests() {
		return this.requests.get();
	}

	@Override
	public void close() {
		this.server.close();
	}

	/** Server sockets whose accepted connections have {@code TCP_NODELAY} on. */
	private static final class NoDelayServerSocketFactory extends ServerSocketFactory {

		@Override
		public ServerSocket createServerSocket() throws IOException {
			return new NoDelayServerSocket();
		}

		@Override
		public ServerSocket createServerSocket(int port) throws IOException {
			return bound(new InetSocketAddress(port), 50);
		}

		@Override
		public ServerSocket createServerSocket(int port, int backlog) throws IOException {
			return bound(new InetSocketAddress(port), backlog);
		}

		@Override
		public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
			return bound(new InetSocketAddress(address, port), backlog);
		}

		private static ServerSocket bound(InetSocketAddress address, int backlog) throws IOException {
			ServerSocket socket = new NoDelayServerSocket();
			socket.bind(address, backlog);
			return socket;
		}

	}

	private static final class NoDelayServerSocket extends ServerSocket {

		NoDelayServerSocket() throws IOException {
		}

		@Override
		public Socket accept() throws IOException {
			Socket socket = super.accept();
			socket.setTcpNoDelay(true);
			return socket;
		}

	}

}
