package io.hotconnpool.tls;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;

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

	/** The transcript hash, to which the client's ClientHello is added by its sender. */
	static TlsHandshakeHash handshakeHash(TlsProtocol protocol) {
		try {
			return (TlsHandshakeHash) HANDSHAKE_HASH.get(protocol);
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Makes the transcript hash the message as received ({@code received}) when Bouncy Castle hashes the message it was
	 * handed in its place ({@code handedOver}); every other call goes to the hash unchanged.
	 */
	static void hashInstead(TlsProtocol protocol, byte[] handedOver, byte[] received) {
		TlsHandshakeHash hash = handshakeHash(protocol);
		InvocationHandler substituting = (proxy, method, args) -> {
			if ("update".equals(method.getName()) && Arrays.equals((byte[]) args[0], (int) args[1],
					(int) args[1] + (int) args[2], handedOver, 0, handedOver.length)) {
				hash.update(received, 0, received.length);
				return null;
			}
			try {
				return method.invoke(hash, args);
			}
			catch (InvocationTargetException ex) {
				throw ex.getCause();
			}
		};
		try {
			HANDSHAKE_HASH.set(protocol, Proxy.newProxyInstance(TlsHandshakeHash.class.getClassLoader(),
					new Class<?>[] { TlsHandshakeHash.class }, substituting));
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
