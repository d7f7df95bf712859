package io.hotconnpool.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;

import javax.net.ssl.SSLSocketFactory;

/**
 * Puts a deadline on the TLS handshake: every handshake read waits at most the given time.
 * <p>
 * OkHttp has no handshake timeout of its own: it leaves the read timeout on the socket while it handshakes, and
 * sets its own timeouts once the handshake is done (the read timeout for HTTP/1.1, none for the HTTP/2 reader).
 */
final class HandshakeDeadlineSocketFactory extends SSLSocketFactory {

	private final SSLSocketFactory delegate;

	private final int handshakeTimeoutMillis;

	HandshakeDeadlineSocketFactory(SSLSocketFactory delegate, Duration handshakeTimeout) {
		this.delegate = delegate;
		this.handshakeTimeoutMillis = Math.toIntExact(Math.max(1, handshakeTimeout.toMillis()));
	}

	@Override
	public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
		socket.setSoTimeout(this.handshakeTimeoutMillis);
		return withDeadline(this.delegate.createSocket(socket, host, port, autoClose));
	}

	@Override
	public Socket createSocket(String host, int port) throws IOException {
		return withDeadline(this.delegate.createSocket(host, port));
	}

	@Override
	public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
		return withDeadline(this.delegate.createSocket(host, port, localHost, localPort));
	}

	@Override
	public Socket createSocket(InetAddress host, int port) throws IOException {
		return withDeadline(this.delegate.createSocket(host, port));
	}

	@Override
	public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
			throws IOException {
		return withDeadline(this.delegate.createSocket(address, port, localAddress, localPort));
	}

	@Override
	public String[] getDefaultCipherSuites() {
		return this.delegate.getDefaultCipherSuites();
	}

	@Override
	public String[] getSupportedCipherSuites() {
		return this.delegate.getSupportedCipherSuites();
	}

	private Socket withDeadline(Socket socket) throws IOException {
		socket.setSoTimeout(this.handshakeTimeoutMillis);
		return socket;
	}

}
