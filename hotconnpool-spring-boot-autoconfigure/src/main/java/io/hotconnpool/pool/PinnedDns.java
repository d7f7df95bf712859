package io.hotconnpool.pool;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import okhttp3.Dns;

/** The {@link Dns} of one connection's pinned client. */
final class PinnedDns {

	private PinnedDns() {
	}

	/**
	 * Answers only the pinned IP, and only for the pinned host: a redirect elsewhere cannot leak out of the slot. A
	 * lambda, equal only to itself (one per connection): OkHttp compares an address's Dns on every call.
	 */
	static Dns to(String host, InetAddress ip) {
		return (hostname) -> {
			if (!host.equalsIgnoreCase(hostname)) {
				throw new UnknownHostException("hotconnpool connection is pinned to " + host + ", not " + hostname);
			}
			return List.of(ip);
		};
	}

}
