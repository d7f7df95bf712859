package io.hotconnpool.tls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The JA3 (Salesforce) and JA4 (FoxIO) fingerprints of a {@link ClientHello}.
 * <p>
 * GREASE values (RFC 8701: both bytes equal, low nibbles {@code 0xa}) are ignored
 * everywhere, as both specifications require, so a client that randomises its GREASE
 * values keeps one fingerprint. JA4 is computed for TLS over TCP (prefix {@code t}).
 * <p>
 * Instances are immutable; every value is computed once, on construction.
 */
public final class TlsFingerprint {

	/** The JA4 value of a part that has nothing to hash, as FoxIO specifies. */
	private static final String EMPTY_JA4_HASH = "000000000000";

	private static final int JA4_HASH_HEX_CHARS = 12;

	private static final int EXTENSION_SERVER_NAME = 0x0000;

	private static final int EXTENSION_ALPN = 0x0010;

	private static final HexFormat LOWER_HEX = HexFormat.of();

	private final ClientHello clientHello;

	private final String ja3String;

	private final String ja4a;

	private final String ja4SortedCiphers;

	private final String ja4SortedExtensionsAndSignatureAlgorithms;

	private TlsFingerprint(ClientHello clientHello) {
		this.clientHello = clientHello;
		this.ja3String = buildJa3String(clientHello);
		this.ja4a = buildJa4a(clientHello);
		this.ja4SortedCiphers = sortedHexList(withoutGrease(clientHello.cipherSuites()));
		this.ja4SortedExtensionsAndSignatureAlgorithms = buildJa4cRaw(clientHello);
	}

	/**
	 * Computes the fingerprints of a ClientHello.
	 * @param clientHello the parsed ClientHello
	 * @return its fingerprints
	 */
	public static TlsFingerprint of(ClientHello clientHello) {
		return new TlsFingerprint(Objects.requireNonNull(clientHello, "clientHello must not be null"));
	}

	/**
	 * The ClientHello these fingerprints describe.
	 * @return the ClientHello
	 */
	public ClientHello clientHello() {
		return this.clientHello;
	}

	/**
	 * The JA3 string: {@code legacy_version,ciphers,extensions,groups,point_formats},
	 * decimal values joined by {@code -} in wire order, GREASE removed, an absent
	 * extension giving an empty field.
	 * @return the JA3 string, e.g. {@code 771,4865-4866-...,0-23-...,29-23-24,0}
	 */
	public String ja3String() {
		return this.ja3String;
	}

	/**
	 * The JA3 fingerprint: the lower-case hex MD5 of {@link #ja3String()}.
	 * @return 32 lower-case hex characters
	 */
	public String ja3() {
		return ja3Hash(this.ja3String);
	}

	/**
	 * The JA4 fingerprint, {@code a_b_c}.
	 * @return e.g. {@code t13d1516h2_8daaf6152771_d8a2da3f94cd}
	 * @see #ja4a()
	 * @see #ja4CipherHash(String)
	 * @see #ja4ExtensionHash(String)
	 */
	public String ja4() {
		return this.ja4a + "_" + ja4CipherHash(this.ja4SortedCiphers) + "_"
				+ ja4ExtensionHash(this.ja4SortedExtensionsAndSignatureAlgorithms);
	}

	/**
	 * The raw JA4 fingerprint (FoxIO's {@code JA4_r}): part a, then the sorted cipher
	 * list, the sorted extension list (without SNI and ALPN) and the signature
	 * algorithms in wire order, each as 4-digit hex, separated by {@code _}. It shows
	 * what {@link #ja4()} hashed, so two clients can be compared value by value.
	 * @return e.g. {@code t13d1516h2_002f,0035,..._0005,000a,..._0403,0804,...}
	 */
	public String ja4r() {
		return this.ja4a + "_" + this.ja4SortedCiphers + "_" + this.ja4SortedExtensionsAndSignatureAlgorithms;
	}

	/**
	 * Part a of JA4: {@code t}, TLS version, {@code d} (SNI) or {@code i} (no SNI),
	 * cipher count, extension count and the first and last characters of the first
	 * ALPN protocol ({@code 00} without ALPN).
	 * @return ten characters, e.g. {@code t13d1516h2}
	 */
	public String ja4a() {
		return this.ja4a;
	}

	/**
	 * Hashes a JA3 string.
	 * @param ja3String a JA3 string as produced by {@link #ja3String()}
	 * @return the lower-case hex MD5 of its UTF-8 bytes
	 */
	public static String ja3Hash(String ja3String) {
		Objects.requireNonNull(ja3String, "ja3String must not be null");
		return LOWER_HEX.formatHex(digest("MD5", ja3String));
	}

	/**
	 * Part b of JA4 from its raw input.
	 * @param sortedCipherList the cipher suites as 4-digit lower-case hex, GREASE
	 * removed, sorted, comma joined, e.g. {@code 002f,0035,009c,...}
	 * @return the first 12 hex characters of its SHA-256, or {@code 000000000000} for
	 * an empty list
	 */
	public static String ja4CipherHash(String sortedCipherList) {
		return ja4Hash(Objects.requireNonNull(sortedCipherList, "sortedCipherList must not be null"));
	}

