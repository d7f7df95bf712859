package io.hotconnpool.actuate;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolListener;
import io.hotconnpool.pool.InvalidSettingException;

/**
 * What callers experienced per host over the last {@code hotconnpool.health.window}: calls and failures, for the
 * {@link HotConnPoolHealthIndicator}. A call is a request on a lease, counted when it ends, or an acquire that timed
 * out; it failed when its caller got an exception (before the response or while reading the body), an acquire
 * timeout, a 5xx response or a blacklist status. Fed by the pool's events: register it on the pool
 * ({@link HotConnPool.Builder#listener(HotConnPoolListener)}; the auto-configured pool takes every listener bean).
 */
public final class HotConnPoolRecentOutcomes implements HotConnPoolListener {

	/** The longest window, as every duration of the pool: far inside its nanosecond clock arithmetic. */
	private static final Duration LONGEST = Duration.ofDays(24);

	private final Duration window;

	private final LongSupplier clock;

	/** Per host key; hosts are never removed from a pool, and their number is bounded by max-hosts. */
	private final Map<String, OutcomeWindow> hosts = new ConcurrentHashMap<>();

	/**
	 * Creates the recorder.
	 * @param window how far back calls count, from 1 second to 24 days
	 * @throws InvalidSettingException naming {@code hotconnpool.health.window} when the window is outside that
	 */
	public HotConnPoolRecentOutcomes(Duration window) {
		this(window, System::nanoTime);
	}

	HotConnPoolRecentOutcomes(Duration window, LongSupplier clock) {
		if (window == null || window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(LONGEST) > 0) {
			throw new InvalidSettingException("hotconnpool.health.window", window, "from 1s to 24d, such as 60s");
		}
		this.window = window;
		this.clock = clock;
	}

	/** How far back calls count. */
	public Duration window() {
		return this.window;
	}

	@Override
	public void acquireEnded(String host, long waitNanos, boolean acquired) {
		if (!acquired) {
			window(host).record(this.clock.getAsLong(), true);
		}
	}

	@Override
	public void requestEnded(String host, String ip, RequestOutcome outcome, boolean hot) {
		window(host).record(this.clock.getAsLong(), outcome != RequestOutcome.SUCCESS);
	}

	private OutcomeWindow window(String host) {
		return this.hosts.computeIfAbsent(host, (key) -> new OutcomeWindow(this.window));
	}

	/**
	 * The host's calls and failures over the window ending now.
	 * @param host the host key, {@code host:port}
	 */
	OutcomeWindow.Counts counts(String host) {
		OutcomeWindow recent = this.hosts.get(host);
		return (recent != null) ? recent.counts(this.clock.getAsLong()) : OutcomeWindow.Counts.NONE;
	}

}
