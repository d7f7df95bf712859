package io.hotconnpool.benchmarks;

import java.util.concurrent.Callable;
import java.util.function.IntSupplier;

import com.zaxxer.hikari.util.ConcurrentBag.IConcurrentBagEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** Each JMH benchmark once, through its own set-up and tear-down. */
@Timeout(60)
class AcquireReleaseBenchmarkTests {

	private final AcquireReleaseBenchmark benchmark = new AcquireReleaseBenchmark();

	@Test
	void poolAcquiresAndReleasesWithoutHandshakeOrRequest() throws Exception {
		AcquireReleaseBenchmark.PoolState state = new AcquireReleaseBenchmark.PoolState();
		state.start();
		try {
			long handshakes = state.pool.stats().handshakes();
			assertThat(this.benchmark.hotconnpool(state)).isNotNull();
			assertThat(state.pool.stats().idleConnections()).isEqualTo(AcquireReleaseBenchmark.CONNECTIONS);
			assertThat(state.pool.stats().handshakes()).isEqualTo(handshakes);
			assertThat(state.pool.stats().totalRequests()).isZero();
		}
		finally {
			state.stop();
		}
		assertThat(state.pool.isClosed()).isTrue();
	}

	@Test
	void concurrentBagBorrowsAndRequites() throws Exception {
		AcquireReleaseBenchmark.BagState state = new AcquireReleaseBenchmark.BagState();
		assertEveryEntryIdleAfter(state::start, state::stop,
				() -> state.bag.getCount(IConcurrentBagEntry.STATE_NOT_IN_USE),
				() -> this.benchmark.concurrentBag(state));
	}

	@Test
	void commonsPoolBorrowsAndReturns() throws Exception {
		AcquireReleaseBenchmark.CommonsState state = new AcquireReleaseBenchmark.CommonsState();
		assertEveryEntryIdleAfter(state::start, state::stop,
				() -> state.pool.getNumIdle(AcquireReleaseBenchmark.CommonsState.KEY),
				() -> this.benchmark.commonsPool(state));
	}

	/** Set-up, the benchmark once (it returns what it borrowed), every entry idle again, tear-down in any case. */
	private static void assertEveryEntryIdleAfter(Step setUp, Step tearDown, IntSupplier idle, Callable<?> benchmark)
			throws Exception {
		setUp.run();
		try {
			assertThat(benchmark.call()).isNotNull();
			assertThat(idle.getAsInt()).isEqualTo(AcquireReleaseBenchmark.CONNECTIONS);
		}
		finally {
			tearDown.run();
		}
	}

	@FunctionalInterface
	private interface Step {

		void run() throws Exception;

	}

}
