package io.hotconnpool.tls;

import java.io.IOException;
import java.net.Socket;

import javax.net.ssl.SSLSocketFactory;

/**
 * An {@link SSLSocketFactory} that delegates layering TLS over a TCP socket and then configures every socket it hands
 * out. The subclasses say only what they set.
 */
abstract class SocketConfiguringSslSocketFactory extends LayeringSslSocketFactory {

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
	public String[] getDefaultCipherSuites() {
		return this.delegate.getDefaultCipherSuites();
	}

	@Override
	public String[] getSupportedCipherSuites() {
		return this.delegate.getSupportedCipherSuites();
	}

}
