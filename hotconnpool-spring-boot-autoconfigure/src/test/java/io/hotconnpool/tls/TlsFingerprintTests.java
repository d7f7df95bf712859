package io.hotconnpool.tls;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TlsFingerprint}: the published JA3 and JA4 vectors, and a
 * hand-built ClientHello whose fingerprints were worked out by hand from the
 * definitions (hashes cross-checked with Python's hashlib).
 */
class TlsFingerprintTests {

	@Test
	void ja3HashMatchesPublishedVectors() {
		assertThat(TlsFingerprint.ja3Hash("769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0"))
			.isEqualTo("ada70206e40642a3e4461f35503241d5");
		assertThat(TlsFingerprint.ja3Hash("769,4-5-10-9-100-98-3-6-19-18-99,,,"))
			.isEqualTo("de350869b8c85de67a350c8d186f11e6");
	}

	@Test
	void ja4CipherHashMatchesPublishedExample() {
		assertThat(TlsFingerprint
			.ja4CipherHash("002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9"))
			.isEqualTo("8daaf6152771");
	}

	@Test
	void ja4ExtensionHashMatchesPublishedExamples() {
		assertThat(TlsFingerprint.ja4ExtensionHash(
				"0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601"))
			.isEqualTo("e5627efa2ab1");
		// FoxIO's example without signature algorithms.
		assertThat(TlsFingerprint
			.ja4ExtensionHash("0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01"))
			.isEqualTo("6d807ffa2a79");
	}

	@Test
	void ja4HashOfNothingIsZeros() {
		assertThat(TlsFingerprint.ja4CipherHash("")).isEqualTo("000000000000");
		assertThat(TlsFingerprint.ja4ExtensionHash("")).isEqualTo("000000000000");
	}

	@Test
	void greaseValuesAreRecognised() {
		for (int i = 0; i < 16; i++) {
			int grease = (i << 12) | 0x0a00 | (i << 4) | 0x0a;
			assertThat(TlsFingerprint.isGrease(grease)).as("0x%04x", grease).isTrue();
		}
		assertThat(TlsFingerprint.isGrease(0x0a1a)).isFalse();
		assertThat(TlsFingerprint.isGrease(0x1301)).isFalse();
		assertThat(TlsFingerprint.isGrease(0x000a)).isFalse();
		assertThat(TlsFingerprint.isGrease(0x0000)).isFalse();
	}

	@Test
	void fingerprintsOfHandBuiltTls13HelloIgnoreGrease() {
		TlsFingerprint fingerprint = TlsFingerprint.of(ClientHello.parse(ClientHelloTests.tls13HelloWithGrease()));
		assertThat(fingerprint.ja3String()).isEqualTo("771,4865-4866-49195-47,0-23-10-11-13-16-43-65281,29-23,0");
		assertThat(fingerprint.ja3()).isEqualTo("823e13cc6c1a824fb99a5130c9ee2d75");
		// 13: highest non-GREASE supported_version; d: SNI; 04 ciphers; 08 extensions; h2.
		assertThat(fingerprint.ja4a()).isEqualTo("t13d0408h2");
		assertThat(fingerprint.ja4r()).isEqualTo(
				"t13d0408h2_002f,1301,1302,c02b_000a,000b,000d,0017,002b,ff01_0403,0804,0401");
		assertThat(fingerprint.ja4()).isEqualTo("t13d0408h2_52f89ac5ce33_5e5676343554");
		assertThat(fingerprint).hasToString(fingerprint.ja4());
	}

	@Test
	void fingerprintsWithoutSniAlpnOrSupportedVersions() {
		byte[] message = new ClientHelloBuilder().cipherSuites(0x0a0a, 0x1301, 0x1302, 0xc02b, 0x002f)
			.emptyExtension(0x1a1a)
			.emptyExtension(23)
			.supportedGroups(0x2a2a, 0x001d, 0x0017)
			.ecPointFormats(0)
			.signatureAlgorithms(0x0403, 0x0804, 0x0401)
			.extension(0xff01, new byte[] { 0 })
			.build();
		TlsFingerprint fingerprint = TlsFingerprint.of(ClientHello.parse(message));
		assertThat(fingerprint.ja3String()).isEqualTo("771,4865-4866-49195-47,23-10-11-13-65281,29-23,0");
		assertThat(fingerprint.ja3()).isEqualTo("c59e692e263799e22122656d33ec7456");
		// 12 from legacy_version; i: no SNI; 00: no ALPN.
		assertThat(fingerprint.ja4a()).isEqualTo("t12i040500");
		assertThat(fingerprint.ja4()).isEqualTo("t12i040500_52f89ac5ce33_aae4d1db17ec");
	}

	@Test
	void ja4cOmitsUnderscoreWithoutSignatureAlgorithms() {
		byte[] message = new ClientHelloBuilder().cipherSuites(0x1301, 0x1302, 0xc02b, 0x002f)
			.emptyExtension(23)
			.supportedGroups(0x001d, 0x0017)
			.ecPointFormats(0)
			.extension(13, new byte[] { 0, 2, 0x2a, 0x2a }) // only a GREASE signature algorithm
			.supportedVersions(0x0304, 0x0303)
			.extension(0xff01, new byte[] { 0 })
			.build();
		TlsFingerprint fingerprint = TlsFingerprint.of(ClientHello.parse(message));
		assertThat(fingerprint.ja4r()).isEqualTo("t13i040600_002f,1301,1302,c02b_000a,000b,000d,0017,002b,ff01");
		assertThat(fingerprint.ja4()).endsWith("_b029b61236f5");
	}

	@Test
	void ja4AlpnUsesFirstAndLastCharacterOfFirstProtocol() {
		assertThat(ja4AlpnOf("http/1.1", "h2")).isEqualTo("h1");
		assertThat(ja4AlpnOf("h2", "http/1.1")).isEqualTo("h2");
		assertThat(ja4AlpnOf("h")).isEqualTo("hh");
		// FoxIO: a non-alphanumeric first or last byte switches to the hex form.
		assertThat(ja4AlpnOf("\u00ab")).isEqualTo("ab");
		assertThat(ja4AlpnOf("\u00ab\u00cd")).isEqualTo("ad");
		assertThat(ja4AlpnOf("0\u00ab")).isEqualTo("3b");
		assertThat(ja4AlpnOf("0\u00ab\u00cd1")).isEqualTo("01");
	}

	@Test
	void countsAreCappedAt99() {
		int[] suites = new int[120];
		for (int i = 0; i < suites.length; i++) {
			suites[i] = 0x1000 + i;
		}
		byte[] message = new ClientHelloBuilder().cipherSuites(suites).emptyExtension(23).build();
		assertThat(TlsFingerprint.of(ClientHello.parse(message)).ja4a()).isEqualTo("t12i990100");
	}

	private static String ja4AlpnOf(String... protocols) {
		byte[] message = new ClientHelloBuilder().cipherSuites(0x1301).alpn(protocols).build();
		return TlsFingerprint.of(ClientHello.parse(message)).ja4a().substring(8);
	}

}
