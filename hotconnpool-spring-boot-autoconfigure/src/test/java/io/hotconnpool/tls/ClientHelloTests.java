package io.hotconnpool.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Tests for {@link ClientHello}: parsing hand-built messages and records, and
 * rejecting malformed input with {@link IllegalArgumentException}.
 */
class ClientHelloTests {

	/**
	 * A TLS 1.3 hello with GREASE in cipher suites, extensions, groups and
	 * supported_versions, SNI {@code origin.test} and ALPN {@code h2, http/1.1}.
	 */
	static byte[] tls13HelloWithGrease() {
		return new ClientHelloBuilder().cipherSuites(0x0a0a, 0x1301, 0x1302, 0xc02b, 0x002f)
			.emptyExtension(0x1a1a)
			.serverName("origin.test")
			.emptyExtension(23)
			.supportedGroups(0x2a2a, 0x001d, 0x0017)
			.ecPointFormats(0)
			.signatureAlgorithms(0x0403, 0x0804, 0x0401)
			.alpn("h2", "http/1.1")
			.supportedVersions(0x3a3a, 0x0304, 0x0303)
			.extension(0xff01, new byte[] { 0 })
			.extension(0x4a4a, new byte[] { 0 })
			.build();
	}

	@Test
	void parsesEveryFieldInWireOrderKeepingGrease() {
		ClientHello hello = ClientHello.parse(tls13HelloWithGrease());
		assertThat(hello.legacyVersion()).isEqualTo(0x0303);
		assertThat(hello.cipherSuites()).containsExactly(0x0a0a, 0x1301, 0x1302, 0xc02b, 0x002f);
		assertThat(hello.extensions()).containsExactly(0x1a1a, 0, 23, 10, 11, 13, 16, 43, 0xff01, 0x4a4a);
		assertThat(hello.supportedGroups()).containsExactly(0x2a2a, 0x001d, 0x0017);
		assertThat(hello.ecPointFormats()).containsExactly(0);
		assertThat(hello.signatureAlgorithms()).containsExactly(0x0403, 0x0804, 0x0401);
		assertThat(hello.alpnProtocols()).containsExactly("h2", "http/1.1");
		assertThat(hello.supportedVersions()).containsExactly(0x3a3a, 0x0304, 0x0303);
		assertThat(hello.serverName()).isEqualTo("origin.test");
		assertThat(hello.hasServerName()).isTrue();
	}

	@Test
	void absentExtensionsGiveEmptyFields() {
		ClientHello hello = ClientHello.parse(new ClientHelloBuilder().sessionIdLength(0).cipherSuites(0x002f).build());
		assertThat(hello.extensions()).isEmpty();
		assertThat(hello.supportedGroups()).isEmpty();
		assertThat(hello.alpnProtocols()).isEmpty();
		assertThat(hello.supportedVersions()).isEmpty();
		assertThat(hello.serverName()).isNull();
		assertThat(hello.hasServerName()).isFalse();
	}

	@Test
	void parsesHelloWithoutExtensionBlock() {
		// A pre-RFC 3546 hello: body ends after compression_methods.
		byte[] body = new byte[2 + 32 + 1 + 2 + 2 + 2];
		body[0] = 3;
		body[1] = 1;
		body[35] = 0; // cipher_suites length
		body[36] = 2;
		body[37] = 0;
		body[38] = 0x2f;
		body[39] = 1; // one compression method, null
		byte[] message = withHandshakeHeader(body);
		ClientHello hello = ClientHello.parse(message);
		assertThat(hello.legacyVersion()).isEqualTo(0x0301);
		assertThat(hello.cipherSuites()).containsExactly(0x002f);
		assertThat(hello.extensions()).isEmpty();
		assertThat(TlsFingerprint.of(hello).ja3String()).isEqualTo("769,47,,,");
	}

	@Test
	void listsAreImmutable() {
		ClientHello hello = ClientHello.parse(tls13HelloWithGrease());
		assertThatExceptionOfType(UnsupportedOperationException.class).isThrownBy(() -> hello.cipherSuites().add(1));
	}

