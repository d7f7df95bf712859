package io.hotconnpool.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Queue;
import java.util.Vector;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import io.airlift.compress.zstd.ZstdCompressor;
import io.hotconnpool.test.LoopbackTlsOrigins;
import io.hotconnpool.test.TestTls;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Protocol;
import okhttp3.tls.Certificates;
import okhttp3.tls.HeldCertificate;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateEntry;
import org.bouncycastle.tls.ContentType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.HandshakeType;
import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureScheme;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsServerProtocol;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

/**
 * A TLS 1.3 origin on 127.0.0.1 built on Bouncy Castle's server API, for what mockwebserver3 cannot do: send its
 * certificate chain compressed (RFC 8879: brotli, zlib or zstd) and accept ALPS. Behind the TLS it relays bytes to a mockwebserver3
 * speaking HTTP/2 with prior knowledge, so a client runs real HTTP/2 GETs through it.
 */
final class BouncyCastleTlsOrigin implements AutoCloseable {

	private final CertificateCompression compression;

	private final boolean acceptApplicationSettings;

	/** The record_size_limit the origin announces (RFC 8449) when the client offers one; 0 for none. */
	private final int recordSizeLimit;

	/** The most handshake bytes the origin puts in one record; 0 for as many as fit. */
	private final int handshakeRecordSize;

	/** The largest application data plaintext received in one record. */
	private final AtomicInteger largestRecord = new AtomicInteger();

	private final JcaTlsCrypto crypto = (JcaTlsCrypto) new JcaTlsCryptoProvider().create(new SecureRandom());

	private final HeldCertificate certificate;

	private final MockWebServer backend = new MockWebServer();

	private final InetAddress loopback = InetAddress.getByAddress("localhost", new byte[] { 127, 0, 0, 1 });

	private final ServerSocket listener;

