package io.hotconnpool.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientHello;
import org.bouncycastle.tls.ExtensionType;
import org.bouncycastle.tls.HandshakeType;
import org.bouncycastle.tls.TlsExtensionsUtils;

/**
 * One browser's ClientHello, field by field, and the bytes the browser engine sends for it. {@link ChromeHello} and
 * {@link FirefoxHello} hold the two browsers' values; this class turns them into a hello.
 * <p>
 * Bouncy Castle decides what a hello means (suites, groups, key shares, extension contents); this class decides how
 * it looks on the wire: the extensions in the browser's order (or, for a browser that permutes them, in an order drawn
 * afresh for every connection, as BoringSSL does for Chrome), and, for a browser that sends them, GREASE values
 * (RFC 8701) in the cipher suites, the first and last extension, the groups, the key shares and the versions.
 *
 * @param browser the browser and version, for messages, e.g. {@code Chrome 149}
 * @param cipherSuiteNames the cipher suites in the browser's order, by their Java (and Bouncy Castle) names
 * @param groups supported_groups in the browser's order
 * @param keyShareGroups the groups that get a key share in the first hello
 * @param signatureSchemes signature_algorithms in the browser's order
 * @param extensions the extensions the browser sends, in its order (the order is drawn per connection when
 * {@code greaseAndPermute})
 * @param greaseAndPermute whether the browser sends GREASE and permutes its extensions (Chrome), or neither (Firefox)
 * @param certificateCompression the certificate compression algorithms offered (RFC 8879), in order
 * @param echPayloadLengths the lengths a GREASE encrypted_client_hello payload is drawn from
 * @param fixedExtensions extensions only this browser sends, with their contents
 */
