package io.hotconnpool.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Hashtable;
import java.util.List;
import java.util.Vector;

import javax.net.ssl.X509TrustManager;

import okhttp3.internal.tls.OkHostnameVerifier;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExtensionType;
import org.bouncycastle.tls.KeyExchangeAlgorithm;
import org.bouncycastle.tls.NameType;
import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.ServerName;
import org.bouncycastle.tls.SignatureScheme;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsClientContext;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsExtensionsUtils;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCrypto;

/**
 * What the browser engine negotiates: the browser's suites, groups, key shares, signature algorithms and extensions
 * ({@link BrowserHello}), and a server certificate that must pass the PKIX trust manager and match the host name before
 * the handshake goes on.
 */
final class BrowserTlsClient extends DefaultTlsClient {

	private final BrowserHello hello;

	private final String host;

	private final List<String> applicationProtocols;

	private final X509TrustManager trustManager;

	private final SecureRandom random;

	private volatile boolean applicationSettingsAccepted;

	private volatile int serverRecordSizeLimit = -1;

	/**
	 * @param host the host name: SNI (unless an IP literal) and the name the certificate must match
	 * @param applicationProtocols ALPN protocols, in order
	 */
	BrowserTlsClient(TlsCrypto crypto, BrowserHello hello, String host, List<String> applicationProtocols, X509TrustManager trustManager,
			SecureRandom random) {
		super(crypto);
		this.hello = hello;
		this.host = host;
		this.applicationProtocols = List.copyOf(applicationProtocols);
		this.trustManager = trustManager;
		this.random = random;
	}

	@Override
	public ProtocolVersion[] getProtocolVersions() {
		return ProtocolVersion.TLSv13.downTo(ProtocolVersion.TLSv12);
	}

	/**
	 * The largest handshake message accepted: the largest certificate message,
	 * {@link BrowserTlsClientProtocol#MAX_CERTIFICATE_LENGTH} (Bouncy Castle's default, 32 KiB, is less than the
	 * browsers accept).
	 */
	@Override
	public int getMaxHandshakeMessageSize() {
		return BrowserTlsClientProtocol.MAX_CERTIFICATE_LENGTH;
	}

	@Override
	public int[] getCipherSuites() {
		return this.hello.cipherSuites();
	}

	@Override
	protected Vector<Integer> getSupportedGroups(@SuppressWarnings("rawtypes") Vector namedGroupRoles) {
		return ints(this.hello.groups());
	}

	@Override
	public Vector<Integer> getEarlyKeyShareGroups() {
		return ints(this.hello.keyShareGroups());
	}

	@Override
	protected Vector<Object> getSupportedSignatureAlgorithms() {
		Vector<Object> algorithms = new Vector<>();
		for (int scheme : this.hello.signatureSchemes()) {
			algorithms.add(SignatureScheme.getSignatureAndHashAlgorithm(scheme));
		}
		return algorithms;
	}

	@Override
	protected Vector<ProtocolName> getProtocolNames() {
		Vector<ProtocolName> names = new Vector<>();
		this.applicationProtocols.forEach((name) -> names.add(ProtocolName.asUtf8Encoding(name)));
		return names.isEmpty() ? null : names;
	}

	@Override
	protected Vector<ServerName> getSNIServerNames() {
		if (isIpLiteral(this.host)) {
			return null;
		}
		Vector<ServerName> names = new Vector<>();
		names.add(new ServerName(NameType.host_name, this.host.getBytes(StandardCharsets.US_ASCII)));
		return names;
	}

	@Override
	@SuppressWarnings("unchecked")
	public Hashtable<Integer, byte[]> getClientExtensions() throws IOException {
		Hashtable<Integer, byte[]> extensions = super.getClientExtensions();
		extensions.remove(ExtensionType.encrypt_then_mac); // no browser sends it
		this.hello.addExtensions(extensions, this.random);
		return extensions;
	}

