package io.hotconnpool.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import org.conscrypt.Conscrypt;

/**
 * Applies a profile's per-connection ClientHello settings to each Conscrypt socket: session tickets and named groups.
 * <p>
 * These exist only as per-socket calls on Conscrypt's static API, so they are set here, before OkHttp starts the
 * handshake; nothing JVM-wide changes. The delegate is the {@link TlsContext}'s factory, so its handshake deadline
 * still applies.
 */
final class ProfiledSocketFactory extends SSLSocketFactory {

	private final SSLSocketFactory delegate;

	private final boolean sessionTickets;

	private final String[] namedGroups;

	/**
	 * @param delegate a Conscrypt socket factory
	 * @param sessionTickets whether to send the session_ticket extension
	 * @param namedGroups Conscrypt group names in preference order; empty to keep Conscrypt's default
	 */
	ProfiledSocketFactory(SSLSocketFactory delegate, boolean sessionTickets, List<String> namedGroups) {
		this.delegate = delegate;
		this.sessionTickets = sessionTickets;
		this.namedGroups = namedGroups.toArray(String[]::new);
	}

	@Override
	public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
		return profiled(this.delegate.createSocket(socket, host, port, autoClose));
	}

	@Override
	public Socket createSocket(String host, int port) throws IOException {
		return profiled(this.delegate.createSocket(host, port));
	}

	@Override
	public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
		return profiled(this.delegate.createSocket(host, port, localHost, localPort));
	}

	@Override
	public Socket createSocket(InetAddress host, int port) throws IOException {
		return profiled(this.delegate.createSocket(host, port));
	}

	@Override
	public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
			throws IOException {
		return profiled(this.delegate.createSocket(address, port, localAddress, localPort));
	}

	@Override
	public String[] getDefaultCipherSuites() {
		return this.delegate.getDefaultCipherSuites();
	}

	@Override
	public String[] getSupportedCipherSuites() {
		return this.delegate.getSupportedCipherSuites();
	}

	private Socket profiled(Socket socket) {
		// Conscrypt throws on a socket that is not its own: a silent no-op would send the wrong fingerprint.
		SSLSocket tls = (SSLSocket) socket;
		Conscrypt.setUseSessionTickets(tls, this.sessionTickets);
		if (this.namedGroups.length > 0) {
			Conscrypt.setNamedGroups(tls, this.namedGroups);
		}
		return socket;
	}

}
