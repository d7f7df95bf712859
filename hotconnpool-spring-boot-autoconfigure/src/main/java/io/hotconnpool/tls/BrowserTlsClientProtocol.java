package io.hotconnpool.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.InflaterInputStream;

import io.airlift.compress.zstd.ZstdDecompressor;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.ContentType;
import org.bouncycastle.tls.ExtensionType;
import org.bouncycastle.tls.HandshakeType;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsUtils;
import org.brotli.dec.BrotliInputStream;

/**
 * Bouncy Castle's TLS client protocol with the four things a browser hello needs that its API does not offer:
 * <ul>
 * <li>the ClientHello is written by {@link BrowserHello} (the browser's extension order, GREASE where the browser sends
 * it) — Bouncy Castle would write zero-length extensions first and in hash order;</li>
 * <li>a {@code CompressedCertificate} (RFC 8879: zlib, brotli or zstd, whichever the hello offered) is decompressed
 * into the {@code Certificate} it stands for, while the transcript hashes the message as received;</li>
 * <li>when the server accepts ALPS, the client's {@code EncryptedExtensions} with its application settings (Chrome's
 * HTTP/2 SETTINGS) is sent before its {@code Finished};</li>
 * <li>a server's record_size_limit (RFC 8449), which Bouncy Castle refuses in {@code EncryptedExtensions}, is taken
 * out and handed to the client, which keeps its records within it.</li>
 * </ul>
 * Writing a handshake message and reaching the transcript hash are package-private in Bouncy Castle: see
 * {@link BcTlsInternals}.
 */
final class BrowserTlsClientProtocol extends TlsClientProtocol {

	/** Handshake type of the client's EncryptedExtensions (RFC 8446). */
	private static final short ENCRYPTED_EXTENSIONS = HandshakeType.encrypted_extensions;

	/**
	 * The largest certificate message accepted, received or decompressed, as Firefox's limit on a handshake message
	 * (Chrome's is 100 KiB). A server's claim beyond it is refused before anything is buffered or decompressed.
	 */
	static final int MAX_CERTIFICATE_LENGTH = 1 << 17;

	private final BrowserTlsClient client;

	private final BrowserHello hello;

	private final BrowserHello.Draw draw;

	/** The handshake message being received: its 4-byte header, then sized to hold the length the header states. */
	private byte[] message = new byte[4];

	private int received;

	private int hellosSent;

	private boolean applicationSettingsSent;

	BrowserTlsClientProtocol(InputStream input, OutputStream output, BrowserTlsClient client, BrowserHello hello,
			BrowserHello.Draw draw) {
		super(input, output);
		this.client = client;
		this.hello = hello;
		this.draw = draw;
	}

	/** Handshakes. */
	void connect() throws IOException {
		connect(this.client);
	}

	@Override
	protected void sendClientHelloMessage() throws IOException {
		if (this.clientHello.getBindersSize() != 0) {
			throw new TlsFatalAlert(AlertDescription.internal_error, "The browser engine offers no pre-shared keys");
		}
		byte[] message = this.draw.encode(this.clientHello, this.hellosSent++ > 0);
		// client_hello is the one message the writer leaves to its sender to hash
		BcTlsInternals.handshakeHash(this).update(message, 0, message.length);
		BcTlsInternals.writeHandshakeMessage(this, message);
	}

	@Override
	protected void send13CertificateMessage(Certificate certificate) throws IOException {
		sendApplicationSettings();
		super.send13CertificateMessage(certificate);
	}

	@Override
	protected void send13FinishedMessage() throws IOException {
		sendApplicationSettings();
		super.send13FinishedMessage();
	}