	@Test
	void everyTruncationIsRejectedWithMessage() {
		byte[] message = tls13HelloWithGrease();
		for (int length = 0; length < message.length; length++) {
			byte[] truncated = Arrays.copyOf(message, length);
			assertThatIllegalArgumentException().as("prefix of %d bytes", length)
				.isThrownBy(() -> ClientHello.parse(truncated))
				.withMessageMatching("(Truncated|Invalid|Not a) .+");
		}
	}

	@Test
	void inconsistentInnerLengthIsRejected() {
		byte[] message = tls13HelloWithGrease();
		// Lengthen the handshake header by one byte and append it: the body no longer ends
		// where the extension block ends.
		byte[] longer = Arrays.copyOf(message, message.length + 1);
		longer[3]++;
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHello.parse(longer))
			.withMessageContaining("trailing bytes");
		byte[] trailing = Arrays.copyOf(message, message.length + 1);
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHello.parse(trailing))
			.withMessageContaining("trailing bytes");
	}

	@Test
	void wrongHandshakeTypeIsRejected() {
		byte[] message = tls13HelloWithGrease();
		message[0] = 2; // server_hello
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHello.parse(message))
			.withMessage("Not a ClientHello: handshake type is 2, expected 1");
	}

	@Test
	void duplicateExtensionIsRejected() {
		byte[] message = new ClientHelloBuilder().cipherSuites(0x1301).emptyExtension(23).emptyExtension(23).build();
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHello.parse(message))
			.withMessageContaining("duplicate extension 23");
	}

	@Test
	void garbageNeverEscapesAsAnotherException() {
		Random random = new Random(20260101L);
		byte[] valid = tls13HelloWithGrease();
		for (int i = 0; i < 5000; i++) {
			byte[] input;
			if (i % 2 == 0) {
				input = new byte[random.nextInt(300)];
				random.nextBytes(input);
				if (input.length > 0) {
					input[0] = 1; // get past the type check now and then
				}
			}
			else {
				input = valid.clone();
				input[random.nextInt(input.length)] = (byte) random.nextInt(256);
			}
			Throwable thrown = catchThrowable(() -> ClientHello.parse(input));
			if (thrown != null) {
				assertThat(thrown).isInstanceOf(IllegalArgumentException.class).hasMessageFindingMatch("\\w+");
			}
		}
	}

	@Test
	void parsesRecordsSplitAnywhere() {
		byte[] message = tls13HelloWithGrease();
		ClientHello expected = ClientHello.parse(message);
		// One record; header split over two records; one byte per record.
		assertThat(ClientHello.parseRecords(ClientHelloBuilder.handshakeRecords(message, 16384))).isEqualTo(expected);
		assertThat(ClientHello.parseRecords(ClientHelloBuilder.handshakeRecords(message, 2, 50))).isEqualTo(expected);
		assertThat(ClientHello.parseRecords(ClientHelloBuilder.handshakeRecords(message, 1))).isEqualTo(expected);
	}

	@Test
	void readStopsAtTheEndOfTheClientHello() throws Exception {
		byte[] message = tls13HelloWithGrease();
		ByteArrayOutputStream stream = new ByteArrayOutputStream();
		stream.writeBytes(ClientHelloBuilder.handshakeRecords(message, 100));
		stream.writeBytes(new byte[] { 23, 3, 3, 0, 1, 42 }); // early application data
		InputStream in = new ByteArrayInputStream(stream.toByteArray());
		assertThat(ClientHello.read(in)).isEqualTo(ClientHello.parse(message));
		assertThat(in.available()).isEqualTo(6);
	}

	@Test
	void nonHandshakeContentIsRejected() {
		byte[] http = "GET / HTTP/1.1\r\nHost: origin.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHello.parseRecords(http))
			.withMessage("Not a TLS handshake record: content type 71 in record 0, expected 22");
		byte[] alert = ClientHelloBuilder.records(21, new byte[] { 2, 40 }, 2);
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHello.parseRecords(alert))
			.withMessageContaining("content type 21");
		// Handshake, then application data before the hello is complete.
		byte[] message = tls13HelloWithGrease();
		byte[] start = ClientHelloBuilder.handshakeRecords(Arrays.copyOf(message, 10), 10);
		byte[] mixed = Arrays.copyOf(start, start.length + 6);
		System.arraycopy(new byte[] { 23, 3, 3, 0, 1, 42 }, 0, mixed, start.length, 6);
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHello.parseRecords(mixed))
			.withMessageContaining("content type 23 in record 1");
		byte[] sslv2 = { (byte) 0x80, 0x2e, 0x01, 0x00, 0x02 };
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHello.parseRecords(sslv2))
			.withMessageContaining("SSL 2.0");
	}

	@Test
	void malformedRecordsAreRejected() {
		byte[] records = ClientHelloBuilder.handshakeRecords(tls13HelloWithGrease(), 16384);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ClientHello.parseRecords(Arrays.copyOf(records, records.length - 1)))
			.withMessageStartingWith("Truncated TLS records");
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHello.parseRecords(new byte[0]))
			.withMessageStartingWith("Truncated TLS records");
		byte[] zeroLength = { 22, 3, 1, 0, 0 };
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHello.parseRecords(zeroLength))
			.withMessageContaining("Invalid TLS record length 0");
		byte[] oversized = { 22, 3, 1, 0x40, 0x01 };
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHello.parseRecords(oversized))
			.withMessageContaining("Invalid TLS record length 16385");
		byte[] notTls = { 22, 7, 1, 0, 4 };
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHello.parseRecords(notTls))
			.withMessageContaining("record version 0x0701");
		byte[] serverHello = ClientHelloBuilder.handshakeRecords(new byte[] { 2, 0, 0, 0 }, 4);
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHello.parseRecords(serverHello))
			.withMessageContaining("handshake type is 2");
	}

	@Test
	void trailingHandshakeDataInLastRecordIsRejected() {
		byte[] message = tls13HelloWithGrease();
		byte[] withExtra = Arrays.copyOf(message, message.length + 4);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ClientHello.parseRecords(ClientHelloBuilder.handshakeRecords(withExtra, 16384)))
			.withMessageContaining("Unexpected 4 bytes after the ClientHello");
	}

	@Test
	void messageSizeIsBounded() {
		byte[] records = ClientHelloBuilder.handshakeRecords(tls13HelloWithGrease(), 16384);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ClientHello.readHandshakeMessage(new ByteArrayInputStream(records), 64))
			.withMessageMatching("ClientHello of \\d+ bytes exceeds the limit of 64 bytes");
		// A header announcing 16 MiB is refused before anything is buffered.
		byte[] huge = ClientHelloBuilder.handshakeRecords(new byte[] { 1, (byte) 0xff, (byte) 0xff, (byte) 0xff }, 4);
		assertThatIllegalArgumentException().isThrownBy(() -> ClientHello.read(new ByteArrayInputStream(huge)))
			.withMessageContaining("exceeds the limit of 65536 bytes");
	}

	@Test
	void endOfStreamIsAnEofException() {
		byte[] records = ClientHelloBuilder.handshakeRecords(tls13HelloWithGrease(), 100);
		byte[] cut = Arrays.copyOf(records, 150);
		assertThatExceptionOfType(EOFException.class).isThrownBy(() -> ClientHello.read(new ByteArrayInputStream(cut)))
			.withMessageContaining("TLS record 1");
	}

	private static byte[] withHandshakeHeader(byte[] body) {
		byte[] message = new byte[body.length + 4];
		message[0] = 1;
		message[1] = (byte) (body.length >>> 16);
		message[2] = (byte) (body.length >>> 8);
		message[3] = (byte) body.length;
		System.arraycopy(body, 0, message, 4, body.length);
		return message;
	}

}
