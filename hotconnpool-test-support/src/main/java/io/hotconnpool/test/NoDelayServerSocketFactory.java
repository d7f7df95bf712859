package io.hotconnpool.test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

import javax.net.ServerSocketFactory;

/** Server sockets whose accepted connections have {@code TCP_NODELAY} on, as real servers set it. */
final class NoDelayServerSocketFactory extends ServerSocketFactory {

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