	/**
	 * Part c of JA4 from its raw input.
	 * @param sortedExtensionsAndSignatureAlgorithms the extension types as 4-digit
	 * lower-case hex, GREASE, SNI ({@code 0000}) and ALPN ({@code 0010}) removed, sorted,
	 * comma joined; then, if the hello has signature algorithms, {@code _} and those in
	 * wire order, e.g. {@code 0005,000a,..._0403,0804,...}
	 * @return the first 12 hex characters of its SHA-256, or {@code 000000000000} when
	 * there is nothing to hash
	 */
	public static String ja4ExtensionHash(String sortedExtensionsAndSignatureAlgorithms) {
		return ja4Hash(Objects.requireNonNull(sortedExtensionsAndSignatureAlgorithms,
				"sortedExtensionsAndSignatureAlgorithms must not be null"));
	}

	/**
	 * Whether a 16-bit code point is a GREASE value (RFC 8701): {@code 0x0a0a},
	 * {@code 0x1a1a}, ... {@code 0xfafa}.
	 * @param value a cipher suite, extension type, group, version or signature algorithm
	 * @return {@code true} for a GREASE value
	 */
	public static boolean isGrease(int value) {
		return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
	}

	/**
	 * Returns {@link #ja4()}.
	 */
	@Override
	public String toString() {
		return ja4();
	}

	private static String buildJa3String(ClientHello hello) {
		return hello.legacyVersion() + "," + decimalList(withoutGrease(hello.cipherSuites())) + ","
				+ decimalList(withoutGrease(hello.extensions())) + ","
				+ decimalList(withoutGrease(hello.supportedGroups())) + "," + decimalList(hello.ecPointFormats());
	}

	private static String buildJa4a(ClientHello hello) {
		return "t" + ja4Version(hello) + (hello.hasServerName() ? "d" : "i")
				+ twoDigitCount(withoutGrease(hello.cipherSuites()).size())
				+ twoDigitCount(withoutGrease(hello.extensions()).size()) + ja4Alpn(hello.alpnProtocols());
	}

	private static String buildJa4cRaw(ClientHello hello) {
		// SNI and ALPN already show in part a; leaving them out keeps c stable across targets.
		List<Integer> extensions = withoutGrease(hello.extensions()).stream()
			.filter((type) -> type != EXTENSION_SERVER_NAME && type != EXTENSION_ALPN)
			.toList();
		String sortedExtensions = sortedHexList(extensions);
		List<Integer> signatureAlgorithms = withoutGrease(hello.signatureAlgorithms());
		if (signatureAlgorithms.isEmpty()) {
			return sortedExtensions;
		}
		return sortedExtensions + "_" + hexList(signatureAlgorithms);
	}

	private static String ja4Version(ClientHello hello) {
		// The highest supported_versions entry wins; legacy_version is frozen at TLS 1.2 in TLS 1.3.
		int version = withoutGrease(hello.supportedVersions()).stream()
			.mapToInt(Integer::intValue)
			.max()
			.orElse(hello.legacyVersion());
		return switch (version) {
			case 0x0304 -> "13";
			case 0x0303 -> "12";
			case 0x0302 -> "11";
			case 0x0301 -> "10";
			case 0x0300 -> "s3";
			case 0x0002 -> "s2";
			case 0xfeff -> "d1";
			case 0xfefd -> "d2";
			case 0xfefc -> "d3";
			default -> "00";
		};
	}

	private static String ja4Alpn(List<String> alpnProtocols) {
		if (alpnProtocols.isEmpty() || alpnProtocols.get(0).isEmpty()) {
			return "00";
		}
		String first = alpnProtocols.get(0);
		char firstChar = first.charAt(0);
		char lastChar = first.charAt(first.length() - 1);
		if (isAsciiAlphanumeric(firstChar) && isAsciiAlphanumeric(lastChar)) {
			return "" + firstChar + lastChar;
		}
		// FoxIO: otherwise the first and last characters of the value's hex form.
		String hex = LOWER_HEX.formatHex(first.getBytes(StandardCharsets.ISO_8859_1));
		return "" + hex.charAt(0) + hex.charAt(hex.length() - 1);
	}

	private static boolean isAsciiAlphanumeric(char c) {
		return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
	}

	private static String twoDigitCount(int count) {
		return String.format("%02d", Math.min(count, 99));
	}

	private static List<Integer> withoutGrease(List<Integer> values) {
		return values.stream().filter((value) -> !isGrease(value)).toList();
	}

	private static String decimalList(List<Integer> values) {
		return values.stream().map(String::valueOf).collect(Collectors.joining("-"));
	}

	private static String sortedHexList(List<Integer> values) {
		return hexList(values.stream().sorted().toList());
	}

	private static String hexList(List<Integer> values) {
		return values.stream().map(TlsFingerprint::fourDigitHex).collect(Collectors.joining(","));
	}

	private static String fourDigitHex(int value) {
		return LOWER_HEX.toHexDigits((short) value);
	}

	private static String ja4Hash(String raw) {
		if (raw.isEmpty()) {
			return EMPTY_JA4_HASH;
		}
		return LOWER_HEX.formatHex(digest("SHA-256", raw)).substring(0, JA4_HASH_HEX_CHARS);
	}

	private static byte[] digest(String algorithm, String text) {
		try {
			return MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			// Every Java platform must provide MD5 and SHA-256.
			throw new IllegalStateException(algorithm + " is not available", ex);
		}
	}

}
