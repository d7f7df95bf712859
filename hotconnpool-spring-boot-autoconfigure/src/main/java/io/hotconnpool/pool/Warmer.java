package io.hotconnpool.pool;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Runs blocking warm-up jobs on the pool's executor, at most {@code concurrency} at once, so that the executor may
 * be unbounded (virtual threads) and no caller ever blocks on submission. Jobs queue without limit: their number is
 * bounded by the number of connections the pool may hold.
 */
final class Warmer {

	private static final Log logger = LogFactory.getLog(Warmer.class);

	private final Executor executor;

	private final int concurrency;

	private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();

	private final AtomicInteger running = new AtomicInteger();

	Warmer(Executor executor, int concurrency) {
		this.executor = executor;
		this.concurrency = concurrency;
	}

	void submit(Runnable job) {
		this.queue.add(job);
		startWorkerIfNeeded();
	}

	private void startWorkerIfNeeded() {
		while (!this.queue.isEmpty()) {
			int current = this.running.get();
			if (current >= this.concurrency) {
				return;
			}
			if (this.running.compareAndSet(current, current + 1)) {
				try {
					this.executor.execute(this::drain);
				}
				catch (RejectedExecutionException ex) {
					this.running.decrementAndGet();
					logger.warn("hotconnpool executor refused a warm-up worker; " + this.queue.size()
							+ " warm-up jobs wait for the next submission", ex);
				}
				return;
			}
		}
	}

	private void drain() {
		try {
			Runnable job;
			while ((job = this.queue.poll()) != null) {
				try {
					job.run();
				}
				catch (RuntimeException ex) {
					logger.error("hotconnpool warm-up job failed", ex);
				}
			}
		}
		finally {
			this.running.decrementAndGet();
			// A job may have been queued after the last poll and before the decrement.
			startWorkerIfNeeded();
		}
	}

}
