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

	/** Releases every connection and thread of the client. */
	@Override
	void close();

}
