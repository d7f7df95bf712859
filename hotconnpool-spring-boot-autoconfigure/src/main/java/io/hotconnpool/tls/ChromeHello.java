package io.hotconnpool.tls;

import java.util.List;
import java.util.Map;

import org.bouncycastle.tls.ExtensionType;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.SignatureScheme;

/**
 * Chrome's ClientHello (Chrome 133 and later, desktop): GREASE, its 16 extensions in a new order for every connection,
 * brotli certificate compression, ALPS for h2 and a GREASE encrypted_client_hello.
 */
final class ChromeHello {

	/**
	 * Chrome's 15 cipher suites in Chrome's order (after a GREASE value on the wire):
	 * 1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035. Also OkHttp's {@code MODERN_TLS}.
	 */
	static final List<String> CIPHER_SUITE_NAMES = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
			"TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
			"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
			"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
			"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
			"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384",
			"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA");

	/** ALPS, new code point (Chrome 133 and later); the old one was 17513. */
	static final int APPLICATION_SETTINGS = 17613;

	/**
	 * The application settings Chrome sends for h2 when a server accepts ALPS: an HTTP/2 SETTINGS frame with Chrome's
	 * values in Chrome's order — ENABLE_PUSH 0, INITIAL_WINDOW_SIZE 6291456, MAX_HEADER_LIST_SIZE 262144 — except
	 * Chrome's HEADER_TABLE_SIZE 65536. OkHttp's own SETTINGS frame never lowers the header table again, and its HPACK
	 * decoder refuses a table over 4096 bytes: a server that took 65536 from ALPS and used it would break the
	 * connection. The values sent are safe because OkHttp's SETTINGS frame overrides the window with a larger one and
	 * push and the header list size are advisory for a client.
	 */
	static final byte[] H2_SETTINGS = { 0, 0, 18, 4, 0, 0, 0, 0, 0, // length 18, SETTINGS, no flags, stream 0
			0, 2, 0, 0, 0, 0, // ENABLE_PUSH 0
			0, 4, 0, 0x60, 0, 0, // INITIAL_WINDOW_SIZE 6291456
			0, 6, 0, 4, 0, 0 }; // MAX_HEADER_LIST_SIZE 262144

	/** Chrome 149's hello. */
	static final BrowserHello HELLO = new BrowserHello("Chrome 149", CIPHER_SUITE_NAMES,
			// supported_groups after a GREASE group; the first two also get key shares
			new int[] { NamedGroup.X25519MLKEM768, NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1 },
			new int[] { NamedGroup.X25519MLKEM768, NamedGroup.x25519 },
			// 0403,0804,0401,0503,0805,0501,0806,0601
			new int[] { SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.rsa_pss_rsae_sha256,
					SignatureScheme.rsa_pkcs1_sha256, SignatureScheme.ecdsa_secp384r1_sha384,
					SignatureScheme.rsa_pss_rsae_sha384, SignatureScheme.rsa_pkcs1_sha384,
					SignatureScheme.rsa_pss_rsae_sha512, SignatureScheme.rsa_pkcs1_sha512 },
			List.of(ExtensionType.server_name, ExtensionType.extended_master_secret, ExtensionType.renegotiation_info,
					ExtensionType.supported_groups, ExtensionType.ec_point_formats, ExtensionType.session_ticket,
					ExtensionType.application_layer_protocol_negotiation, ExtensionType.status_request,
					ExtensionType.signature_algorithms, ExtensionType.signed_certificate_timestamp,
					ExtensionType.key_share, ExtensionType.psk_key_exchange_modes, ExtensionType.supported_versions,
					ExtensionType.compress_certificate, APPLICATION_SETTINGS, BrowserHello.ENCRYPTED_CLIENT_HELLO),
			true, new int[] { BrowserHello.BROTLI },
			// BoringSSL pads a GREASE ECH payload to a multiple of 32 plus the AEAD tag
			new int[] { 144, 176, 208, 240 },
			// ALPS offered for h2 only
			Map.of(APPLICATION_SETTINGS, new byte[] { 0, 3, 2, 'h', '2' }));

	private ChromeHello() {
	}

}
