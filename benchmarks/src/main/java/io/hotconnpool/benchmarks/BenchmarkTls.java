package io.hotconnpool.benchmarks;

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
 * A test CA and one server certificate issued by it, valid for the benchmark's host names and IP addresses. Every
 * client trusts exactly this CA: nothing trusts all.
 */
public final class BenchmarkTls {

	private final X509Certificate ca;

	private final HandshakeCertificates server;

	private BenchmarkTls(X509Certificate ca, HandshakeCertificates server) {
		this.ca = ca;
		this.server = server;
	}

	/**
	 * Creates a CA and a server certificate.
	 * @param hostNames the names the server certificate is valid for
	 * @param addresses the IP addresses it is valid for (clients that address servers by IP)
	 * @return the material
	 */
	public static BenchmarkTls create(Collection<String> hostNames, Collection<InetAddress> addresses) {
		HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0)
			.commonName("hotconnpool benchmark CA")
			.ecdsa256()
			.build();
		HeldCertificate.Builder server = new HeldCertificate.Builder().commonName("hotconnpool benchmark origin")
			.ecdsa256()
			.signedBy(ca);
		hostNames.forEach(server::addSubjectAlternativeName);
		addresses.forEach((address) -> server.addSubjectAlternativeName(address.getHostAddress()));
		HandshakeCertificates serverTls = new HandshakeCertificates.Builder()
			.heldCertificate(server.build(), ca.certificate())
			.build();
		return new BenchmarkTls(ca.certificate(), serverTls);
	}

	/**
	 * Trust material for a client of a server run by another process, which printed its CA.
	 * @param caPem the CA certificate in PEM
	 * @return material with trust only, no server certificate
	 */
	public static BenchmarkTls trusting(String caPem) {
		return new BenchmarkTls(Certificates.decodeCertificatePem(caPem), null);
	}

	/** The server side: certificate and key. */
	public HandshakeCertificates server() {
		if (this.server == null) {
			throw new IllegalStateException("This material only trusts the CA");
		}
		return this.server;
	}

	/** The CA certificate, for clients that take trust as certificates. */
	public X509Certificate ca() {
		return this.ca;
	}

	/** The CA certificate in PEM. */
	public String caPem() {
		return Certificates.certificatePem(this.ca);
	}

	/** A key store holding only the CA, for the pool. */
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
