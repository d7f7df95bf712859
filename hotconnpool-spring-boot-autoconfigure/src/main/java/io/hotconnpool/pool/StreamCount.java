package io.hotconnpool.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The leases in flight on one connection, counted by compare-and-set without the host's lock: the streams of a
 * shared HTTP/2 connection (a health probe's among them), or {@link #HELD} while an exclusive lease has the
 * connection to itself.
 * <p>
 * With the connection's state it forms the drain protocol: a retirement sets the state first and reads the count
 * after; a stream's release counts down first and reads the state after; so one of the two always sees the other.
 */
final class StreamCount {

	/** The count while one holder has the connection to itself: above any stream limit. */
	static final int HELD = Integer.MAX_VALUE / 2;

	private static final VarHandle COUNT;

	static {
		try {
			COUNT = MethodHandles.lookup().findVarHandle(StreamCount.class, "count", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private volatile int count;

	/** Takes a stream if fewer than {@code limit} are in flight. */
	boolean tryAcquire(int limit) {
		while (true) {
			int current = this.count;
			if (current >= limit) {
				return false;
			}
			if (COUNT.compareAndSet(this, current, current + 1)) {
				return true;
			}
		}
	}

	/** Gives a stream back; returns the streams left. */
	int release() {
		return (int) COUNT.getAndAdd(this, -1) - 1;
	}

	/** Takes the whole connection if no stream is in flight. */
	boolean tryHold() {
		return COUNT.compareAndSet(this, 0, HELD);
	}

	/** Ends a hold (or the count of a connection that was never shared). */
	void endHold() {
		this.count = 0;
	}

	/** The raw count, {@link #HELD} included. */
	int get() {
		return this.count;
	}

	/** Leases in flight: the streams, or one while held whole. */
	int inFlight() {
		int current = this.count;
		return (current >= HELD) ? 1 : current;
	}

}
