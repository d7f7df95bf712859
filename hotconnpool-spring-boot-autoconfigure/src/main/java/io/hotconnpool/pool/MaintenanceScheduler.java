package io.hotconnpool.pool;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the pool's background tasks (health check, cleanup, keep-alive and blacklist checks, DNS update, leak
 * detection). The pool cancels what it scheduled when it stops and schedules again when it starts.
 * <p>
 * The starter backs it with Spring's {@code TaskScheduler} (the {@code hotConnPoolScheduler} bean, on virtual
 * threads when they are enabled); a pool built without one uses a one-thread {@link ScheduledExecutorService} of
 * its own.
 */
@FunctionalInterface
public interface MaintenanceScheduler {

	/**
	 * Runs the task after the initial delay, then again each time the interval has passed since the end of the
	 * previous run, until cancelled.
	 * @param task the work
	 * @param initialDelay the time until the first run
	 * @param interval the delay between the end of one run and the start of the next
	 * @return the handle that cancels later runs ({@code cancel(false)}: a run in flight is not interrupted)
	 */
	Future<?> scheduleWithFixedDelay(Runnable task, Duration initialDelay, Duration interval);

	/**
	 * A scheduler backed by the executor; the caller keeps owning it (and shuts it down).
	 * @param executor the executor
	 * @return the scheduler
	 */
	static MaintenanceScheduler of(ScheduledExecutorService executor) {
		return (task, initialDelay, interval) -> executor.scheduleWithFixedDelay(task, initialDelay.toNanos(),
				interval.toNanos(), TimeUnit.NANOSECONDS);
	}

}
