package io.hotconnpool.pool;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Runs the pool's background tasks on a {@link MaintenanceScheduler} and knows which runs are in flight, so that
 * stop can cancel them and wait for the ones already running (a wait group with a deadline). One instance serves
 * one run of the pool, from a start to the next stop.
 * <p>
 * Each task's first run is jittered to between half and all of its interval, so that pools started together do
 * not tick in step. A run that fails is logged once per streak of failures and never stops later runs.
 */
final class Maintenance {

	private static final Log logger = LogFactory.getLog(Maintenance.class);

	private final MaintenanceScheduler scheduler;

	private final List<Future<?>> scheduled = new CopyOnWriteArrayList<>();

	private final Set<String> failing = ConcurrentHashMap.newKeySet();

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition allDone = this.lock.newCondition();

	private int running;

	private boolean stopped;

	Maintenance(MaintenanceScheduler scheduler) {
		this.scheduler = scheduler;
	}

	/**
	 * Schedules a task with a fixed delay between runs.
	 * @param name the task's name, for logs
	 * @param interval the delay between the end of one run and the start of the next
	 * @param task the work
	 */
	void schedule(String name, Duration interval, Runnable task) {
		long jitterNanos = (long) (interval.toNanos() * (0.5 + 0.5 * ThreadLocalRandom.current().nextDouble()));
		this.scheduled.add(this.scheduler.scheduleWithFixedDelay(() -> run(name, task), Duration.ofNanos(jitterNanos),
				interval));
	}

	private void run(String name, Runnable task) {
		if (!enter()) {
			return;
		}
		try {
			task.run();
			if (this.failing.remove(name)) {
				logger.info("hotconnpool " + name + " runs again without error");
			}
		}
		catch (RuntimeException ex) {
			if (this.failing.add(name)) {
				logger.warn("hotconnpool " + name + " failed; later runs go on (logged once until it succeeds)", ex);
			}
		}
		finally {
			exit();
		}
	}

	private boolean enter() {
		this.lock.lock();
		try {
			if (this.stopped) {
				return false;
			}
			this.running++;
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void exit() {
		this.lock.lock();
		try {
			if (--this.running == 0) {
				this.allDone.signalAll();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Cancels every scheduled task and waits for the runs in flight, up to the deadline. No run starts afterwards.
	 * @return whether every run in flight finished in time
	 */
	boolean stop(long deadlineNanos) throws InterruptedException {
		this.scheduled.forEach((future) -> future.cancel(false));
		this.lock.lock();
		try {
			this.stopped = true;
			return DeadlineWait.until(this.allDone, () -> this.running == 0, deadlineNanos, System::nanoTime);
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Runs in flight right now. */
	int running() {
		this.lock.lock();
		try {
			return this.running;
		}
		finally {
			this.lock.unlock();
		}
	}

}
