package io.hotconnpool.test;

import java.io.IOException;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Collection;

import okhttp3.tls.Certificates;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * A test CA that no system trust store holds, with server certificates issued by it. Every client trusts exactly such
 * a CA: nothing trusts all. {@link #shared()} is the CA of every test in one JVM; {@link #create} makes a fresh one
 * with its server certificate (a benchmark cell, a client that must not trust another CA); {@link #trusting} holds
 * only the CA of a server run by another process.
 *
 * @param authority the CA with its key; {@code null} when this material only trusts a CA printed by another process
 * @param ca the CA certificate, for clients that take trust as certificates
 * @param server the server certificate {@link #create} issued, {@code null} for the others
 */
public record TestTls(HeldCertificate authority, X509Certificate ca, HandshakeCertificates server) {

	private static final TestTls SHARED = withCa(newCa("hotconnpool test CA"), null);

	/**
	 * The CA every test of this JVM shares: {@link #serverCertificate(String...)} issues certificates for any name.
	 * @return the shared material
	 */
	public static TestTls shared() {
		return SHARED;
	}

	/**
	 * Creates a CA and a server certificate.
	 * @param hostNames the names the server certificate is valid for
	 * @param addresses the IP addresses it is valid for (clients that address servers by IP)
	 * @return the material
	 */
	public static TestTls create(Collection<String> hostNames, Collection<InetAddress> addresses) {
		HeldCertificate ca = newCa("hotconnpool benchmark CA");
		HeldCertificate.Builder server = new HeldCertificate.Builder().commonName("hotconnpool test origin")
			.ecdsa256()
			.signedBy(ca);
		hostNames.forEach(server::addSubjectAlternativeName);
		addresses.forEach((address) -> server.addSubjectAlternativeName(address.getHostAddress()));
		return withCa(ca, serverTls(server.build(), ca.certificate()));
	}

	private static HeldCertificate newCa(String name) {
		return new HeldCertificate.Builder().certificateAuthority(0).commonName(name).ecdsa256().build();
	}

	private static TestTls withCa(HeldCertificate ca, HandshakeCertificates server) {
		return new TestTls(ca, ca.certificate(), server);
	}

	/**
	 * Trust material for a client of a server run by another process, which printed its CA.
	 * @param caPem the CA certificate in PEM
	 * @return material with trust only, no server certificate
	 */
	public static TestTls trusting(String caPem) {
		return new TestTls(null, Certificates.decodeCertificatePem(caPem), null);
	}

	/**
	 * A server certificate (ECDSA P-256) issued by this CA, for servers that are not mockwebserver3 too.
	 * @param names the host names (or IP addresses) it is valid for; the first is its common name
	 * @return the certificate with its private key
	 */
	public HeldCertificate serverCertificate(String... names) {
		if (this.authority == null) {
			throw new IllegalStateException("This material only trusts the CA");
		}
		HeldCertificate.Builder builder = new HeldCertificate.Builder().commonName(names[0])
			.ecdsa256()
			.signedBy(this.authority);
		for (String name : names) {
			builder.addSubjectAlternativeName(name);
		}
		return builder.build();
	}

	/**
	 * The server side of a handshake with a certificate of this CA.
	 * @param certificate the server's certificate, from {@link #serverCertificate(String...)}
	 * @return the server material, chain included
	 */
	public HandshakeCertificates serverTls(HeldCertificate certificate) {
		return serverTls(certificate, this.ca);
	}

	private static HandshakeCertificates serverTls(HeldCertificate certificate, X509Certificate ca) {
		return new HandshakeCertificates.Builder().heldCertificate(certificate, ca).build();
	}

	/**
	 * The server certificate {@link #create} issued.
	 * @return the server material
	 * @throws IllegalStateException for material without one
	 */
	@Override
	public HandshakeCertificates server() {
		if (this.server == null) {
			throw new IllegalStateException("No server certificate: use serverCertificate(...)");
		}
		return this.server;
	}

	/**
	 * The CA certificate in PEM, for an SSL bundle's trust store or another process.
	 * @return the PEM text
	 */
	public String caPem() {
		return Certificates.certificatePem(this.ca);
	}

	/**
	 * A key store holding only the CA, for the pool.
	 * @return a PKCS12 key store
	 */
	public KeyStore trustStore() {
		try {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			store.setCertificateEntry("ca", this.ca);
			return store;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Client trust material with a new {@link javax.net.ssl.SSLContext}: its session cache is empty, as in a freshly
	 * started application, so no handshake is resumed from an earlier client.
	 * @return the client material
	 */
	public HandshakeCertificates client() {
		return new HandshakeCertificates.Builder().addTrustedCertificate(this.ca).build();
	}

}
