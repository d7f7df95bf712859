package io.hotconnpool.autoconfigure;

import java.util.function.Function;

import javax.net.ssl.KeyManagerFactory;

import io.hotconnpool.pool.TlsMaterial;

import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslStoreBundle;

/**
 * The trust and key material of a Spring Boot SSL bundle, by name: how the pool finds the bundles its
 * {@code tls.bundle} properties name.
 */
final class SslBundleMaterial implements Function<String, TlsMaterial> {

	private final SslBundles bundles;

	SslBundleMaterial(SslBundles bundles) {
		this.bundles = bundles;
	}

	@Override
	public TlsMaterial apply(String name) {
		SslBundle bundle;
		try {
			bundle = this.bundles.getBundle(name);
		}
		catch (NoSuchSslBundleException ex) {
			throw new IllegalArgumentException("the name of an SSL bundle configured under spring.ssl.bundle"
					+ " (configured: " + this.bundles.getBundleNames() + ")", ex);
		}
		SslStoreBundle stores = bundle.getStores();
		// Without a key store the bundle holds no client certificate: no key managers, so no mutual TLS.
		KeyManagerFactory keyManagers = (stores.getKeyStore() != null) ? bundle.getManagers().getKeyManagerFactory()
				: null;
		return new TlsMaterial(stores.getTrustStore(), keyManagers);
	}

}
