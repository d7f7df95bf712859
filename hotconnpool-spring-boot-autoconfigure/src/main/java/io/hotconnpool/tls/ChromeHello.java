package io.hotconnpool.tls;

import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Hashtable;
import java.util.List;

import org.bouncycastle.tls.ClientHello;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ExtensionType;
import org.bouncycastle.tls.HandshakeType;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.SignatureScheme;

/**
 * Chrome's ClientHello (Chrome 133 and later, desktop), field by field, and the bytes the browser engine sends for it.
 * <p>
 * Bouncy Castle decides what a hello means (suites, groups, key shares, extension contents); this class decides how
 * it looks on the wire: GREASE values (RFC 8701) in the cipher suites, the first and last extension, the groups, the
 * key shares and the versions, and the extensions in an order drawn afresh for every connection, as BoringSSL does
 * for Chrome ({@code SSL_CTX_set_permute_extensions}).
 */
final class ChromeHello {

	/** Chrome's 15 cipher suites in Chrome's order, after a GREASE value. */
	static final int[] CIPHER_SUITES = { CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384,
			CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
			CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
			CipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384, CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA,
			CipherSuite.TLS_RSA_WITH_AES_256_CBC_SHA };

	/** The same suites by their Java names, index for index. */
	static final List<String> CIPHER_SUITE_NAMES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
			"TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
			"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
			"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
			"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
			"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384",
			"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA");

	/** supported_groups after a GREASE group; the first two also get key shares. */
	static final int[] GROUPS = { NamedGroup.X25519MLKEM768, NamedGroup.x25519, NamedGroup.secp256r1,
			NamedGroup.secp384r1 };

	static final int[] KEY_SHARE_GROUPS = { NamedGroup.X25519MLKEM768, NamedGroup.x25519 };

	/** signature_algorithms in Chrome's order: 0403,0804,0401,0503,0805,0501,0806,0601. */
	static final int[] SIGNATURE_SCHEMES = { SignatureScheme.ecdsa_secp256r1_sha256,
			SignatureScheme.rsa_pss_rsae_sha256, SignatureScheme.rsa_pkcs1_sha256, SignatureScheme.ecdsa_secp384r1_sha384,
			SignatureScheme.rsa_pss_rsae_sha384, SignatureScheme.rsa_pkcs1_sha384, SignatureScheme.rsa_pss_rsae_sha512,
			SignatureScheme.rsa_pkcs1_sha512 };

	/** ALPS, new code point (Chrome 133 and later); the old one was 17513. */
	static final int APPLICATION_SETTINGS = 17613;

	/** encrypted_client_hello: Chrome sends a GREASE one when it has no ECH config for the host. */
	static final int ENCRYPTED_CLIENT_HELLO = 0xfe0d;

	/** The one certificate compression algorithm offered: brotli (RFC 8879). */
	static final int BROTLI = 2;

	/** Chrome's 16 extensions. Every connection sends them in a new random order. */
	static final List<Integer> EXTENSIONS = List.of(ExtensionType.server_name, ExtensionType.extended_master_secret,
			ExtensionType.renegotiation_info, ExtensionType.supported_groups, ExtensionType.ec_point_formats,
			ExtensionType.session_ticket, ExtensionType.application_layer_protocol_negotiation,
			ExtensionType.status_request, ExtensionType.signature_algorithms, ExtensionType.signed_certificate_timestamp,
			ExtensionType.key_share, ExtensionType.psk_key_exchange_modes, ExtensionType.supported_versions,
			ExtensionType.compress_certificate, APPLICATION_SETTINGS, ENCRYPTED_CLIENT_HELLO);

	private ChromeHello() {
	}

	/**
	 * The extensions Bouncy Castle does not make itself, with Chrome's contents. ECH GREASE is drawn per connection
	 * as BoringSSL draws it: HKDF-SHA256, AES-128-GCM, a random config id, a random 32-byte X25519 "key" and a random
	 * payload of 144, 176, 208 or 240 bytes.
	 */
	static void addExtensions(Hashtable<Integer, byte[]> extensions, SecureRandom random) {
		extensions.put(ExtensionType.renegotiation_info, new byte[] { 0 });
		extensions.put(ExtensionType.session_ticket, new byte[0]);
		extensions.put(ExtensionType.signed_certificate_timestamp, new byte[0]);
		extensions.put(ExtensionType.psk_key_exchange_modes, new byte[] { 1, 1 }); // psk_dhe_ke
		extensions.put(ExtensionType.compress_certificate, new byte[] { 2, 0, BROTLI });
		extensions.put(APPLICATION_SETTINGS, new byte[] { 0, 3, 2, 'h', '2' });
		int payloadLength = 32 * (4 + random.nextInt(4)) + 16;
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

	/** The GREASE values and the extension order of one connection, drawn once and kept for a HelloRetryRequest. */
	static final class Draw {

		private final int cipherGrease;

		private final int groupGrease;

		private final int versionGrease;

		private final int firstExtensionGrease;

		private final int lastExtensionGrease;

		private final List<Integer> order;

		Draw(SecureRandom random) {
			this.cipherGrease = grease(random);
			this.groupGrease = grease(random);
			this.versionGrease = grease(random);
			this.firstExtensionGrease = grease(random);
			int last = grease(random);
			// BoringSSL keeps the two GREASE extensions apart: a repeated extension type is a protocol error.
			this.lastExtensionGrease = (last == this.firstExtensionGrease) ? last ^ 0x1010 : last;
			List<Integer> shuffled = new ArrayList<>(EXTENSIONS);
			Collections.shuffle(shuffled, random);
			this.order = List.copyOf(shuffled);
		}

		private static int grease(SecureRandom random) {
			int value = (random.nextInt(16) << 4) | 0x0a;
			return (value << 8) | value;
		}

		/**
		 * The handshake message for Bouncy Castle's ClientHello, with GREASE and this connection's extension order.
		 * @param hello what Bouncy Castle decided to send
		 * @param retry whether this answers a HelloRetryRequest (one key share, and no GREASE share, then)
		 * @return the message, handshake header included
		 */
		byte[] encode(ClientHello hello, boolean retry) {
			Bytes body = new Bytes();
			body.u16((hello.getVersion().getMajorVersion() << 8) | hello.getVersion().getMinorVersion());
			body.write(hello.getRandom());
			body.u8(hello.getSessionID().length);
			body.write(hello.getSessionID());
			int[] suites = hello.getCipherSuites();
			body.u16(2 * (suites.length + 1));
			body.u16(this.cipherGrease);
			for (int suite : suites) {
				body.u16(suite);
			}
			body.u8(1);
			body.u8(0); // null compression
			@SuppressWarnings("unchecked")
			Hashtable<Integer, byte[]> extensions = hello.getExtensions();
			Bytes all = new Bytes();
			extension(all, this.firstExtensionGrease, new byte[0]);
			for (int type : this.order) {
				byte[] data = extensions.get(type);
				if (data != null) {
					extension(all, type, withGrease(type, data, retry));
				}
			}
			for (Integer type : Collections.list(extensions.keys())) {
				// A HelloRetryRequest may ask for a cookie: answered before the trailing GREASE, as BoringSSL does.
				if (!EXTENSIONS.contains(type) && type != ExtensionType.pre_shared_key) {
					extension(all, type, extensions.get(type));
				}
			}
			extension(all, this.lastExtensionGrease, new byte[] { 0 });
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