	/**
	 * The client's EncryptedExtensions for ALPS, carrying Chrome's HTTP/2 settings ({@link ChromeHello#H2_SETTINGS}).
	 */
	private void sendApplicationSettings() throws IOException {
		if (this.applicationSettingsSent || !this.client.applicationSettingsAccepted()) {
			return;
		}
		this.applicationSettingsSent = true;
		byte[] settings = ChromeHello.H2_SETTINGS;
		BrowserHello.Bytes message = new BrowserHello.Bytes();
		message.u8(ENCRYPTED_EXTENSIONS);
		message.u24(2 + 4 + settings.length);
		message.u16(4 + settings.length);
		message.u16(ChromeHello.APPLICATION_SETTINGS);
		message.u16(settings.length);
		message.write(settings);
		BcTlsInternals.writeHandshakeMessage(this, message.toByteArray()); // the writer hashes it
	}

	@Override
	protected void processRecord(short protocol, byte[] buf, int off, int len) throws IOException {
		if (protocol != ContentType.handshake) {
			super.processRecord(protocol, buf, off, len);
			return;
		}
		// Reassemble whole handshake messages so that a CompressedCertificate can be swapped for its Certificate, and
		// a record_size_limit taken out of EncryptedExtensions. Bouncy Castle checks a message's length only once it
		// has it all, so the length is checked here from the header, before the body is buffered.
		for (int end = off + len; off < end;) {
			int taken = Math.min(end - off, this.message.length - this.received);
			System.arraycopy(buf, off, this.message, this.received, taken);
			off += taken;
			this.received += taken;
			if (this.received == 4 && this.message.length == 4) { // the header: room for the body it states
				this.message = Arrays.copyOf(this.message, 4 + checkedLength(this.message));
			}
			if (this.received == this.message.length) {
				byte[] complete = this.message;
				this.message = new byte[4];
				this.received = 0;
				// Both come after the ServerHello and exist only in TLS 1.3.
				if (complete[0] == HandshakeType.compressed_certificate && isTls13()) {
					complete = handOver(complete, certificateFor(complete));
				}
				else if (complete[0] == HandshakeType.encrypted_extensions && isTls13()) {
					complete = handOver(complete, withoutRecordSizeLimit(complete));
				}
				super.processRecord(protocol, complete, 0, complete.length);
			}
		}
	}

	/** The length a handshake message header states, when within the client's limit. */
	private int checkedLength(byte[] header) throws IOException {
		int length = TlsUtils.readUint24(header, 1);
		if (length > this.client.getMaxHandshakeMessageSize()) {
			throw new TlsFatalAlert(AlertDescription.illegal_parameter, "Handshake message "
					+ HandshakeType.getText(TlsUtils.readUint8(header, 0)) + " of " + length + " bytes, more than "
					+ this.client.getMaxHandshakeMessageSize());
		}
		return length;
	}

	private boolean isTls13() {
		ProtocolVersion version = getContext().getServerVersion();
		return version != null && TlsUtils.isTLSv13(version);
	}

	/**
	 * Decompresses a CompressedCertificate message into the Certificate message it stands for; the transcript hashes
	 * the compressed message (RFC 8879 section 4).
	 */
	private byte[] certificateFor(byte[] compressedMessage) throws IOException {
		ByteArrayInputStream in = new ByteArrayInputStream(compressedMessage, 4, compressedMessage.length - 4);
		int algorithm = TlsUtils.readUint16(in);
		int uncompressedLength = TlsUtils.readUint24(in);
		byte[] compressed = TlsUtils.readOpaque24(in);
		if (in.available() != 0 || !this.hello.offersCertificateCompression(algorithm)) {
			throw new TlsFatalAlert(AlertDescription.illegal_parameter, "CompressedCertificate with algorithm "
					+ algorithm + ", which was not offered");
		}
		if (uncompressedLength > MAX_CERTIFICATE_LENGTH) {
			throw new TlsFatalAlert(AlertDescription.bad_certificate, "Compressed certificate claims "
					+ uncompressedLength + " bytes, more than " + MAX_CERTIFICATE_LENGTH);
		}
		byte[] certificate = new byte[4 + uncompressedLength];
		certificate[0] = HandshakeType.certificate;
		TlsUtils.writeUint24(uncompressedLength, certificate, 1);
		int produced;
		try {
			produced = decompress(algorithm, compressed, certificate, 4, uncompressedLength);
		}
		catch (IOException | RuntimeException ex) { // the decoders report corrupt input both ways
			throw new TlsFatalAlert(AlertDescription.bad_certificate,
					"Compressed certificate is not valid " + algorithmName(algorithm), ex);
		}
		if (produced != uncompressedLength) {
			throw new TlsFatalAlert(AlertDescription.bad_certificate,
					"Compressed certificate does not decompress to its stated " + uncompressedLength + " bytes");
		}
		return certificate;
	}