	private final ExecutorService threads = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "bc-tls-origin");
		thread.setDaemon(true);
		return thread;
	});

	private final AtomicInteger handshakes = new AtomicInteger();

	private final AtomicInteger compressedCertificatesSent = new AtomicInteger();

	/** The application settings each client sent in its EncryptedExtensions, when ALPS was accepted. */
	private final Queue<byte[]> clientApplicationSettings = new ConcurrentLinkedQueue<>();

	private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();

	private BouncyCastleTlsOrigin(HeldCertificate certificate, CertificateCompression compression,
			boolean acceptApplicationSettings, int recordSizeLimit, int handshakeRecordSize) throws IOException {
		this.certificate = certificate;
		this.compression = compression;
		this.acceptApplicationSettings = acceptApplicationSettings;
		this.recordSizeLimit = recordSizeLimit;
		this.handshakeRecordSize = handshakeRecordSize;
		this.backend.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
		this.backend.setDispatcher(new mockwebserver3.Dispatcher() {
			@Override
			public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
				return new MockResponse.Builder().body("hot").build();
			}
		});
		this.backend.start(this.loopback, 0);
		this.listener = new ServerSocket(0, 50, this.loopback);
		this.threads.execute(this::acceptLoop);
	}

	/**
	 * Starts an origin for {@link LoopbackTlsOrigins#HOST} with a certificate from the test CA.
	 * @param compression how the certificate chain is sent
	 * @param acceptApplicationSettings whether to accept ALPS for h2
	 */
	static BouncyCastleTlsOrigin start(CertificateCompression compression, boolean acceptApplicationSettings)
			throws IOException {
		return new BouncyCastleTlsOrigin(LoopbackTlsOrigins.serverCertificate(LoopbackTlsOrigins.HOST), compression,
				acceptApplicationSettings, 0, 0);
	}

	/**
	 * Starts an origin that splits its handshake messages into records of {@code size} bytes, so that headers and
	 * bodies of messages straddle records.
	 * @param compression how the certificate chain is sent
	 * @param size the most handshake bytes in one record
	 */
	static BouncyCastleTlsOrigin startWithHandshakeRecordsOf(int size, CertificateCompression compression)
			throws IOException {
		return new BouncyCastleTlsOrigin(LoopbackTlsOrigins.serverCertificate(LoopbackTlsOrigins.HOST), compression,
				false, 0, size);
	}

	/**
	 * Starts an origin whose certificate also names {@code moreNames} other hosts, for a certificate chain of several
	 * records.
	 * @param compression how the certificate chain is sent
	 * @param moreNames how many names to add, 25 bytes each
	 */
	static BouncyCastleTlsOrigin startWithLargeCertificate(CertificateCompression compression, int moreNames)
			throws IOException {
		String[] names = new String[1 + moreNames];
		names[0] = LoopbackTlsOrigins.HOST;
		for (int i = 1; i < names.length; i++) {
			names[i] = String.format("name-%05d.example.test", i);
		}
		return new BouncyCastleTlsOrigin(TestTls.shared().serverCertificate(names), compression, false, 0, 0);
	}

	/**
	 * Starts an origin that announces a record_size_limit to a client that offers one, and records the largest
	 * application data record it receives.
	 * @param recordSizeLimit the limit, counting the TLS 1.3 content type byte
	 */
	static BouncyCastleTlsOrigin startWithRecordSizeLimit(int recordSizeLimit) throws IOException {
		return new BouncyCastleTlsOrigin(LoopbackTlsOrigins.serverCertificate(LoopbackTlsOrigins.HOST),
				CertificateCompression.NONE, false, recordSizeLimit, 0);
	}

	/** How the origin sends its certificate chain. */
	enum CertificateCompression {

		/** A plain Certificate message. */
		NONE(0),

		/** A brotli CompressedCertificate. */
		BROTLI(BrowserHello.BROTLI),

		/** A brotli CompressedCertificate that claims one byte more than it holds. */
		BROTLI_WRONG_LENGTH(BrowserHello.BROTLI),

		/** A CompressedCertificate that claims 16 MiB. */
		BROTLI_TOO_LARGE(BrowserHello.BROTLI),

		/** A zlib CompressedCertificate. */
		ZLIB(BrowserHello.ZLIB),

		/** A zlib CompressedCertificate that claims one byte more than it holds. */
		ZLIB_WRONG_LENGTH(BrowserHello.ZLIB),

		/** A zstd CompressedCertificate. */
		ZSTD(BrowserHello.ZSTD),

		/** A zstd CompressedCertificate that claims one byte less than it holds. */
		ZSTD_WRONG_LENGTH(BrowserHello.ZSTD);

		private final int algorithm;

		CertificateCompression(int algorithm) {
			this.algorithm = algorithm;
		}

		byte[] compress(byte[] data) {
			return switch (this.algorithm) {
				case BrowserHello.ZLIB -> zlib(data);
				case BrowserHello.ZSTD -> zstd(data);
				default -> Brotli.storedOnly(data);
			};
		}

		private static byte[] zlib(byte[] data) {
			Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
			try (ByteArrayOutputStream out = new ByteArrayOutputStream();
					DeflaterOutputStream zlib = new DeflaterOutputStream(out, deflater)) {
				zlib.write(data);
				zlib.finish();
				return out.toByteArray();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			finally {
				deflater.end();
			}
		}

		private static byte[] zstd(byte[] data) {
			ZstdCompressor compressor = new ZstdCompressor();
			byte[] out = new byte[compressor.maxCompressedLength(data.length)];
			int length = compressor.compress(data, 0, data.length, out, 0, out.length);
			return Arrays.copyOf(out, length);
		}

	}

	int port() {
		return this.listener.getLocalPort();
	}

	int handshakes() {
		return this.handshakes.get();
	}

	int largestRecord() {
		return this.largestRecord.get();
	}

	int compressedCertificatesSent() {
		return this.compressedCertificatesSent.get();
	}

	List<byte[]> clientApplicationSettings() {
		return List.copyOf(this.clientApplicationSettings);
	}

	List<Throwable> failures() {
		return List.copyOf(this.failures);
	}

	private void acceptLoop() {
		while (!this.listener.isClosed()) {
			try {
				Socket socket = this.listener.accept();
				this.threads.execute(() -> serve(socket));
			}
			catch (IOException ex) {
				return; // closed
			}
		}
	}

	private void serve(Socket socket) {
		try (socket; Socket backendSocket = new Socket(this.loopback, this.backend.getPort())) {
			socket.setSoTimeout(10_000);
			OriginProtocol protocol = new OriginProtocol(socket.getInputStream(), socket.getOutputStream());
			protocol.accept(new OriginServer());
			this.handshakes.incrementAndGet();
			this.threads.execute(() -> relay(backendSocket, protocol.getOutputStream()));
			relay(protocol.getInputStream(), backendSocket.getOutputStream());
		}
		catch (IOException | RuntimeException ex) {
			this.failures.add(ex);
		}
	}

	private static void relay(Socket from, OutputStream to) {
		try {
			relay(from.getInputStream(), to);
		}
		catch (IOException ex) {
			// the other side closed
		}
	}

	private static void relay(InputStream from, OutputStream to) {
		byte[] buffer = new byte[16384];
		try {
			for (int read; (read = from.read(buffer)) >= 0;) {
				to.write(buffer, 0, read);
				to.flush();
			}
		}
		catch (IOException ex) {
			// the other side closed
		}
	}

	@Override
	public void close() throws IOException {
		this.listener.close();
		this.backend.close();
		this.threads.shutdownNow();
	}

	/** TLS 1.3 only, ECDSA P-256 certificate, ALPN h2; ALPS for h2 when asked to. */
	private final class OriginServer extends DefaultTlsServer {

		OriginServer() {
			super(BouncyCastleTlsOrigin.this.crypto);
		}

		@Override
		protected ProtocolVersion[] getSupportedVersions() {
			return ProtocolVersion.TLSv13.only();
		}

		@Override
		protected Vector<ProtocolName> getProtocolNames() {
			Vector<ProtocolName> names = new Vector<>();
			names.add(ProtocolName.HTTP_2_TLS);
			return names;
		}

		@Override
		@SuppressWarnings("unchecked")
		public Hashtable<Integer, byte[]> getServerExtensions() throws IOException {
			Hashtable<Integer, byte[]> extensions = super.getServerExtensions();
			if (BouncyCastleTlsOrigin.this.acceptApplicationSettings) {
				// An HTTP/2 SETTINGS frame with no settings, as the server's application settings.
				extensions.put(ChromeHello.APPLICATION_SETTINGS, new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 });
			}
			if (BouncyCastleTlsOrigin.this.recordSizeLimit > 0
					&& this.clientExtensions.containsKey(org.bouncycastle.tls.ExtensionType.record_size_limit)) {
				TlsExtensionsUtils.addRecordSizeLimitExtension(extensions, BouncyCastleTlsOrigin.this.recordSizeLimit);
			}
			return extensions;
		}

		@Override
		public TlsCredentials getCredentials() throws IOException {
			HeldCertificate held = BouncyCastleTlsOrigin.this.certificate;
			java.security.cert.X509Certificate ca = Certificates
				.decodeCertificatePem(LoopbackTlsOrigins.caCertificatePem());
			TlsCertificate leaf = this.context.getCrypto().createCertificate(encoded(held.certificate()));
			TlsCertificate issuer = this.context.getCrypto().createCertificate(encoded(ca));
			Certificate chain = new Certificate(TlsUtils.EMPTY_BYTES,
					new CertificateEntry[] { new CertificateEntry(leaf, null), new CertificateEntry(issuer, null) });
			return new JcaDefaultTlsCredentialedSigner(new TlsCryptoParameters(this.context),
					BouncyCastleTlsOrigin.this.crypto, held.keyPair().getPrivate(), chain,
					SignatureScheme.getSignatureAndHashAlgorithm(SignatureScheme.ecdsa_secp256r1_sha256));
		}

		private static byte[] encoded(java.security.cert.X509Certificate certificate) throws IOException {
			try {
				return certificate.getEncoded();
			}
			catch (java.security.cert.CertificateEncodingException ex) {
				throw new IOException(ex);
			}
		}

	}

	/**
	 * Sends a CompressedCertificate in place of the Certificate, splits handshake records when asked to, and takes the
	 * client's ALPS EncryptedExtensions.
	 */
	private final class OriginProtocol extends TlsServerProtocol {

		OriginProtocol(InputStream input, OutputStream output) {
			super(input, output);
		}

		@Override
		protected void send13CertificateMessage(Certificate certificate) throws IOException {
			CertificateCompression compression = BouncyCastleTlsOrigin.this.compression;
			if (compression == CertificateCompression.NONE) {
				super.send13CertificateMessage(certificate);
				return;
			}
			ByteArrayOutputStream body = new ByteArrayOutputStream();
			certificate.encode(getContext(), body, null);
			byte[] uncompressed = body.toByteArray();
			byte[] compressed = compression.compress(uncompressed);
			BrowserHello.Bytes message = new BrowserHello.Bytes();
			message.u8(HandshakeType.compressed_certificate);
			message.u24(2 + 3 + 3 + compressed.length);
			message.u16(compression.algorithm);
			message.u24(switch (compression) {
				case BROTLI_WRONG_LENGTH, ZLIB_WRONG_LENGTH -> uncompressed.length + 1;
				case ZSTD_WRONG_LENGTH -> uncompressed.length - 1;
				case BROTLI_TOO_LARGE -> (1 << 24) - 1;
				default -> uncompressed.length;
			});
			message.u24(compressed.length);
			message.write(compressed);
			BcTlsInternals.writeHandshakeMessage(this, message.toByteArray()); // hashed as sent
			BouncyCastleTlsOrigin.this.compressedCertificatesSent.incrementAndGet();
		}

		@Override
		protected void safeWriteRecord(short type, byte[] buf, int offset, int len) throws IOException {
			int size = BouncyCastleTlsOrigin.this.handshakeRecordSize;
			if (type != ContentType.handshake || size == 0) {
				super.safeWriteRecord(type, buf, offset, len);
				return;
			}
			for (int at = 0; at < len; at += size) {
				super.safeWriteRecord(type, buf, offset + at, Math.min(size, len - at));
			}
		}

		@Override
		protected void processRecord(short protocol, byte[] buf, int off, int len) throws IOException {
			// The client's EncryptedExtensions comes alone in its record, before its Finished.
			if (protocol == ContentType.handshake && len >= 4 && buf[off] == HandshakeType.encrypted_extensions) {
				BcTlsInternals.handshakeHash(this).update(buf, off, len);
				BrowserHello.Bytes settings = new BrowserHello.Bytes();
				settings.write(buf, off, len);
				BouncyCastleTlsOrigin.this.clientApplicationSettings.add(settings.toByteArray());
				return;
			}
			if (protocol == ContentType.application_data) {
				BouncyCastleTlsOrigin.this.largestRecord.accumulateAndGet(len, Math::max);
			}
			super.processRecord(protocol, buf, off, len);
		}

	}

	/** A brotli stream of stored (uncompressed) meta-blocks (RFC 7932 section 9.2): valid, and no encoder needed. */
	static final class Brotli {

		private Brotli() {
		}

		static byte[] storedOnly(byte[] data) {
			if (data.length == 0 || data.length > 65536) {
				throw new IllegalArgumentException("one stored meta-block of 1 to 65536 bytes: " + data.length);
			}
			BitWriter bits = new BitWriter();
			bits.write(0, 1); // WBITS = 16
			bits.write(0, 1); // ISLAST = 0
			bits.write(0, 2); // MNIBBLES = 4
			bits.write(data.length - 1, 16); // MLEN - 1
			bits.write(1, 1); // ISUNCOMPRESSED
			bits.alignToByte();
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			out.writeBytes(bits.toByteArray());
			out.writeBytes(data);
			out.write(0b11); // ISLAST = 1, ISLASTEMPTY = 1
			return out.toByteArray();
		}

	}

	/** Bits least significant first, as brotli packs them. */
	private static final class BitWriter {

		private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		private int current;

		private int used;

		void write(int value, int count) {
			for (int i = 0; i < count; i++) {
				this.current |= ((value >>> i) & 1) << this.used;
				if (++this.used == 8) {
					alignToByte();
				}
			}
		}

		void alignToByte() {
			if (this.used > 0) {
				this.bytes.write(this.current);
				this.current = 0;
				this.used = 0;
			}
		}

		byte[] toByteArray() {
			return this.bytes.toByteArray();
		}

	}

}
