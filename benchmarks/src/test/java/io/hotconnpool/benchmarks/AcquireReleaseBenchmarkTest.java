package io.hotconnpool.benchmarks;

import com.zaxxer.hikari.util.ConcurrentBag.IConcurrentBagEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** Each JMH benchmark once, through its own set-up and tear-down. */
@Timeout(60)
class AcquireReleaseBenchmarkTest {

	private final AcquireReleaseBenchmark benchmark = new AcquireReleaseBenchmark();

	@Test
	void poolAcquiresAndReleasesWithoutHandshakeOrRequest() throws Exception {
		AcquireReleaseBenchmark.PoolState state = new AcquireReleaseBenchmark.PoolState();
		state.start();
		try {
			long handshakes = state.pool.stats().handshakes();
			assertThat(this.benchmark.hotconnpool1Thread(state)).isNotNull();
			assertThat(this.benchmark.hotconnpool8Threads(state)).isNotNull();
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
		state.start();
		try {
			assertThat(this.benchmark.concurrentBag1Thread(state)).isNotNull();
			assertThat(this.benchmark.concurrentBag8Threads(state)).isNotNull();
			assertThat(state.bag.getCount(IConcurrentBagEntry.STATE_NOT_IN_USE))
				.isEqualTo(AcquireReleaseBenchmark.CONNECTIONS);
		}
		finally {
			state.stop();
		}
	}

	@Test
	void commonsPoolBorrowsAndReturns() throws Exception {
		AcquireReleaseBenchmark.CommonsState state = new AcquireReleaseBenchmark.CommonsState();
		state.start();
		try {
			assertThat(this.benchmark.commonsPool1Thread(state)).isNotNull();
			assertThat(this.benchmark.commonsPool8Threads(state)).isNotNull();
			assertThat(state.pool.getNumIdle(AcquireReleaseBenchmark.CommonsState.KEY))
				.isEqualTo(AcquireReleaseBenchmark.CONNECTIONS);
		}
		finally {
			state.stop();
		}
	}

}
