package io.hotconnpool.test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;

import javax.net.ServerSocketFactory;

/**
 * Server sockets set up as real servers (nginx, Netty, Go) set theirs: accepted connections have {@code TCP_NODELAY}
 * on, and {@code SO_REUSEADDR} stays on.
 */
final class RealServerSocketFactory extends ServerSocketFactory {

	@Override
	public ServerSocket createServerSocket() throws IOException {
		return new RealServerSocket();
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
		ServerSocket socket = new RealServerSocket();
		socket.bind(address, backlog);
		return socket;
	}

	private static final class RealServerSocket extends ServerSocket {

		RealServerSocket() throws IOException {
		}

		/**
		 * MockWebServer turns {@code SO_REUSEADDR} off on a server asked for any free port, and its accepted
		 * connections inherit that: one that ends in {@code TIME_WAIT} after a close would hold the port against a
		 * restart for a minute.
		 */
		@Override
		public void setReuseAddress(boolean ignored) throws SocketException {
			super.setReuseAddress(true);
		}

		@Override
		public Socket accept() throws IOException {
			Socket socket = super.accept();
			socket.setTcpNoDelay(true);
			return socket;
		}

	}

}
