package io.hotconnpool.tls;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds ClientHello handshake messages and TLS records byte by byte, straight from
 * the RFC 8446 wire format, so that parser tests do not depend on the parser.
 */
final class ClientHelloBuilder {

	private int legacyVersion = 0x0303;

	private int sessionIdLength = 32;

	private final List<Integer> cipherSuites = new ArrayList<>();

	private final List<byte[]> extensions = new ArrayList<>();

	ClientHelloBuilder legacyVersion(int version) {
		this.legacyVersion = version;
		return this;
	}

	ClientHelloBuilder sessionIdLength(int length) {
		this.sessionIdLength = length;
		return this;
	}

	ClientHelloBuilder cipherSuites(int... suites) {
		Arrays.stream(suites).forEach(this.cipherSuites::add);
		return this;
	}

	/** Adds an extension with raw contents. */
	ClientHelloBuilder extension(int type, byte[] data) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		writeUint16(out, type);
		writeUint16(out, data.length);
		out.writeBytes(data);
		this.extensions.add(out.toByteArray());
		return this;
	}

	ClientHelloBuilder emptyExtension(int type) {
		return extension(type, new byte[0]);
	}

	ClientHelloBuilder serverName(String hostName) {
		byte[] name = hostName.getBytes(StandardCharsets.US_ASCII);
		ByteArrayOutputStream entry = new ByteArrayOutputStream();
		entry.write(0); // host_name
		writeUint16(entry, name.length);
		entry.writeBytes(name);
		return extension(0, withUint16Length(entry.toByteArray()));
	}

	ClientHelloBuilder supportedGroups(int... groups) {
		return extension(10, withUint16Length(uint16s(groups)));
	}

	ClientHelloBuilder ecPointFormats(int... formats) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(formats.length);
		Arrays.stream(formats).forEach(out::write);
		return extension(11, out.toByteArray());
	}

	ClientHelloBuilder signatureAlgorithms(int... algorithms) {
		return extension(13, withUint16Length(uint16s(algorithms)));
	}

	ClientHelloBuilder alpn(String... protocols) {
		ByteArrayOutputStream list = new ByteArrayOutputStream();
		for (String protocol : protocols) {
			byte[] name = protocol.getBytes(StandardCharsets.ISO_8859_1);
			list.write(name.length);
			list.writeBytes(name);
		}
		return extension(16, withUint16Length(list.toByteArray()));
	}

	ClientHelloBuilder supportedVersions(int... versions) {
		byte[] values = uint16s(versions);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(values.length);
		out.writeBytes(values);
		return extension(43, out.toByteArray());
	}

	/** The handshake message: 4-byte header and ClientHello body. */
	byte[] build() {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		writeUint16(body, this.legacyVersion);
		body.writeBytes(new byte[32]); // random
		body.write(this.sessionIdLength);
		body.writeBytes(new byte[this.sessionIdLength]);
		body.writeBytes(withUint16Length(uint16s(this.cipherSuites.stream().mapToInt(Integer::intValue).toArray())));
		body.write(1); // one compression method:
		body.write(0); // null
		ByteArrayOutputStream extensionBlock = new ByteArrayOutputStream();
		this.extensions.forEach(extensionBlock::writeBytes);
		body.writeBytes(withUint16Length(extensionBlock.toByteArray()));
		byte[] bodyBytes = body.toByteArray();
		ByteArrayOutputStream message = new ByteArrayOutputStream();
		message.write(1); // client_hello
		message.write(bodyBytes.length >>> 16);
		message.write(bodyBytes.length >>> 8);
		message.write(bodyBytes.length);
		message.writeBytes(bodyBytes);
		return message.toByteArray();
	}

	/**
	 * Wraps bytes in TLS records of the given content type, cutting them into fragments
	 * of the given sizes (the last size repeats).
	 */
	static byte[] records(int contentType, byte[] payload, int... fragmentSizes) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int offset = 0;
		int index = 0;
		while (offset < payload.length) {
			int size = Math.min(fragmentSizes[Math.min(index++, fragmentSizes.length - 1)], payload.length - offset);
			out.write(contentType);
			writeUint16(out, 0x0301); // record version, as clients send it
			writeUint16(out, size);
			out.write(payload, offset, size);
			offset += size;
		}
		return out.toByteArray();
	}

	static byte[] handshakeRecords(byte[] handshakeMessage, int... fragmentSizes) {
		return records(22, handshakeMessage, fragmentSizes);
	}

	private static byte[] uint16s(int... values) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		Arrays.stream(values).forEach((value) -> writeUint16(out, value));
		return out.toByteArray();
	}

	private static byte[] withUint16Length(byte[] data) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		writeUint16(out, data.length);
		out.writeBytes(data);
		return out.toByteArray();
	}

	private static void writeUint16(ByteArrayOutputStream out, int value) {
		out.write(value >>> 8);
		out.write(value);
	}

}
