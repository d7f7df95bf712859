package io.hotconnpool.benchmarks;

import java.net.InetAddress;
import java.util.List;

import okhttp3.HttpUrl;

/**
 * One host the clients call: its name (SNI and certificate check), its port and its IP addresses, in the order a
 * DNS answer would list them.
 *
 * @param host the host name
 * @param port the https port
 * @param addresses the IP addresses, at least one
 */
public record Target(String host, int port, List<InetAddress> addresses) {

	public Target {
		addresses = List.copyOf(addresses);
		if (addresses.isEmpty()) {
			throw new IllegalArgumentException("A target needs at least one address: " + host);
		}
	}

	/** {@code host:port}, as the pool takes it. */
	public String hostAndPort() {
		return this.host + ":" + this.port;
	}

	/** {@code https://host:port/}. */
	public HttpUrl url() {
		return new HttpUrl.Builder().scheme("https").host(this.host).port(this.port).build();
	}

}
