package io.hotconnpool.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, parsed TLS ClientHello, holding exactly the fields that JA3 and JA4
 * fingerprints are computed from.
 * <p>
 * All lists are in wire order and keep GREASE values: filtering is the business of
 * the fingerprint ({@link TlsFingerprint}), not of the parser. A list is empty when
 * its extension is absent; {@link #extensions()} tells absent from empty.
 *
 * @param legacyVersion the {@code legacy_version} (client_version) field, e.g.
 * {@code 0x0303}; TLS 1.3 clients still send {@code 0x0303} here
 * @param cipherSuites cipher suite code points
 * @param extensions extension types
 * @param supportedGroups {@code supported_groups} (extension 10)
 * @param ecPointFormats {@code ec_point_formats} (extension 11)
 * @param signatureAlgorithms {@code signature_algorithms} (extension 13)
 * @param alpnProtocols ALPN protocol names (extension 16), each byte decoded as one
 * ISO-8859-1 character so that no byte is lost
 * @param supportedVersions {@code supported_versions} (extension 43)
 * @param serverName the first {@code host_name} of the {@code server_name} extension
 * (extension 0), or {@code null} when there is none
 */
public record ClientHello(int legacyVersion, List<Integer> cipherSuites, List<Integer> extensions,
		List<Integer> supportedGroups, List<Integer> ecPointFormats, List<Integer> signatureAlgorithms,
		List<String> alpnProtocols, List<Integer> supportedVersions, String serverName) {

	/**
	 * Default bound on the size of a ClientHello handshake message read from a stream.
	 * Real ClientHellos are a few hundred bytes to a few KiB (post-quantum key shares
	 * included); the bound stops a peer from making the reader buffer without limit.
	 */
	public static final int DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

	/** TLS handshake message type {@code client_hello}. */
	private static final int HANDSHAKE_TYPE_CLIENT_HELLO = 1;

	/** TLS record content type {@code handshake}. */
	private static final int CONTENT_TYPE_HANDSHAKE = 22;

	private static final int HANDSHAKE_HEADER_BYTES = 4;

	private static final int RECORD_HEADER_BYTES = 5;

	/** RFC 8446 5.1: a plaintext record fragment must not exceed 2^14 bytes. */
	private static final int MAX_RECORD_FRAGMENT_BYTES = 1 << 14;

	private static final int EXTENSION_SERVER_NAME = 0;

	private static final int EXTENSION_SUPPORTED_GROUPS = 10;

	private static final int EXTENSION_EC_POINT_FORMATS = 11;

	private static final int EXTENSION_SIGNATURE_ALGORITHMS = 13;

	private static final int EXTENSION_ALPN = 16;

	private static final int EXTENSION_SUPPORTED_VERSIONS = 43;

	private static final int SERVER_NAME_TYPE_HOST_NAME = 0;

	/**
	 * Creates a ClientHello, copying every list so that the instance stays immutable
	 * whatever the caller does with the lists it passed.
	 * @param legacyVersion the {@code legacy_version} field
	 * @param cipherSuites cipher suite code points
	 * @param extensions extension types
	 * @param supportedGroups {@code supported_groups} (extension 10)
	 * @param ecPointFormats {@code ec_point_formats} (extension 11)
	 * @param signatureAlgorithms {@code signature_algorithms} (extension 13)
	 * @param alpnProtocols ALPN protocol names (extension 16)
	 * @param supportedVersions {@code supported_versions} (extension 43)
	 * @param serverName the SNI host name, or {@code null}
	 */
	public ClientHello {
		cipherSuites = List.copyOf(cipherSuites);
		extensions = List.copyOf(extensions);
		supportedGroups = List.copyOf(supportedGroups);
		ecPointFormats = List.copyOf(ecPointFormats);
		signatureAlgorithms = List.copyOf(signatureAlgorithms);
		alpnProtocols = List.copyOf(alpnProtocols);
		supportedVersions = List.copyOf(supportedVersions);
	}

	/**
	 * Whether the hello carries a host name in the {@code server_name} extension.
	 * @return {@code true} if {@link #serverName()} is not {@code null}
	 */
	public boolean hasServerName() {
		return this.serverName != null;
	}

	/**
	 * Parses a complete ClientHello handshake message: the 4-byte handshake header
	 * (type {@code 1}, 24-bit length) followed by its body, without TLS record headers.
	 * @param handshakeMessage the handshake message bytes
	 * @return the parsed ClientHello
	 * @throws IllegalArgumentException if the bytes are not one well-formed ClientHello
	 */
	public static ClientHello parse(byte[] handshakeMessage) {
		Objects.requireNonNull(handshakeMessage, "handshakeMessage must not be null");
		ByteCursor message = new ByteCursor(handshakeMessage, 0, handshakeMessage.length, "handshake message");
		int type = message.readUint8("handshake type");
		if (type != HANDSHAKE_TYPE_CLIENT_HELLO) {
			throw new IllegalArgumentException(
					"Not a ClientHello: handshake type is " + type + ", expected " + HANDSHAKE_TYPE_CLIENT_HELLO);
		}
		int bodyLength = message.readUint24("handshake length");
		ByteCursor body = message.slice(bodyLength, "ClientHello body");
		message.requireFullyRead();
		return parseBody(body);
	}

	/**
	 * Parses a ClientHello from raw TLS records, as a client sends them at the start of
	 * a connection. The handshake message may span several records.
	 * @param tlsRecords the record bytes, starting with the first record header
	 * @return the parsed ClientHello
	 * @throws IllegalArgumentException if the bytes are not TLS handshake records
	 * holding one complete, well-formed ClientHello
	 */
	public static ClientHello parseRecords(byte[] tlsRecords) {
		Objects.requireNonNull(tlsRecords, "tlsRecords must not be null");
		try {
			return parse(readHandshakeMessage(new ByteArrayInputStream(tlsRecords), DEFAULT_MAX_MESSAGE_BYTES));
		}
		catch (EOFException ex) {
			throw new IllegalArgumentException("Truncated TLS records: " + ex.getMessage(), ex);
		}
		catch (IOException ex) {
			// A ByteArrayInputStream does not fail other than by running out.
			throw new IllegalArgumentException("Unreadable TLS records: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Reads TLS records from a stream until one ClientHello is complete, and parses it.
	 * Reads no byte beyond the records that carry the ClientHello.
	 * @param in the stream, positioned at the first record header
	 * @return the parsed ClientHello
	 * @throws IOException if reading fails or the stream ends before the ClientHello
	 * is complete ({@link EOFException})
	 * @throws IllegalArgumentException if the stream does not carry a well-formed
	 * ClientHello of at most {@link #DEFAULT_MAX_MESSAGE_BYTES}
	 * @see #readHandshakeMessage(InputStream, int)
	 */
	public static ClientHello read(InputStream in) throws IOException {
		return parse(readHandshakeMessage(in, DEFAULT_MAX_MESSAGE_BYTES));
	}

	/**
	 * Reads TLS handshake records from a stream and reassembles the first handshake
	 * message, which must be a ClientHello. The message may be split over several
	 * records, and a record header may announce at most 2^14 bytes.
	 * @param in the stream, positioned at the first record header
	 * @param maxMessageBytes the largest handshake message accepted, header included
	 * @return the handshake message (header and body), ready for {@link #parse(byte[])}
	 * @throws IOException if reading fails or the stream ends before the message is
	 * complete ({@link EOFException})
	 * @throws IllegalArgumentException if a record is not a TLS handshake record, the
	 * message is not a ClientHello, exceeds {@code maxMessageBytes}, or is followed by
	 * other data in its last record
	 */
	public static byte[] readHandshakeMessage(InputStream in, int maxMessageBytes) throws IOException {
		Objects.requireNonNull(in, "in must not be null");
		if (maxMessageBytes < HANDSHAKE_HEADER_BYTES) {
			throw new IllegalArgumentException("maxMessageBytes must be at least " + HANDSHAKE_HEADER_BYTES);
		}
		ByteArrayOutputStream message = new ByteArrayOutputStream(512);
		// Unknown until the 4-byte handshake header is in, which may itself span records.
		int expectedMessageBytes = -1;
		int recordIndex = 0;
		while (expectedMessageBytes < 0 || message.size() < expectedMessageBytes) {
			byte[] header = readFully(in, RECORD_HEADER_BYTES, "TLS record header");
			int contentType = header[0] & 0xff;
			if (recordIndex == 0 && (contentType & 0x80) != 0) {
				throw new IllegalArgumentException("SSL 2.0-compatible ClientHello is not supported");
			}
			if (contentType != CONTENT_TYPE_HANDSHAKE) {
				throw new IllegalArgumentException("Not a TLS handshake record: content type " + contentType
						+ " in record " + recordIndex + ", expected " + CONTENT_TYPE_HANDSHAKE);
			}
			int majorVersion = header[1] & 0xff;
			if (majorVersion != 3) {
				throw new IllegalArgumentException("Not a TLS record: record version "
						+ hex(((header[1] & 0xff) << 8) | (header[2] & 0xff)) + " in record " + recordIndex);
			}
			int fragmentLength = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
			if (fragmentLength == 0 || fragmentLength > MAX_RECORD_FRAGMENT_BYTES) {
				throw new IllegalArgumentException("Invalid TLS record length " + fragmentLength + " in record "
						+ recordIndex + ", expected 1.." + MAX_RECORD_FRAGMENT_BYTES);
			}
			byte[] fragment = readFully(in, fragmentLength, "TLS record " + recordIndex);
			message.write(fragment, 0, fragment.length);
			recordIndex++;
			if (expectedMessageBytes < 0 && message.size() >= HANDSHAKE_HEADER_BYTES) {
				byte[] soFar = message.toByteArray();
				if ((soFar[0] & 0xff) != HANDSHAKE_TYPE_CLIENT_HELLO) {
					throw new IllegalArgumentException("Not a ClientHello: handshake type is " + (soFar[0] & 0xff)
							+ ", expected " + HANDSHAKE_TYPE_CLIENT_HELLO);
				}
				expectedMessageBytes = HANDSHAKE_HEADER_BYTES
						+ (((soFar[1] & 0xff) << 16) | ((soFar[2] & 0xff) << 8) | (soFar[3] & 0xff));
				if (expectedMessageBytes > maxMessageBytes) {
					throw new IllegalArgumentException("ClientHello of " + expectedMessageBytes
							+ " bytes exceeds the limit of " + maxMessageBytes + " bytes");
				}
			}
		}
		if (message.size() != expectedMessageBytes) {
			// A client sends nothing after its ClientHello until the server answers.
			throw new IllegalArgumentException("Unexpected " + (message.size() - expectedMessageBytes)
					+ " bytes after the ClientHello in the same TLS record");
		}
		return message.toByteArray();
	}

	private static byte[] readFully(InputStream in, int length, String what) throws IOException {
		byte[] bytes = in.readNBytes(length);
		if (bytes.length != length) {
			throw new EOFException("Stream ended after " + bytes.length + " of " + length + " bytes of " + what);
		}
		return bytes;
	}

	private static ClientHello parseBody(ByteCursor body) {
		int legacyVersion = body.readUint16("legacy_version");
		body.skip(32, "random");
		int sessionIdLength = body.readUint8("legacy_session_id length");
		if (sessionIdLength > 32) {
			throw new IllegalArgumentException("Invalid ClientHello: legacy_session_id length " + sessionIdLength
					+ " exceeds 32");
		}
		body.skip(sessionIdLength, "legacy_session_id");
		ByteCursor cipherSuiteBytes = body.slice(body.readUint16("cipher_suites length"), "cipher_suites");
		List<Integer> cipherSuites = readUint16List(cipherSuiteBytes, "cipher_suites");
		if (cipherSuites.isEmpty()) {
			throw new IllegalArgumentException("Invalid ClientHello: cipher_suites is empty");
		}
		ByteCursor compressionMethods = body.slice(body.readUint8("compression_methods length"),
				"compression_methods");
		if (compressionMethods.remaining() == 0) {
			throw new IllegalArgumentException("Invalid ClientHello: compression_methods is empty");
		}
		List<Integer> extensions = new ArrayList<>();
		List<Integer> supportedGroups = List.of();
		List<Integer> ecPointFormats = List.of();
		List<Integer> signatureAlgorithms = List.of();
		List<String> alpnProtocols = List.of();
		List<Integer> supportedVersions = List.of();
		String serverName = null;
		// Hellos from before RFC 3546 end here, without an extensions block.
		if (body.remaining() > 0) {
			ByteCursor extensionBytes = body.slice(body.readUint16("extensions length"), "extensions");
			body.requireFullyRead();
			Set<Integer> seen = new HashSet<>();
			while (extensionBytes.remaining() > 0) {
				int type = extensionBytes.readUint16("extension type");
				String name = "extension " + type;
				ByteCursor data = extensionBytes.slice(extensionBytes.readUint16(name + " length"), name);
				if (!seen.add(type)) {
					// RFC 8446 4.2: servers must abort on a repeated extension type.
					throw new IllegalArgumentException("Invalid ClientHello: duplicate " + name);
				}
				extensions.add(type);
				switch (type) {
					case EXTENSION_SERVER_NAME -> serverName = readServerName(data);
					case EXTENSION_SUPPORTED_GROUPS -> supportedGroups = readUint16Vector(data, "supported_groups");
					case EXTENSION_EC_POINT_FORMATS -> ecPointFormats = readUint8Vector(data, "ec_point_formats");
					case EXTENSION_SIGNATURE_ALGORITHMS ->
						signatureAlgorithms = readUint16Vector(data, "signature_algorithms");
					case EXTENSION_ALPN -> alpnProtocols = readAlpn(data);
					case EXTENSION_SUPPORTED_VERSIONS -> supportedVersions = readSupportedVersions(data);
					default -> {
						// Contents of other extensions do not enter JA3 or JA4.
					}
				}
			}
		}
		return new ClientHello(legacyVersion, cipherSuites, extensions, supportedGroups, ecPointFormats,
				signatureAlgorithms, alpnProtocols, supportedVersions, serverName);
	}

	private static String readServerName(ByteCursor data) {
		// An empty server_name extension is legal (it is how a server acknowledges SNI).
		if (data.remaining() == 0) {
			return null;
		}
		ByteCursor list = data.slice(data.readUint16("server_name_list length"), "server_name_list");
		data.requireFullyRead();
		String hostName = null;
		while (list.remaining() > 0) {
			int nameType = list.readUint8("server_name name_type");
			ByteCursor name = list.slice(list.readUint16("server_name length"), "server_name");
			if (nameType == SERVER_NAME_TYPE_HOST_NAME && hostName == null) {
				if (name.remaining() == 0) {
					throw new IllegalArgumentException("Invalid ClientHello: empty SNI host_name");
				}
				// RFC 6066 3: host_name is ASCII; ISO-8859-1 keeps any stray byte visible.
				hostName = new String(name.readRemaining(), StandardCharsets.ISO_8859_1);
			}
		}
		return hostName;
	}

	private static List<String> readAlpn(ByteCursor data) {
		ByteCursor list = data.slice(data.readUint16("ALPN protocol_name_list length"), "ALPN protocol_name_list");
		data.requireFullyRead();
		List<String> protocols = new ArrayList<>();
		while (list.remaining() > 0) {
			int length = list.readUint8("ALPN protocol name length");
			if (length == 0) {
				throw new IllegalArgumentException("Invalid ClientHello: empty ALPN protocol name");
			}
			protocols.add(new String(list.slice(length, "ALPN protocol name").readRemaining(),
					StandardCharsets.ISO_8859_1));
		}
		return protocols;
	}

	private static List<Integer> readSupportedVersions(ByteCursor data) {
		ByteCursor versions = data.slice(data.readUint8("supported_versions length"), "supported_versions");
		data.requireFullyRead();
		return readUint16List(versions, "supported_versions");
	}

	private static List<Integer> readUint16Vector(ByteCursor data, String what) {
		ByteCursor values = data.slice(data.readUint16(what + " length"), what);
		data.requireFullyRead();
		return readUint16List(values, what);
	}

	private static List<Integer> readUint8Vector(ByteCursor data, String what) {
		ByteCursor values = data.slice(data.readUint8(what + " length"), what);
		data.requireFullyRead();
		List<Integer> result = new ArrayList<>(values.remaining());
		while (values.remaining() > 0) {
			result.add(values.readUint8(what));
		}
		return result;
	}

	private static List<Integer> readUint16List(ByteCursor values, String what) {
		if (values.remaining() % 2 != 0) {
			throw new IllegalArgumentException(
					"Invalid ClientHello: " + what + " has odd length " + values.remaining());
		}
		List<Integer> result = new ArrayList<>(values.remaining() / 2);
		while (values.remaining() > 0) {
			result.add(values.readUint16(what));
		}
		return result;
	}

	private static String hex(int uint16) {
		return String.format("0x%04x", uint16);
	}

	/**
	 * A bounds-checked reader over a window of a byte array. Every read checks the
	 * window first, so malformed input fails with a message naming the field rather
	 * than with an index exception.
	 */
	private static final class ByteCursor {

		private final byte[] bytes;

		private final int end;

		private final String name;

		private int position;

		ByteCursor(byte[] bytes, int start, int end, String name) {
			this.bytes = bytes;
			this.position = start;
			this.end = end;
			this.name = name;
		}

		int remaining() {
			return this.end - this.position;
		}

		int readUint8(String field) {
			require(1, field);
			return this.bytes[this.position++] & 0xff;
		}

		int readUint16(String field) {
			require(2, field);
			int value = ((this.bytes[this.position] & 0xff) << 8) | (this.bytes[this.position + 1] & 0xff);
			this.position += 2;
			return value;
		}

		int readUint24(String field) {
			require(3, field);
			int value = ((this.bytes[this.position] & 0xff) << 16) | ((this.bytes[this.position + 1] & 0xff) << 8)
					| (this.bytes[this.position + 2] & 0xff);
			this.position += 3;
			return value;
		}

		void skip(int length, String field) {
			require(length, field);
			this.position += length;
		}

		ByteCursor slice(int length, String field) {
			require(length, field);
			ByteCursor slice = new ByteCursor(this.bytes, this.position, this.position + length, field);
			this.position += length;
			return slice;
		}

		byte[] readRemaining() {
			byte[] result = Arrays.copyOfRange(this.bytes, this.position, this.end);
			this.position = this.end;
			return result;
		}

		void requireFullyRead() {
			if (remaining() != 0) {
				throw new IllegalArgumentException(
						"Invalid ClientHello: " + remaining() + " unexpected trailing bytes in " + this.name);
			}
		}

		private void require(int length, String field) {
			if (length > remaining()) {
				throw new IllegalArgumentException("Truncated ClientHello: " + field + " needs " + length
						+ " bytes but only " + remaining() + " remain in " + this.name);
			}
		}

	}

}
