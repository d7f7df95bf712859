package io.hotconnpool.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

import javax.net.ssl.SSLSocketFactory;

/**
 * An {@link SSLSocketFactory} that delegates socket creation and then configures every socket it hands out. The
 * subclasses say only what they set.
 */
abstract class SocketConfiguringSslSocketFactory extends SSLSocketFactory {

	private final SSLSocketFactory delegate;

	SocketConfiguringSslSocketFactory(SSLSocketFactory delegate) {
		this.delegate = delegate;
	}

	/** Configures a socket before OkHttp starts its handshake. */
	abstract Socket configure(Socket socket) throws IOException;

	/** Configures the plain TCP socket a TLS socket is layered over; nothing by default. */
	void configureLayered(Socket plain) throws IOException {
	}

	@Override
	public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
		configureLayered(socket);
		return configure(this.delegate.createSocket(socket, host, port, autoClose));
	}

	@Override
	public Socket createSocket(String host, int port) throws IOException {
		return configure(this.delegate.createSocket(host, port));
	}

	@Override
	public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
		return configure(this.delegate.createSocket(host, port, localHost, localPort));
	}

	@Override
	public Socket createSocket(InetAddress host, int port) throws IOException {
		return configure(this.delegate.createSocket(host, port));
	}

	@Override
	public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
			throws IOException {
		return configure(this.delegate.createSocket(address, port, localAddress, localPort));
	}

	@Override
	public String[] getDefaultCipherSuites() {
		return this.delegate.getDefaultCipherSuites();
	}

	@Override
	public String[] getSupportedCipherSuites() {
		return this.delegate.getSupportedCipherSuites();
	}

}
