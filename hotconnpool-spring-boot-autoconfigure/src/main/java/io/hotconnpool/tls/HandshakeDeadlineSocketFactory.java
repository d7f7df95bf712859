package io.hotconnpool.tls;

import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;

import javax.net.ssl.SSLSocketFactory;

/**
 * Puts a deadline on the TLS handshake: every handshake read waits at most the given time.
 * <p>
 * OkHttp has no handshake timeout of its own: it leaves the read timeout on the socket while it handshakes, and
 * sets its own timeouts once the handshake is done (the read timeout for HTTP/1.1, none for the HTTP/2 reader).
 */
final class HandshakeDeadlineSocketFactory extends SocketConfiguringSslSocketFactory {

	private final int handshakeTimeoutMillis;

	HandshakeDeadlineSocketFactory(SSLSocketFactory delegate, Duration handshakeTimeout) {
		super(delegate);
		this.handshakeTimeoutMillis = Math.toIntExact(Math.max(1, handshakeTimeout.toMillis()));
	}

	@Override
	void configureLayered(Socket plain) throws SocketException {
		plain.setSoTimeout(this.handshakeTimeoutMillis);
	}

	@Override
	Socket configure(Socket socket) throws SocketException {
		socket.setSoTimeout(this.handshakeTimeoutMillis);
		return socket;
	}

}
