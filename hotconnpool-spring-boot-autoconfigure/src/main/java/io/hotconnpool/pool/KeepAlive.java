package io.hotconnpool.pool;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import okhttp3.Protocol;
import okhttp3.Response;

/**
 * How long one host's servers keep an idle connection open, as far as the pool knows: announced in
 * {@code Keep-Alive: timeout=N} on HTTP/1.1 responses, or seen when the pool finds an idle connection closed. Each
 * such close after an idle time {@code X} says the timeout is at most {@code X}; a connection found open after a longer
 * idle time says that close had another cause (a restart), and the observation is dropped, as it is after
 * {@link #OBSERVATION_TTL_NANOS}. Closes of connections idle less than the alive-bypass window teach nothing: the
 * pool does not look at such connections before use, and no keep-alive timeout is that short.
 * <p>
 * Lock-free: volatile fields, written rarely (a value changes), read on maintenance ticks.
 */
final class KeepAlive {

	/** How long an observed idle close counts before the pool needs to see it again. */
	static final long OBSERVATION_TTL_NANOS = TimeUnit.MINUTES.toNanos(10);

	private final long minimumNanos;

	/** The announced timeout; 0 when none was announced. */
	private volatile long announcedNanos;

	/** The shortest idle time after which a close was seen; 0 when none counts. */
	private volatile long observedNanos;

	private volatile long observedAtNanos;

	KeepAlive(long minimumNanos) {
		this.minimumNanos = minimumNanos;
	}

	/** Reads {@code Keep-Alive: timeout=N} from an HTTP/1.1 response; other responses and malformed values change nothing. */
	void learn(Response response) {
		if (response.protocol() != Protocol.HTTP_1_1) {
			return;
		}
		String header = response.header("Keep-Alive");
		if (header == null) {
			return;
		}
		for (String parameter : header.split(",")) {
			String trimmed = parameter.trim().toLowerCase(Locale.ROOT);
			if (trimmed.startsWith("timeout=")) {
				try {
					long seconds = Long.parseLong(trimmed.substring("timeout=".length()).trim());
					if (seconds > 0 && seconds < TimeUnit.DAYS.toSeconds(1)) {
						long nanos = TimeUnit.SECONDS.toNanos(seconds);
						if (this.announcedNanos != nanos) {
							this.announcedNanos = nanos;
						}
					}
				}
				catch (NumberFormatException ex) {
					// not a number of seconds: ignored, as a browser does
				}
			}
		}
	}

	/** An idle connection was found closed by its server after {@code idleNanos}. */
	synchronized void idleClosed(long idleNanos, long now) {
		if (idleNanos < this.minimumNanos) {
			return;
		}
		if (this.observedNanos == 0 || idleNanos < this.observedNanos || now - this.observedAtNanos >= OBSERVATION_TTL_NANOS) {
			this.observedNanos = idleNanos;
		}
		this.observedAtNanos = now;
	}

	/** An idle connection was found open after {@code idleNanos}: a shorter observed close had another cause. */
	void stayedOpen(long idleNanos) {
		long observed = this.observedNanos;
		if (observed != 0 && idleNanos > observed) {
			synchronized (this) {
				if (this.observedNanos == observed) {
					this.observedNanos = 0;
				}
			}
		}
	}

	/**
	 * The idle time after which the servers close a connection, as far as known.
	 * @return the timeout in nanoseconds, or 0 when unknown
	 */
	long timeoutNanos(long now) {
		long announced = this.announcedNanos;
		long observed = this.observedNanos;
		if (observed != 0 && now - this.observedAtNanos >= OBSERVATION_TTL_NANOS) {
			observed = 0;
		}
		if (announced == 0 || observed == 0) {
			return Math.max(announced, observed);
		}
		return Math.min(announced, observed);
	}

	/**
	 * The idle time after which maintenance re-probes a connection, so that its server's idle timer starts again
	 * well before it closes the connection: half the known timeout.
	 * @return nanoseconds, or {@link Long#MAX_VALUE} when the timeout is unknown
	 */
	long revalidateAfterNanos(long now) {
		long timeout = timeoutNanos(now);
		return (timeout == 0) ? Long.MAX_VALUE : timeout / 2;
	}

}
