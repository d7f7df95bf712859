package io.hotconnpool.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The life of a pool: new, then running and stopped in turn, each start a fresh {@link PoolRun}, until closed for
 * good. One lock orders the changes of state; it is never held across I/O or a wait for other threads (warm-ups and
 * drains run after it is released) and never taken by the lease path, which reads the volatile state. Owns the
 * threads the pool made itself, shut down on close.
 */
final class PoolLifecycle {

	/** Where the pool is in its life. */
	private enum State {

		NEW, RUNNING, STOPPING, STOPPED, CLOSED

	}

	private final HotConnPool pool;

	/** Runs blocking work: DNS look-ups and warm-ups. */
	final Executor executor;

	private final MaintenanceScheduler scheduler;

	/** The threads the pool made itself, shut down by {@link #close()}; empty when both were given. */
	private final List<ExecutorService> ownedThreads = new ArrayList<>();

	/** Guards changes of state; held for no I/O and no wait but {@link #stopped}'s. */
	private final ReentrantLock lock = new ReentrantLock();

	/** Signalled when a drain ends. */
	private final Condition stopped = this.lock.newCondition();

	private volatile State state = State.NEW;

	/** The thread draining the run while {@link State#STOPPING}; guarded by the lock. */
	private Thread stoppingThread;

	/** The current run, or the one stopping; {@code null} before the first start and once stopped. */
	private volatile PoolRun run;

	/** With {@code null} for the executor or the scheduler: one made here, daemon threads, shut down on close. */
	PoolLifecycle(HotConnPool pool, Executor executor, MaintenanceScheduler scheduler) {
		this.pool = pool;
		this.executor = (executor != null) ? executor : owned(Executors.newCachedThreadPool(daemonThreads("hotconnpool-")));
		this.scheduler = (scheduler != null) ? scheduler : MaintenanceScheduler.of(owned(maintenanceThread()));
	}

	private <E extends ExecutorService> E owned(E executor) {
		this.ownedThreads.add(executor);
		return executor;
	}

	private static ScheduledThreadPoolExecutor maintenanceThread() {
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
				daemonThreads("hotconnpool-maintenance-"));
		executor.setRemoveOnCancelPolicy(true); // a stopped run leaves no cancelled task queued
		return executor;
	}

	private static ThreadFactory daemonThreads(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return (task) -> {
			Thread thread = new Thread(task, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

	/**
	 * Starts a new run. The lock covers the change of state and the hand-off of the warm-ups to the executor; the
	 * wait for them happens after it, so that a stop or close from another thread is not held up by a slow host.
	 */
	void start() {
		PoolRun starting;
		Map<HostPool, CompletableFuture<Void>> warmUps;
		this.lock.lock();
		try {
			if (awaitNotStopping()) {
				throw new IllegalStateException("hotconnpool cannot start from within its own stop (a listener)");
			}
			if (this.state == State.CLOSED) {
				throw closedException();
			}
			if (this.state == State.RUNNING) {
				return;
			}
			starting = new PoolRun(this.pool, this.scheduler);
			this.run = starting;
			this.state = State.RUNNING;
			warmUps = starting.begin();
		}
		finally {
			this.lock.unlock();
		}
		starting.awaitWarmUp(warmUps);
	}

	/**
	 * Ends the running run, draining it without the lock held; a start, stop or close from another thread meanwhile
	 * waits for the drain to end (bounded by the drain timeout); a stop from the stopping thread (a listener) returns.
	 */
	void stop(Duration drainTimeout) {
		PoolRun stopping;
		this.lock.lock();
		try {
			awaitNotStopping();
			if (this.state != State.RUNNING) {
				return;
			}
			this.state = State.STOPPING;
			stopping = this.run;
			this.stoppingThread = Thread.currentThread();
		}
		finally {
			this.lock.unlock();
		}
		try {
			stopping.stop(drainTimeout);
		}
		finally {
			this.lock.lock();
			try {
				this.run = null;
				this.stoppingThread = null;
				if (this.state == State.STOPPING) { // not closed meanwhile by a listener of this stop
					this.state = State.STOPPED;
				}
				this.stopped.signalAll();
			}
			finally {
				this.lock.unlock();
			}
		}
	}

	/**
	 * Stops without a drain, then ends the pool for good, even when closing a connection failed (that failure is
	 * thrown after); a start that slipped in between is stopped too.
	 */
	void close() {
		RuntimeException failure = null;
		while (true) {
			try {
				stop(Duration.ZERO);
			}
			catch (RuntimeException ex) {
				failure = ex;
			}
			this.lock.lock();
			try {
				awaitNotStopping(); // unless called from within the stop: then its end keeps the pool closed
				if (this.state != State.RUNNING) { // else a start slipped in between: stop that run too
					if (this.state != State.CLOSED) {
						this.state = State.CLOSED;
						this.ownedThreads.forEach(ExecutorService::shutdownNow);
					}
					break;
				}
			}
			finally {
				this.lock.unlock();
			}
		}
		if (failure != null) {
			throw failure;
		}
	}

	/**
	 * Waits, with the lock held on entry and exit, until no drain is in progress; the thread draining (a listener of
	 * its stop calling back) does not wait for itself.
	 * @return whether the caller is the thread draining
	 */
	private boolean awaitNotStopping() {
		while (this.state == State.STOPPING) {
			if (this.stoppingThread == Thread.currentThread()) {
				return true;
			}
			this.stopped.awaitUninterruptibly();
		}
		return false;
	}

	boolean isRunning() {
		return this.state == State.RUNNING;
	}

	boolean isClosed() {
		return this.state == State.CLOSED;
	}

	PoolClosedException closedException() {
		return new PoolClosedException((this.state == State.CLOSED)
				? "hotconnpool is closed: it hands out no more connections"
				: "hotconnpool is stopped: it hands out no connections until it starts again");
	}

	/** The hosts of the running pool; throws when it does not run. */
	HostRegistry hosts() {
		PoolRun current = this.run;
		State now = this.state;
		if (current != null && now == State.RUNNING) {
			return current.hosts;
		}
		if (now == State.NEW) {
			throw new IllegalStateException("hotconnpool is not started: call start() first");
		}
		throw closedException();
	}

	/** The hosts of the current run, stopping or not; none when the pool is stopped. */
	Collection<HostPool> currentHosts() {
		PoolRun current = this.run;
		return (current != null) ? current.hosts.all() : List.of();
	}

	/** The host with this key if the running pool serves it, without creating it; {@code null} otherwise. */
	HostPool served(String key) {
		PoolRun current = this.run;
		return (current != null && this.state == State.RUNNING) ? current.hosts.served(key) : null;
	}

}
