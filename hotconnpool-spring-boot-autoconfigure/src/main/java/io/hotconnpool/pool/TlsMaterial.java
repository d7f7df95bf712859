package io.hotconnpool.pool;

import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;

/**
 * The trust and key material a host's connections use: typically one Spring Boot SSL bundle.
 * Compared by identity of its parts, so that hosts sharing a bundle share one TLS context.
 *
 * @param trustStore the trusted certificates, or {@code null} for the system trust store
 * @param keyManagers client certificates for mutual TLS, or {@code null} for none
 */
public record TlsMaterial(KeyStore trustStore, KeyManagerFactory keyManagers) {

	/** The system trust store and no client certificate. */
	public static final TlsMaterial SYSTEM = new TlsMaterial(null, null);

}
