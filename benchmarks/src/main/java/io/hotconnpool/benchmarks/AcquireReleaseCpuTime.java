package io.hotconnpool.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link AcquireReleaseBenchmark}'s operations timed by thread CPU time rather than wall time: on a shared machine
 * whose load exceeds its cores, a thread's wall time per operation counts the time it waits for a core, its CPU time
 * does not. Same states as the JMH benchmark, 1 and 8 threads, hotconnpool and ConcurrentBag alternating in each
 * round (the first round warms the JIT):
 * {@code java -cp benchmarks/target/benchmarks.jar io.hotconnpool.benchmarks.AcquireReleaseCpuTime [rounds]}.
 */
public final class AcquireReleaseCpuTime {

	private static final int OPERATIONS = 4_000_000;

	private AcquireReleaseCpuTime() {
	}

	public static void main(String[] args) throws Exception {
		int rounds = (args.length > 0) ? Integer.parseInt(args[0]) : 5;
		AcquireReleaseBenchmark benchmark = new AcquireReleaseBenchmark();
		AcquireReleaseBenchmark.PoolState pool = new AcquireReleaseBenchmark.PoolState();
		AcquireReleaseBenchmark.BagState bag = new AcquireReleaseBenchmark.BagState();
		pool.start();
		bag.start();
		try {
			for (int round = 0; round < rounds; round++) {
				for (int threads : new int[] { 1, 8 }) {
					double hot = cpuNanosPerOperation(threads, () -> benchmark.hotconnpool(pool));
					double reference = cpuNanosPerOperation(threads, () -> benchmark.concurrentBag(bag));
					System.out.printf("round %d, %d threads: hotconnpool %.1f CPU ns/op, ConcurrentBag %.1f, %.2f ×%n",
							round, threads, hot, reference, hot / reference);
				}
			}
		}
		finally {
			bag.stop();
			pool.stop();
		}
	}

	private static double cpuNanosPerOperation(int threads, Operation operation) throws InterruptedException {
		ThreadMXBean management = ManagementFactory.getThreadMXBean();
		int each = OPERATIONS / threads;
		AtomicLong cpuNanos = new AtomicLong();
		CyclicBarrier start = new CyclicBarrier(threads);
		List<Thread> workers = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			Thread worker = new Thread(() -> {
				try {
					start.await();
					long before = management.getCurrentThreadCpuTime();
					for (int i = 0; i < each; i++) {
						operation.run();
					}
					cpuNanos.addAndGet(management.getCurrentThreadCpuTime() - before);
				}
				catch (Exception ex) {
					throw new IllegalStateException(ex);
				}
			});
			workers.add(worker);
			worker.start();
		}
		for (Thread worker : workers) {
			worker.join();
		}
		return (double) cpuNanos.get() / ((long) each * threads);
	}

	@FunctionalInterface
	private interface Operation {

		void run() throws Exception;

	}

}