	@Override
	@SuppressWarnings("rawtypes")
	public void processServerExtensions(Hashtable serverExtensions) throws IOException {
		super.processServerExtensions(serverExtensions);
		if (serverExtensions != null && serverExtensions.containsKey(ChromeHello.APPLICATION_SETTINGS)) {
			ProtocolName alpn = TlsExtensionsUtils.getALPNExtensionServer(serverExtensions);
			if (alpn == null || !"h2".equals(alpn.getUtf8Decoding())) {
				throw new TlsFatalAlert(AlertDescription.unsupported_extension,
						"application_settings for a protocol it was not offered for: " + alpn);
			}
			this.applicationSettingsAccepted = true;
		}
		if (serverExtensions != null && serverExtensions.containsKey(ExtensionType.record_size_limit)) { // TLS 1.2
			serverRecordSizeLimit(TlsExtensionsUtils.getRecordSizeLimitExtension(serverExtensions));
		}
	}

	/** The negotiated parameters, once the handshake is done. */
	TlsClientContext context() {
		return this.context;
	}

	/**
	 * The largest record the server accepts (RFC 8449): the plaintext of a protected record, for TLS 1.3 counting its
	 * content type byte; {@code -1} when the server set no limit.
	 */
	int serverRecordSizeLimit() {
		return this.serverRecordSizeLimit;
	}

	/** Records the server's record_size_limit, from its ServerHello (TLS 1.2) or EncryptedExtensions (TLS 1.3). */
	void serverRecordSizeLimit(int limit) {
		this.serverRecordSizeLimit = limit;
	}

	/** Whether the server accepted ALPS, so the client owes it its own application settings. */
	boolean applicationSettingsAccepted() {
		return this.applicationSettingsAccepted;
	}

	@Override
	public TlsAuthentication getAuthentication() {
		return new TlsAuthentication() {

			@Override
			public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
				verify(serverCertificate.getCertificate());
			}

			@Override
			public TlsCredentials getClientCredentials(CertificateRequest certificateRequest) {
				return null; // TlsContext refuses client certificates for the browser engine
			}

		};
	}

	private void verify(Certificate chain) throws IOException {
		if (chain == null || chain.isEmpty()) {
			throw new TlsFatalAlert(AlertDescription.bad_certificate, "The server sent no certificate");
		}
		X509Certificate[] certificates = x509(chain);
		try {
			this.trustManager.checkServerTrusted(certificates, authType());
		}
		catch (CertificateException ex) {
			throw new TlsFatalAlert(AlertDescription.bad_certificate, "Server certificate for " + this.host
					+ " not trusted: " + ex.getMessage(), ex);
		}
		if (!OkHostnameVerifier.INSTANCE.verify(this.host, certificates[0])) {
			throw new TlsFatalAlert(AlertDescription.bad_certificate, "Hostname " + this.host
					+ " not verified: the certificate is for " + certificates[0].getSubjectX500Principal());
		}
	}

	/** The authType the JDK's PKIX trust manager expects: the key exchange for TLS 1.2, UNKNOWN for TLS 1.3. */
	private String authType() {
		int keyExchange = TlsUtils.getKeyExchangeAlgorithm(this.context.getSecurityParametersHandshake().getCipherSuite());
		return switch (keyExchange) {
			case KeyExchangeAlgorithm.ECDHE_ECDSA -> "ECDHE_ECDSA";
			case KeyExchangeAlgorithm.ECDHE_RSA -> "ECDHE_RSA";
			case KeyExchangeAlgorithm.RSA -> "RSA";
			default -> "UNKNOWN";
		};
	}

	static X509Certificate[] x509(Certificate chain) throws IOException {
		try {
			CertificateFactory factory = CertificateFactory.getInstance("X.509");
			X509Certificate[] certificates = new X509Certificate[chain.getLength()];
			for (int i = 0; i < certificates.length; i++) {
				certificates[i] = (X509Certificate) factory
					.generateCertificate(new ByteArrayInputStream(chain.getCertificateAt(i).getEncoded()));
			}
			return certificates;
		}
		catch (CertificateException ex) {
			throw new TlsFatalAlert(AlertDescription.bad_certificate, ex);
		}
	}

	private static boolean isIpLiteral(String host) {
		return host.indexOf(':') >= 0 || host.chars().allMatch((c) -> c == '.' || Character.isDigit(c));
	}

	private static Vector<Integer> ints(int[] values) {
		Vector<Integer> vector = new Vector<>();
		for (int value : values) {
			vector.add(value);
		}
		return vector;
	}

}
