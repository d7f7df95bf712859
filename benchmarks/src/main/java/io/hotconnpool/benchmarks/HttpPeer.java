package io.hotconnpool.benchmarks;

import java.io.IOException;

/** An HTTP client under test: sends {@code GET /} to a target and reads the whole answer. */
public interface HttpPeer extends AutoCloseable {

	/** The name in reports. */
	String name();

	/**
	 * Sends {@code GET https://host:port/} and reads the body to its end.
	 * @param target the host
	 * @return the status code
	 * @throws IOException when the exchange fails
	 */
	int get(Target target) throws IOException;

	/**
	 * Sends {@code GET https://host:port/} as {@link #get} does and tells which protocol the exchange used.
	 * @param target the host
	 * @return the protocol as ALPN names it: {@code h2} or {@code http/1.1}
	 * @throws IOException when the exchange fails
	 */
	String protocol(Target target) throws IOException;

	/** The ALPN name of HTTP {@code major.minor}: {@code h2} for HTTP/2. */
	static String alpnName(int major, int minor) {
		return (major == 2) ? "h2" : "http/" + major + "." + minor;
	}

	/** Releases every connection and thread of the client. */
	@Override
	void close();

}
