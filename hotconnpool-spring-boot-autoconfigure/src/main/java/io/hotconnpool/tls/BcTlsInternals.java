package io.hotconnpool.tls;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

import org.bouncycastle.tls.TlsHandshakeHash;
import org.bouncycastle.tls.TlsProtocol;

/**
 * The two package-private parts of Bouncy Castle's {@link TlsProtocol} the browser engine needs: writing a handshake
 * message and the transcript hash. Resolved once by reflection; a Bouncy Castle without them fails the first use with
 * a message naming the version this was built for (the version is pinned for that reason).
 */
final class BcTlsInternals {

	private static final Method WRITE_HANDSHAKE_MESSAGE;

	private static final Field HANDSHAKE_HASH;

	static {
		try {
			WRITE_HANDSHAKE_MESSAGE = TlsProtocol.class.getDeclaredMethod("writeHandshakeMessage", byte[].class,
					int.class, int.class);
			WRITE_HANDSHAKE_MESSAGE.setAccessible(true);
			HANDSHAKE_HASH = TlsProtocol.class.getDeclaredField("handshakeHash");
			HANDSHAKE_HASH.setAccessible(true);
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			throw new IllegalStateException("The browser TLS engine needs Bouncy Castle bctls 1.84: this one lacks"
					+ " TlsProtocol.writeHandshakeMessage or TlsProtocol.handshakeHash (" + ex + ")", ex);
		}
	}

	private BcTlsInternals() {
	}

	/**
	 * Writes a whole handshake message (header included) in handshake records. Every type but client_hello is added
	 * to the transcript on the way.
	 */
	static void writeHandshakeMessage(TlsProtocol protocol, byte[] message) throws IOException {
		try {
			WRITE_HANDSHAKE_MESSAGE.invoke(protocol, message, 0, message.length);
		}
		catch (InvocationTargetException ex) {
			if (ex.getCause() instanceof IOException io) {
				throw io;
			}
			throw new IllegalStateException(ex.getCause());
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static TlsHandshakeHash handshakeHash(TlsProtocol protocol) {
		try {
			return (TlsHandshakeHash) HANDSHAKE_HASH.get(protocol);
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static void setHandshakeHash(TlsProtocol protocol, TlsHandshakeHash hash) {
		try {
			HANDSHAKE_HASH.set(protocol, hash);
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
