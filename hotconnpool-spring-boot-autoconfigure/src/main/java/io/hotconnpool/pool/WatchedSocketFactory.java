package io.hotconnpool.pool;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.net.SocketFactory;

/**
 * Creates the TCP sockets of one pooled connection, with {@code TCP_NODELAY} on as every pool socket, and reports
 * the closing of the latest one.
 * <p>
 * When a server closes an idle HTTP/2 connection, OkHttp's reader closes the socket, yet OkHttp's connection pool
 * still counts the connection idle and tells nobody (its connection listener fires only when OkHttp itself evicts).
 * Trusting that count, the pool would hand the dead connection out and OkHttp would reconnect, TLS handshake and
 * all, on the caller's time. The closing socket tells the pool at once, without I/O. An HTTP/1.1 connection has no
 * reader: its socket stays open until the next read, so the health check's probes find those.
 */
final class WatchedSocketFactory extends SocketFactory {

	private final Runnable onLatestClosed;

	/** The socket OkHttp asked for last: the physical connection it holds, or the one it is opening. */
	private volatile WatchedSocket latest;

	/**
	 * @param onLatestClosed runs, on the closing thread, when the latest socket closes; it must not block
	 */
	WatchedSocketFactory(Runnable onLatestClosed) {
		this.onLatestClosed = onLatestClosed;
	}

	/** Whether the latest socket is closed: read from a volatile flag, without I/O or the socket's locks. */
	boolean isLatestClosed() {
		WatchedSocket socket = this.latest;
		return socket != null && socket.closed.get();
	}

	@Override
	public Socket createSocket() throws SocketException {
		WatchedSocket socket = new WatchedSocket();
		socket.setTcpNoDelay(true);
		this.latest = socket;
		return socket;
	}

	// OkHttp asks only for unconnected sockets; these connect one.

	@Override
	public Socket createSocket(String host, int port) throws IOException {
		return connected(null, new InetSocketAddress(host, port));
	}

	@Override
	public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
		return connected(new InetSocketAddress(localHost, localPort), new InetSocketAddress(host, port));
	}

	@Override
	public Socket createSocket(InetAddress host, int port) throws IOException {
		return connected(null, new InetSocketAddress(host, port));
	}

	@Override
	public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
			throws IOException {
		return connected(new InetSocketAddress(localAddress, localPort), new InetSocketAddress(address, port));
	}

	private Socket connected(SocketAddress local, SocketAddress remote) throws IOException {
		Socket socket = createSocket();
		try {
			if (local != null) {
				socket.bind(local);
			}
			socket.connect(remote);
			return socket;
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
	}

	/** A TCP socket that reports its first closing when it is the latest. */
	private final class WatchedSocket extends Socket {

		private final AtomicBoolean closed = new AtomicBoolean();

		@Override
		public void close() throws IOException {
			try {
				super.close();
			}
			finally {
				if (this.closed.compareAndSet(false, true) && this == WatchedSocketFactory.this.latest) {
					WatchedSocketFactory.this.onLatestClosed.run();
				}
			}
		}

	}

}
