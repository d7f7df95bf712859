package io.hotconnpool.pool;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock of one host, and what is decided under it to happen once it is released: log lines and listener events.
 * <p>
 * <b>Lock order.</b> A host's lock is the only lock of the pool's core and a leaf: no code holds two host locks, and
 * none runs I/O (connect, handshake, probe, close, DNS), a listener or a logger under it. Decisions that open or
 * close connections are returned ({@link HostPool.Changes}) and carried out by the caller after the lock; log lines
 * and events are queued with {@link #later} and run by {@link #unlock()}. The lease fast path of HTTP/2 streams
 * takes no lock: compare-and-set on a connection's stream count ({@link StreamCount}).
 */
final class HostLock {

	private final ReentrantLock lock = new ReentrantLock();

	/** Run by {@link #unlock()}, so that no listener or logger ever runs under the lock. */
	private final Queue<Runnable> afterUnlock = new ConcurrentLinkedQueue<>();

	void lock() {
		this.lock.lock();
	}

	/** Releases the lock, then runs what was decided under it, unless this thread still holds it (nested). */
	void unlock() {
		this.lock.unlock();
		if (this.lock.isHeldByCurrentThread()) {
			return;
		}
		Runnable action;
		while ((action = this.afterUnlock.poll()) != null) {
			action.run();
		}
	}

	/** Queues a log line or a listener event decided under the lock, to run once it is released. */
	void later(Runnable action) {
		this.afterUnlock.add(action);
	}

	Condition newCondition() {
		return this.lock.newCondition();
	}

}
