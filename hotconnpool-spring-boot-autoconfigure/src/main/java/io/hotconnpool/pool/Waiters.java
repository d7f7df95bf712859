package io.hotconnpool.pool;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.locks.Condition;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The acquires of one host blocked until a stream or a connection is free, served first-come first-served: a
 * released or newly warmed connection, or a released stream, is handed directly to the longest waiter.
 * <p>
 * Guarded by the host's lock, except {@link #any()}, which a stream's lock-free release reads to know whether it
 * must take the lock to hand its stream over.
 */
final class Waiters {

	private final HostLock lock;

	private final ArrayDeque<Waiter> queue = new ArrayDeque<>();

	/** Whether an acquire waits. Written under the lock. */
	private volatile boolean waiting;

	Waiters(HostLock lock) {
		this.lock = lock;
	}

	/** Whether an acquire waits; read without the lock. */
	boolean any() {
		return this.waiting;
	}

	int size() {
		return this.queue.size();
	}

	/** Queues an acquire; {@code exclusive} when it needs a connection to itself rather than a stream. */
	Waiter enqueue(boolean exclusive) {
		Waiter waiter = new Waiter(this.lock.newCondition(), exclusive);
		this.queue.addLast(waiter);
		this.waiting = true;
		return waiter;
	}

	/** Takes a waiter out of the queue: it was served otherwise, timed out or was interrupted. */
	void cancel(Waiter waiter) {
		this.queue.remove(waiter);
		this.waiting = !this.queue.isEmpty();
	}

	/** Hands a whole connection to the longest waiter, if any; returns whether one took it. */
	boolean handOver(PooledConnection connection) {
		Waiter waiter = this.queue.pollFirst();
		if (waiter == null) {
			return false;
		}
		this.waiting = !this.queue.isEmpty();
		waiter.handOver(connection);
		return true;
	}

	/**
	 * Serves the waiters in their order, as far as the taker has streams and whole connections for them.
	 * @param take takes a stream ({@code false}) or a whole connection ({@code true}) for a waiter, or {@code null}
	 */
	void serve(TakeFor take) {
		boolean streamsLeft = true;
		boolean wholeLeft = true;
		for (Iterator<Waiter> it = this.queue.iterator(); it.hasNext() && (streamsLeft || wholeLeft);) {
			Waiter waiter = it.next();
			PooledConnection connection = null;
			if (waiter.exclusive && wholeLeft) {
				connection = take.take(true);
				wholeLeft = connection != null;
			}
			else if (!waiter.exclusive && streamsLeft) {
				connection = take.take(false);
				streamsLeft = connection != null;
			}
			if (connection != null) {
				it.remove();
				waiter.handOver(connection);
			}
		}
		this.waiting = !this.queue.isEmpty();
	}

	/** Fails every waiter, as the host closes. */
	void failAll(RuntimeException failure) {
		this.queue.forEach((waiter) -> {
			waiter.failure = failure;
			waiter.condition.signal();
		});
		this.queue.clear();
		this.waiting = false;
	}

	/**
	 * Waits, with the lock held, until the waiter is served, fails or the deadline passes.
	 * @param passOn takes back a connection handed over just as the wait was interrupted
	 * @return the connection handed over, or {@code null} at the deadline
	 */
	PooledConnection await(Waiter waiter, long deadline, LongSupplier clock, Consumer<PooledConnection> passOn)
			throws InterruptedException {
		while (true) {
			if (waiter.connection != null) {
				return waiter.connection;
			}
			if (waiter.failure != null) {
				throw waiter.failure;
			}
			long remaining = deadline - clock.getAsLong();
			if (remaining <= 0) {
				cancel(waiter);
				return null;
			}
			try {
				waiter.condition.awaitNanos(remaining);
			}
			catch (InterruptedException ex) {
				cancel(waiter);
				if (waiter.connection != null) {
					passOn.accept(waiter.connection);
				}
				throw ex;
			}
		}
	}

	/** Takes a stream or a whole connection for a waiter. */
	@FunctionalInterface
	interface TakeFor {

		PooledConnection take(boolean exclusive);

	}

	/** One blocked acquire. Fields are guarded by the host's lock. */
	static final class Waiter {

		private final Condition condition;

		/** Whether it needs a connection to itself rather than a stream. */
		final boolean exclusive;

		private PooledConnection connection;

		private RuntimeException failure;

		private Waiter(Condition condition, boolean exclusive) {
			this.condition = condition;
			this.exclusive = exclusive;
		}

		private void handOver(PooledConnection handed) {
			this.connection = handed;
			this.condition.signal();
		}

	}

}
