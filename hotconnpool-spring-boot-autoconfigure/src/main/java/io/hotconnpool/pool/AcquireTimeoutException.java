package io.hotconnpool.pool;

/**
 * No connection to the host became free within the acquire timeout. The message carries the host's
 * total / idle / leased / warming connections and the number of waiting acquires, the facts needed to tell a
 * leak from an undersized pool.
 */
public class AcquireTimeoutException extends RuntimeException {

	private final transient HostStats hostStats;

	AcquireTimeoutException(String message, HostStats hostStats) {
		super(message);
		this.hostStats = hostStats;
	}

	/** The host's statistics at the moment the acquire gave up. */
	public HostStats getHostStats() {
		return this.hostStats;
	}

}
