package io.hotconnpool.pool;

import lombok.Getter;
import lombok.Setter;

/**
 * The SSL bundle and TLS profile of connections: pool-wide under {@code hotconnpool.tls}, per host under
 * {@code hotconnpool.hosts[i].tls}, where a value left unset inherits the pool-wide one.
 */
@Getter
@Setter
public class TlsChoice extends ConfigGroup {

	/**
	 * Name of the SSL bundle (spring.ssl.bundle.*) whose trust store, and key store for mutual TLS, the connections
	 * use. When set nowhere, the system trust store and no client certificate.
	 */
	private String bundle;

	/**
	 * TLS client profile (the ClientHello presented and its headers): okhttp, chrome, firefox, jdk or the id of a
	 * custom profile; several separated by commas are taken in turn by new connections. When set nowhere, okhttp.
	 */
	private String profile;

}
