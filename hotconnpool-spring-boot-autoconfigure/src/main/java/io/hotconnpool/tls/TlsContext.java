package io.hotconnpool.tls;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Provider;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.conscrypt.Conscrypt;

/**
 * The TLS material a pool hands to OkHttp: an {@link SSLSocketFactory} and the {@link X509TrustManager} that
 * verifies the server, both from one private security provider.
 * <p>
 * Conscrypt is used as a private provider instance: the JVM's global provider list is never changed. Its trust
 * manager is built through Conscrypt's own PKIX factory, because Conscrypt with the JDK's trust manager fails
 * TLS 1.3 handshakes. A {@link TlsProfile} that does not need Conscrypt (the {@code jdk} profile) runs on the JDK's
 * own TLS instead. Certificate and host-name verification are always on; there is no way to switch them off.
 *
 * @param socketFactory the factory OkHttp wraps its sockets with (handshake deadline applied)
 * @param trustManager the trust manager behind {@code socketFactory}
 * @param providerName the security provider in use, {@code "Conscrypt"} or the JDK's
 */
public record TlsContext(SSLSocketFactory socketFactory, X509TrustManager trustManager, String providerName) {

	private static final Log logger = LogFactory.getLog(TlsContext.class);

	/** Name of the setting that allows the JDK fallback, quoted in error messages. */
	public static final String JDK_FALLBACK_SETTING = "hotconnpool.tls.allow-jdk-fallback";

	/** The name {@link Conscrypt#newProvider()} gives its provider. */
	private static final String CONSCRYPT_PROVIDER_NAME = "Conscrypt";

	/** The provider name of the browser engine: Bouncy Castle's TLS API under hotconnpool's ClientHello. */
	static final String BROWSER_ENGINE_NAME = "BCTLS browser engine";

	/** The provider name of the browser engine sending one browser's hello, e.g. {@code BCTLS browser engine: Chrome 149}. */
	static String browserEngineName(BrowserHello hello) {
		return BROWSER_ENGINE_NAME + ": " + hello.browser();
	}

	public TlsContext {
		Objects.requireNonNull(socketFactory, "socketFactory");
		Objects.requireNonNull(trustManager, "trustManager");
		Objects.requireNonNull(providerName, "providerName");
	}

	/**
	 * Builds the TLS context on a private Conscrypt provider.
	 * @param trustStore the trusted certificates, or {@code null} for the system trust store
	 * @param keyManagers client certificates, or {@code null} for none
	 * @param handshakeTimeout the deadline for each read of the TLS handshake
	 * @param allowJdkFallback whether the JDK's own TLS may be used when Conscrypt cannot load
	 * @return the context
	 * @throws TlsProviderUnavailableException when Conscrypt cannot load and the fallback is not allowed
	 */
	public static TlsContext create(KeyStore trustStore, KeyManagerFactory keyManagers, Duration handshakeTimeout,
			boolean allowJdkFallback) {
		return create(trustStore, keyManagers, handshakeTimeout, allowJdkFallback, TlsContext::newConscryptProvider);
	}

	/**
	 * Builds the TLS context a profile runs on: the JDK's own TLS for a profile that does not need Conscrypt (such as
	 * {@link TlsProfile#JDK}), otherwise a private Conscrypt provider as {@link #create(KeyStore, KeyManagerFactory,
	 * Duration, boolean)} does.
	 * @param profile the profile the context is for
	 * @param trustStore the trusted certificates, or {@code null} for the system trust store
	 * @param keyManagers client certificates, or {@code null} for none
	 * @param handshakeTimeout the deadline for each read of the TLS handshake
	 * @param allowJdkFallback whether the JDK's own TLS may be used when Conscrypt cannot load
	 * @return the context
	 * @throws TlsProviderUnavailableException when the profile needs Conscrypt, Conscrypt cannot load and the
	 * fallback is not allowed
	 */
	public static TlsContext create(TlsProfile profile, KeyStore trustStore, KeyManagerFactory keyManagers,
			Duration handshakeTimeout, boolean allowJdkFallback) {
		if (profile.usesBrowserEngine()) {
			return browserEngine(profile, trustStore, keyManagers, handshakeTimeout);
		}
		if (!profile.requiresConscrypt()) {
			return build(trustStore, keyManagers, handshakeTimeout, null);
		}
		return create(trustStore, keyManagers, handshakeTimeout, allowJdkFallback);
	}

