package io.hotconnpool.autoconfigure;

import io.hotconnpool.pool.HotConnPool;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Starts and stops a {@link HotConnPool} with the application context, as Spring Boot keeps the lifecycle of a
 * Hikari pool outside Hikari. {@code start()} warms the pool, {@code stop()} drains it (up to
 * {@code hotconnpool.shutdown.drain-timeout}) and closes its connections, and a later {@code start()} warms it
 * again: {@code context.stop()} then {@code context.start()}, and checkpoint/restore, which drives the same two
 * calls, leave the application with a warm pool. Closing the context then closes the pool for good (its
 * {@code close()} is the bean's destroy method).
 * <p>
 * It runs in the pool's {@code hotconnpool.lifecycle-phase}, by default below Spring's executors
 * ({@code Integer.MAX_VALUE / 2}) and the web server ({@code Integer.MAX_VALUE - 2048}), so the pool is warm before
 * traffic arrives and stops only after the server has drained.
 */
public final class HotConnPoolLifecycle implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(HotConnPoolLifecycle.class);

	private final HotConnPool pool;

	private final int phase;

	/**
	 * Creates the adapter, in the phase of the pool's configuration.
	 * @param pool the pool it starts and stops
	 */
	public HotConnPoolLifecycle(HotConnPool pool) {
		this.pool = pool;
		this.phase = pool.config().getLifecyclePhase();
	}

	/** Warms the pool, again after a stop; see {@link HotConnPool#start()}. */
	@Override
	public void start() {
		this.pool.start();
	}

	@Override
	public boolean isRunning() {
		return this.pool.isRunning();
	}

	/**
	 * Drains the pool and closes its connections ({@link HotConnPool#stop()}); an error closing a connection is
	 * logged, so that the context's stop callback always follows.
	 */
	@Override
	public void stop() {
		try {
			this.pool.stop();
		}
		catch (RuntimeException ex) {
			logger.warn("hotconnpool stopped with errors", ex);
		}
	}

	@Override
	public int getPhase() {
		return this.phase;
	}

}
