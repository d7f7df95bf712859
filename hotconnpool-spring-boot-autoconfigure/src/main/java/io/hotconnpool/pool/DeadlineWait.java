package io.hotconnpool.pool;

import java.util.concurrent.locks.Condition;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Waits on a condition until what it guards is done, or a deadline: the caller holds the condition's lock, and
 * whoever makes it done signals the condition.
 */
final class DeadlineWait {

	private DeadlineWait() {
	}

	/**
	 * Waits until {@code done}, checked under the lock before each wait, or the deadline.
	 * @param clock the nanosecond clock the deadline is on
	 * @return whether it was done in time
	 */
	static boolean until(Condition condition, BooleanSupplier done, long deadlineNanos, LongSupplier clock)
			throws InterruptedException {
		while (!done.getAsBoolean()) {
			long remaining = deadlineNanos - clock.getAsLong();
			if (remaining <= 0) {
				return false;
			}
			condition.awaitNanos(remaining);
		}
		return true;
	}

}
