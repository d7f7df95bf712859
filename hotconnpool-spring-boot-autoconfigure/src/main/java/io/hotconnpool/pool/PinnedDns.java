package io.hotconnpool.pool;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import okhttp3.Dns;

/**
 * Answers only the pinned IP, and only for the pinned host: a redirect elsewhere cannot leak out of the slot.
 * Equal only to itself (one per connection): OkHttp compares an address's Dns on every call.
 */
final class PinnedDns implements Dns {

	private final String host;

	private final InetAddress ip;

	PinnedDns(String host, InetAddress ip) {
		this.host = host;
		this.ip = ip;
	}

	@Override
	public List<InetAddress> lookup(String hostname) throws UnknownHostException {
		if (!this.host.equalsIgnoreCase(hostname)) {
			throw new UnknownHostException("hotconnpool connection is pinned to " + this.host + ", not " + hostname);
		}
		return List.of(this.ip);
	}

}
