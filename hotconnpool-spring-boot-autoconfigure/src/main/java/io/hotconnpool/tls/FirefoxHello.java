package io.hotconnpool.tls;

import java.util.List;
import java.util.Map;

import org.bouncycastle.tls.ExtensionType;
import org.bouncycastle.tls.NamedGroup;
import org.bouncycastle.tls.SignatureScheme;

/**
 * Firefox's ClientHello (Firefox 144 desktop, NSS): no GREASE, 17 extensions in one fixed order, the ffdhe groups,
 * three key shares, SHA-1 signature schemes last, delegated credentials, a record size limit, certificate compression
 * with zlib, brotli and zstd, and a GREASE encrypted_client_hello. Checked against Firefox 144's JA3 (which keeps the
 * order) and JA4.
 */
final class FirefoxHello {

	/**
	 * Firefox's 17 cipher suites in Firefox's order:
	 * 1301,1303,1302,c02b,c02f,cca9,cca8,c02c,c030,c00a,c009,c013,c014,009c,009d,002f,0035.
	 */
	static final List<String> CIPHER_SUITE_NAMES = List.of("TLS_AES_128_GCM_SHA256",
			"TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
			"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
			"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
			"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
			"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
			"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384",
			"TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA");

	/** delegated_credentials (RFC 9345). */
	static final int DELEGATED_CREDENTIALS = 34;

	/** The record size limit Firefox announces (RFC 8449): a full TLS 1.3 record, 2^14 + 1. */
	static final int RECORD_SIZE_LIMIT = 0x4001;

	/** Firefox 144's hello. */
	static final BrowserHello HELLO = new BrowserHello("Firefox 144", CIPHER_SUITE_NAMES,
			new int[] { NamedGroup.X25519MLKEM768, NamedGroup.x25519, NamedGroup.secp256r1, NamedGroup.secp384r1,
					NamedGroup.secp521r1, NamedGroup.ffdhe2048, NamedGroup.ffdhe3072 },
			new int[] { NamedGroup.X25519MLKEM768, NamedGroup.x25519, NamedGroup.secp256r1 },
			// 0403,0503,0603,0804,0805,0806,0401,0501,0601,0203,0201
			new int[] { SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.ecdsa_secp384r1_sha384,
					SignatureScheme.ecdsa_secp521r1_sha512, SignatureScheme.rsa_pss_rsae_sha256,
					SignatureScheme.rsa_pss_rsae_sha384, SignatureScheme.rsa_pss_rsae_sha512,
					SignatureScheme.rsa_pkcs1_sha256, SignatureScheme.rsa_pkcs1_sha384, SignatureScheme.rsa_pkcs1_sha512,
					SignatureScheme.ecdsa_sha1, SignatureScheme.rsa_pkcs1_sha1 },
			List.of(ExtensionType.server_name, ExtensionType.extended_master_secret, ExtensionType.renegotiation_info,
					ExtensionType.supported_groups, ExtensionType.ec_point_formats, ExtensionType.session_ticket,
					ExtensionType.application_layer_protocol_negotiation, ExtensionType.status_request,
					DELEGATED_CREDENTIALS, ExtensionType.signed_certificate_timestamp, ExtensionType.key_share,
					ExtensionType.supported_versions, ExtensionType.signature_algorithms,
					ExtensionType.psk_key_exchange_modes, ExtensionType.record_size_limit,
					ExtensionType.compress_certificate, BrowserHello.ENCRYPTED_CLIENT_HELLO),
			false, new int[] { BrowserHello.ZLIB, BrowserHello.BROTLI, BrowserHello.ZSTD },
			// NSS's GREASE ECH payload: 223 bytes and the AEAD tag
			new int[] { 239 },
			Map.of(
					// ECDSA schemes a delegated credential may use: 0403,0503,0603,0203
					DELEGATED_CREDENTIALS, new byte[] { 0, 8, 4, 3, 5, 3, 6, 3, 2, 3 },
					ExtensionType.record_size_limit,
					new byte[] { (byte) (RECORD_SIZE_LIMIT >> 8), (byte) RECORD_SIZE_LIMIT }));

	private FirefoxHello() {
	}

}
