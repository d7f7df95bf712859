package io.hotconnpool.tls;

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
final class ProfiledSocketFactory extends SocketConfiguringSslSocketFactory {

	private final boolean sessionTickets;

	private final String[] namedGroups;

	/**
	 * @param delegate a Conscrypt socket factory
	 * @param sessionTickets whether to send the session_ticket extension
	 * @param namedGroups Conscrypt group names in preference order; empty to keep Conscrypt's default
	 */
	ProfiledSocketFactory(SSLSocketFactory delegate, boolean sessionTickets, List<String> namedGroups) {
		super(delegate);
		this.sessionTickets = sessionTickets;
		this.namedGroups = namedGroups.toArray(String[]::new);
	}

	@Override
	Socket configure(Socket socket) {
		// Conscrypt throws on a socket that is not its own: a silent no-op would send the wrong fingerprint.
		SSLSocket tls = (SSLSocket) socket;
		Conscrypt.setUseSessionTickets(tls, this.sessionTickets);
		if (this.namedGroups.length > 0) {
			Conscrypt.setNamedGroups(tls, this.namedGroups);
		}
		return socket;
	}

}