	static TlsContext create(KeyStore trustStore, KeyManagerFactory keyManagers, Duration handshakeTimeout,
			boolean allowJdkFallback, Supplier<Provider> conscrypt) {
		return build(trustStore, keyManagers, handshakeTimeout, loadProvider(allowJdkFallback, conscrypt));
	}

	/**
	 * Whether the context runs on Conscrypt, so that per-connection settings (named groups, session tickets) can be
	 * applied through the {@link Conscrypt} API.
	 * @return {@code false} on the JDK's own TLS
	 */
	public boolean usesConscrypt() {
		return CONSCRYPT_PROVIDER_NAME.equals(this.providerName);
	}

	/**
	 * Whether the context runs on the browser engine, which sends a browser's ClientHello field by field.
	 * @return {@code true} for a context built for a browser profile such as {@code chrome}
	 */
	public boolean usesBrowserEngine() {
		return this.providerName.startsWith(BROWSER_ENGINE_NAME);
	}

	/**
	 * The browser engine: Bouncy Castle's TLS client with the browser's ClientHello, verified by the JDK's PKIX trust
	 * manager over the same trust store and by the host name, during the handshake.
	 */
	private static TlsContext browserEngine(TlsProfile profile, KeyStore trustStore, KeyManagerFactory keyManagers,
			Duration handshakeTimeout) {
		if (keyManagers != null) {
			throw new IllegalArgumentException("TLS profile '" + profile.id() + "' runs on the browser engine, which"
					+ " does not send client certificates: use the okhttp profile for hosts that need one");
		}
		try {
			TrustManagerFactory trustManagerFactory = TrustManagerFactory.getInstance("PKIX");
			trustManagerFactory.init(trustStore);
			X509TrustManager trustManager = x509TrustManager(trustManagerFactory);
			SSLSocketFactory socketFactory = new HandshakeDeadlineSocketFactory(
					new BrowserSslSocketFactory(profile.browserHello(), trustManager), handshakeTimeout);
			return new TlsContext(socketFactory, trustManager, browserEngineName(profile.browserHello()));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Could not initialise TLS: " + ex.getMessage(), ex);
		}
	}

	private static X509TrustManager x509TrustManager(TrustManagerFactory trustManagerFactory) {
		return Arrays.stream(trustManagerFactory.getTrustManagers())
			.filter(X509TrustManager.class::isInstance)
			.map(X509TrustManager.class::cast)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No X509TrustManager from " + trustManagerFactory));
	}

	/** Builds the context on {@code provider}, or on the JDK's default provider when it is {@code null}. */
	private static TlsContext build(KeyStore trustStore, KeyManagerFactory keyManagers, Duration handshakeTimeout,
			Provider provider) {
		try {
			TrustManagerFactory trustManagerFactory = (provider != null)
					? TrustManagerFactory.getInstance("PKIX", provider)
					: TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trustManagerFactory.init(trustStore);
			X509TrustManager trustManager = x509TrustManager(trustManagerFactory);
			SSLContext sslContext = (provider != null) ? SSLContext.getInstance("TLS", provider)
					: SSLContext.getInstance("TLS");
			KeyManager[] clientKeys = (keyManagers != null) ? keyManagers.getKeyManagers() : null;
			sslContext.init(clientKeys, new X509TrustManager[] { trustManager }, null);
			SSLSocketFactory socketFactory = new HandshakeDeadlineSocketFactory(sslContext.getSocketFactory(),
					handshakeTimeout);
			return new TlsContext(socketFactory, trustManager, sslContext.getProvider().getName());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Could not initialise TLS: " + ex.getMessage(), ex);
		}
	}

	private static Provider loadProvider(boolean allowJdkFallback, Supplier<Provider> conscrypt) {
		try {
			return conscrypt.get();
		}
		catch (Throwable ex) { // UnsatisfiedLinkError, NoClassDefFoundError: the native library did not load
			if (ex instanceof VirtualMachineError vmError && !(ex instanceof OutOfMemoryError)) {
				throw vmError;
			}
			if (!allowJdkFallback) {
				throw new TlsProviderUnavailableException(ex);
			}
			logger.warn("Conscrypt could not load (" + ex + "); using the JDK's TLS because " + JDK_FALLBACK_SETTING
					+ "=true. TLS fingerprints will be the JDK's.");
			return null;
		}
	}

	private static Provider newConscryptProvider() {
		Conscrypt.checkAvailability();
		return Conscrypt.newProvider();
	}

}
