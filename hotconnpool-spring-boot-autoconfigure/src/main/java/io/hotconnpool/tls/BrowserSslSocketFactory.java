package io.hotconnpool.tls;

import java.net.Socket;
import java.security.SecureRandom;

import javax.net.ssl.X509TrustManager;

import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * Layers the browser engine ({@link BrowserSslSocket}) over the TCP sockets OkHttp connects. Bouncy Castle's
 * lightweight crypto is used because the JDK 17 providers have no ML-KEM for the X25519MLKEM768 key share.
 */
final class BrowserSslSocketFactory extends LayeringSslSocketFactory {

	private final BrowserHello hello;

	private final X509TrustManager trustManager;

	private final SecureRandom random = new SecureRandom();

	private final TlsCrypto crypto = new BcTlsCrypto(this.random);

	BrowserSslSocketFactory(BrowserHello hello, X509TrustManager trustManager) {
		this.hello = hello;
		this.trustManager = trustManager;
	}

	/** Closing the socket closes {@code socket} too, whatever {@code autoClose} says: see {@link BrowserSslSocket}. */
	@Override
	public Socket createSocket(Socket socket, String host, int port, boolean autoClose) {
		return new BrowserSslSocket(this.hello, socket, host, port, this.crypto, this.trustManager, this.random);
	}

	@Override
	public String[] getDefaultCipherSuites() {
		return getSupportedCipherSuites();
	}

	@Override
	public String[] getSupportedCipherSuites() {
		return this.hello.cipherSuiteNames().toArray(String[]::new);
	}

}