	/**
	 * The server's EncryptedExtensions without record_size_limit, which Bouncy Castle 1.84 refuses there (it knows the
	 * extension but not that RFC 8449 puts it in EncryptedExtensions); the limit goes to the client, which applies it.
	 */
	private byte[] withoutRecordSizeLimit(byte[] message) throws IOException {
		ByteArrayInputStream in = new ByteArrayInputStream(message, 4, message.length - 4);
		byte[] all = TlsUtils.readOpaque16(in);
		if (in.available() != 0) {
			throw new TlsFatalAlert(AlertDescription.decode_error, "EncryptedExtensions longer than its extensions");
		}
		BrowserHello.Bytes kept = new BrowserHello.Bytes();
		boolean found = false;
		for (int at = 0; at < all.length;) {
			if (all.length - at < 4 || all.length - at - 4 < TlsUtils.readUint16(all, at + 2)) {
				throw new TlsFatalAlert(AlertDescription.decode_error, "Truncated extension in EncryptedExtensions");
			}
			int type = TlsUtils.readUint16(all, at);
			int length = TlsUtils.readUint16(all, at + 2);
			if (type == ExtensionType.record_size_limit) {
				if (!this.hello.extensions().contains(ExtensionType.record_size_limit) || found) {
					throw new TlsFatalAlert(AlertDescription.unsupported_extension, "record_size_limit not offered");
				}
				found = true;
				this.client.serverRecordSizeLimit(
						TlsExtensionsUtils.readRecordSizeLimitExtension(Arrays.copyOfRange(all, at + 4, at + 4 + length)));
			}
			else {
				kept.write(all, at, 4 + length);
			}
			at += 4 + length;
		}
		if (!found) {
			return message;
		}
		BrowserHello.Bytes out = new BrowserHello.Bytes();
		out.u8(HandshakeType.encrypted_extensions);
		out.u24(2 + kept.size());
		out.u16(kept.size());
		out.write(kept.toByteArray());
		return out.toByteArray();
	}

	/**
	 * Hands {@code handedOver} to Bouncy Castle in place of the message the server sent, arranging for the transcript
	 * to hash the message as received.
	 */
	private byte[] handOver(byte[] received, byte[] handedOver) {
		if (handedOver != received) {
			BcTlsInternals.hashInstead(this, handedOver, received);
		}
		return handedOver;
	}

	/**
	 * Decompresses into {@code out} without ever producing more than {@code length} bytes: a bomb stops at the bound.
	 * @return the bytes produced, or {@code -1} when there would be more than {@code length}
	 */
	private static int decompress(int algorithm, byte[] compressed, byte[] out, int offset, int length)
			throws IOException {
		if (algorithm == BrowserHello.ZSTD) {
			// One shot into the bounded buffer (no window buffer to allocate); more than fits is malformed input.
			return new ZstdDecompressor().decompress(compressed, 0, compressed.length, out, offset, length);
		}
		try (InputStream in = (algorithm == BrowserHello.ZLIB)
				? new InflaterInputStream(new ByteArrayInputStream(compressed))
				: new BrotliInputStream(new ByteArrayInputStream(compressed))) {
			int read = in.readNBytes(out, offset, length);
			return (in.read() == -1) ? read : -1;
		}
	}

	private static String algorithmName(int algorithm) {
		return switch (algorithm) {
			case BrowserHello.ZLIB -> "zlib";
			case BrowserHello.BROTLI -> "brotli";
			default -> "zstd";
		};
	}

}
