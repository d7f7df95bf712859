package io.hotconnpool.tls;

import java.io.IOException;
import java.security.Principal;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SecurityParameters;
import org.bouncycastle.tls.TlsClientContext;

/**
 * The {@link SSLSession} of a finished browser-engine handshake: what OkHttp reads into its {@code Handshake} (version,
 * cipher suite, peer certificates) and nothing it would not. Sessions are never resumed.
 */
final class BrowserSslSession implements SSLSession {

	/** Before the handshake, as the JDK reports it. */
	static final BrowserSslSession NONE = new BrowserSslSession();

	private final String protocol;

	private final String cipherSuite;

	private final String applicationProtocol;

	private final X509Certificate[] peerCertificates;

	private final byte[] id;

	private final String peerHost;

	private final int peerPort;

	private final long creationTime = System.currentTimeMillis();

	private final Map<String, Object> values = new ConcurrentHashMap<>();

	private BrowserSslSession() {
		this.protocol = "NONE";
		this.cipherSuite = "SSL_NULL_WITH_NULL_NULL";
		this.applicationProtocol = null;
		this.peerCertificates = null;
		this.id = new byte[0];
		this.peerHost = null;
		this.peerPort = -1;
	}

	BrowserSslSession(TlsClientContext context, BrowserHello hello, String peerHost, int peerPort) throws IOException {
		SecurityParameters parameters = context.getSecurityParametersConnection();
		ProtocolVersion version = parameters.getNegotiatedVersion();
		this.protocol = ProtocolVersion.TLSv13.equals(version) ? "TLSv1.3" : "TLSv1.2";
		this.cipherSuite = hello.cipherSuiteName(parameters.getCipherSuite());
		ProtocolName alpn = parameters.getApplicationProtocol();
		this.applicationProtocol = (alpn != null) ? alpn.getUtf8Decoding() : "";
		this.peerCertificates = BrowserTlsClient.x509(parameters.getPeerCertificate());
		this.id = (parameters.getSessionID() != null) ? parameters.getSessionID().clone() : new byte[0];
		this.peerHost = peerHost;
		this.peerPort = peerPort;
	}

	/** The ALPN protocol, {@code ""} when none was agreed. */
	String applicationProtocol() {
		return this.applicationProtocol;
	}

	@Override
	public byte[] getId() {
		return this.id.clone();
	}

	@Override
	public SSLSessionContext getSessionContext() {
		return null;
	}

	@Override
	public long getCreationTime() {
		return this.creationTime;
	}

	@Override
	public long getLastAccessedTime() {
		return this.creationTime;
	}

	@Override
	public void invalidate() {
	}

	@Override
	public boolean isValid() {
		return this != NONE;
	}

	@Override
	public void putValue(String name, Object value) {
		this.values.put(name, value);
	}

	@Override
	public Object getValue(String name) {
		return this.values.get(name);
	}

	@Override
	public void removeValue(String name) {
		this.values.remove(name);
	}

	@Override
	public String[] getValueNames() {
		return this.values.keySet().toArray(String[]::new);
	}

	@Override
	public Certificate[] getPeerCertificates() throws SSLPeerUnverifiedException {
		if (this.peerCertificates == null) {
			throw new SSLPeerUnverifiedException("No handshake yet");
		}
		return this.peerCertificates.clone();
	}

	@Override
	public Certificate[] getLocalCertificates() {
		return null;
	}

	@Override
	@Deprecated
	@SuppressWarnings("removal")
	public javax.security.cert.X509Certificate[] getPeerCertificateChain() {
		throw new UnsupportedOperationException("Use getPeerCertificates()");
	}

	@Override
	public Principal getPeerPrincipal() throws SSLPeerUnverifiedException {
		return ((X509Certificate) getPeerCertificates()[0]).getSubjectX500Principal();
	}

	@Override
	public Principal getLocalPrincipal() {
		return null;
	}

	@Override
	public String getCipherSuite() {
		return this.cipherSuite;
	}

	@Override
	public String getProtocol() {
		return this.protocol;
	}

	@Override
	public String getPeerHost() {
		return this.peerHost;
	}

	@Override
	public int getPeerPort() {
		return this.peerPort;
	}

	@Override
	public int getPacketBufferSize() {
		return 16384 + 256;
	}

	@Override
	public int getApplicationBufferSize() {
		return 16384;
	}

}