record BrowserHello(String browser, List<String> cipherSuiteNames, int[] groups, int[] keyShareGroups,
		int[] signatureSchemes, List<Integer> extensions, boolean greaseAndPermute, int[] certificateCompression,
		int[] echPayloadLengths, Map<Integer, byte[]> fixedExtensions) {

	/** encrypted_client_hello: both browsers send a GREASE one when they have no ECH config for the host. */
	static final int ENCRYPTED_CLIENT_HELLO = 0xfe0d;

	/** Certificate compression algorithms (RFC 8879 and its registry). */
	static final int ZLIB = 1;

	static final int BROTLI = 2;

	static final int ZSTD = 3;

	/** Code points by suite name, looked up once. */
	private static final Map<String, Integer> CIPHER_SUITE_CODES = new ConcurrentHashMap<>();

	BrowserHello {
		cipherSuiteNames.forEach(BrowserHello::cipherSuite); // an unknown name fails when the hello is defined
	}

	/** The suites as code points, index for index with {@link #cipherSuiteNames()}. */
	int[] cipherSuites() {
		int[] codes = new int[this.cipherSuiteNames.size()];
		for (int i = 0; i < codes.length; i++) {
			codes[i] = cipherSuite(this.cipherSuiteNames.get(i));
		}
		return codes;
	}

	/** The Java name of a suite this hello offers. */
	String cipherSuiteName(int code) {
		for (String name : this.cipherSuiteNames) {
			if (cipherSuite(name) == code) {
				return name;
			}
		}
		throw new IllegalStateException("Negotiated a cipher suite that was not offered: " + code);
	}

	/** Bouncy Castle names its suite constants as Java does. */
	private static int cipherSuite(String name) {
		return CIPHER_SUITE_CODES.computeIfAbsent(name, (suite) -> {
			try {
				return CipherSuite.class.getField(suite).getInt(null);
			}
			catch (ReflectiveOperationException ex) {
				throw new IllegalStateException("Bouncy Castle has no cipher suite " + suite, ex);
			}
		});
	}

	/**
	 * The extensions Bouncy Castle does not make itself, with the browser's contents. A GREASE encrypted_client_hello
	 * is drawn per connection: HKDF-SHA256, AES-128-GCM, a random config id, a random 32-byte X25519 "key" and a random
	 * payload of one of the browser's lengths.
	 */
	void addExtensions(Hashtable<Integer, byte[]> extensions, SecureRandom random) throws IOException {
		extensions.put(ExtensionType.renegotiation_info, new byte[] { 0 });
		extensions.put(ExtensionType.session_ticket, new byte[0]);
		extensions.put(ExtensionType.signed_certificate_timestamp, new byte[0]);
		extensions.put(ExtensionType.psk_key_exchange_modes, new byte[] { 1, 1 }); // psk_dhe_ke
		TlsExtensionsUtils.addCompressCertificateExtension(extensions, this.certificateCompression);
		this.fixedExtensions.forEach((type, data) -> extensions.put(type, data.clone()));
		int payloadLength = this.echPayloadLengths[random.nextInt(this.echPayloadLengths.length)];
		Bytes ech = new Bytes();
		ech.u8(0); // outer ClientHello
		ech.u16(0x0001); // HKDF-SHA256
		ech.u16(0x0001); // AES-128-GCM
		ech.u8(random.nextInt(256));
		ech.u16(32);
		ech.random(random, 32);
		ech.u16(payloadLength);
		ech.random(random, payloadLength);
		extensions.put(ENCRYPTED_CLIENT_HELLO, ech.toByteArray());
	}

	/** Whether {@code algorithm} was offered for certificate compression. */
	boolean offersCertificateCompression(int algorithm) {
		for (int offered : this.certificateCompression) {
			if (offered == algorithm) {
				return true;
			}
		}
		return false;
	}

	/** Draws what varies between this browser's connections. */
	Draw draw(SecureRandom random) {
		return new Draw(this, random);
	}

	/**
	 * The GREASE values and the extension order of one connection, drawn once and kept for a HelloRetryRequest. For a
	 * browser without GREASE the values are unused and the order is the browser's.
	 */
	static final class Draw {

		private final BrowserHello hello;

		private final int cipherGrease;

		private final int groupGrease;

		private final int versionGrease;

		private final int firstExtensionGrease;

		private final int lastExtensionGrease;

		private final List<Integer> order;

		Draw(BrowserHello hello, SecureRandom random) {
			this.hello = hello;
			this.cipherGrease = grease(random);
			this.groupGrease = grease(random);
			this.versionGrease = grease(random);
			this.firstExtensionGrease = grease(random);
			int last = grease(random);
			// BoringSSL keeps the two GREASE extensions apart: a repeated extension type is a protocol error.
			this.lastExtensionGrease = (last == this.firstExtensionGrease) ? last ^ 0x1010 : last;
			List<Integer> order = new ArrayList<>(hello.extensions());
			if (hello.greaseAndPermute()) {
				Collections.shuffle(order, random);
			}
			this.order = List.copyOf(order);
		}

		private static int grease(SecureRandom random) {
			int value = (random.nextInt(16) << 4) | 0x0a;
			return (value << 8) | value;
		}

		/**
		 * The handshake message for Bouncy Castle's ClientHello, in this connection's extension order, with GREASE when
		 * the browser sends it.
		 * @param hello what Bouncy Castle decided to send
		 * @param retry whether this answers a HelloRetryRequest (one key share, and no GREASE share, then)
		 * @return the message, handshake header included
		 */
		byte[] encode(ClientHello hello, boolean retry) {
			boolean grease = this.hello.greaseAndPermute();
			Bytes body = new Bytes();
			body.u16((hello.getVersion().getMajorVersion() << 8) | hello.getVersion().getMinorVersion());
			body.write(hello.getRandom());
			body.u8(hello.getSessionID().length);
			body.write(hello.getSessionID());
			int[] suites = hello.getCipherSuites();
			body.u16(2 * (suites.length + (grease ? 1 : 0)));
			if (grease) {
				body.u16(this.cipherGrease);
			}
			for (int suite : suites) {
				body.u16(suite);
			}
			body.u8(1);
			body.u8(0); // null compression
			@SuppressWarnings("unchecked")
			Hashtable<Integer, byte[]> extensions = hello.getExtensions();
			Bytes all = new Bytes();
			if (grease) {
				extension(all, this.firstExtensionGrease, new byte[0]);
			}
			for (int type : this.order) {
				byte[] data = extensions.get(type);
				if (data != null) {
					extension(all, type, grease ? withGrease(type, data, retry) : data);
				}
			}
			for (Integer type : Collections.list(extensions.keys())) {
				// A HelloRetryRequest may ask for a cookie: answered before the trailing GREASE, as BoringSSL does.
				if (!this.hello.extensions().contains(type) && type != ExtensionType.pre_shared_key) {
					extension(all, type, extensions.get(type));
				}
			}
			if (grease) {
				extension(all, this.lastExtensionGrease, new byte[] { 0 });
			}
			body.u16(all.size());
			body.write(all.toByteArray());
			Bytes message = new Bytes();
			message.u8(HandshakeType.client_hello);
			message.u24(body.size());
			message.write(body.toByteArray());
			return message.toByteArray();
		}

		private byte[] withGrease(int type, byte[] data, boolean retry) {
			if (type == ExtensionType.supported_groups) { // u16 length, groups
				return prepend(data, 2, u16(this.groupGrease));
			}
			if (type == ExtensionType.supported_versions) { // u8 length, versions
				byte[] out = prepend(data, 1, u16(this.versionGrease));
				out[0] = (byte) (data[0] + 2);
				return out;
			}
			if (type == ExtensionType.key_share && !retry) { // u16 length, then a GREASE share of one zero byte
				return prepend(data, 2, new byte[] { (byte) (this.groupGrease >> 8), (byte) this.groupGrease, 0, 1, 0 });
			}
			return data;
		}

		/** Inserts {@code inserted} after a length prefix of {@code prefix} bytes and fixes that length. */
		private static byte[] prepend(byte[] data, int prefix, byte[] inserted) {
			byte[] out = new byte[data.length + inserted.length];
			System.arraycopy(inserted, 0, out, prefix, inserted.length);
			System.arraycopy(data, prefix, out, prefix + inserted.length, data.length - prefix);
			if (prefix == 2) {
				int length = out.length - 2;
				out[0] = (byte) (length >> 8);
				out[1] = (byte) length;
			}
			return out;
		}

		private static byte[] u16(int value) {
			return new byte[] { (byte) (value >> 8), (byte) value };
		}

		private static void extension(Bytes out, int type, byte[] data) {
			out.u16(type);
			out.u16(data.length);
			out.write(data);
		}

	}

	/** Big-endian TLS encoding into a growing buffer. */
	static final class Bytes extends ByteArrayOutputStream {

		void u8(int value) {
			write(value);
		}

		void u16(int value) {
			write(value >> 8);
			write(value);
		}

		void u24(int value) {
			write(value >> 16);
			u16(value);
		}

		@Override
		public void write(byte[] bytes) {
			write(bytes, 0, bytes.length);
		}

		void random(SecureRandom random, int length) {
			byte[] bytes = new byte[length];
			random.nextBytes(bytes);
			write(bytes);
		}

	}

}
