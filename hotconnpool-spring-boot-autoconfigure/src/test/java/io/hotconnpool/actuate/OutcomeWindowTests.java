package io.hotconnpool.actuate;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.hotconnpool.actuate.OutcomeWindow.Counts;
import io.hotconnpool.pool.HotConnPoolListener.RequestOutcome;
import io.hotconnpool.pool.InvalidSettingException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.within;

/**
 * The sliding window and the per-host recorder on a clock the test moves: no waiting.
 */
class OutcomeWindowTests {

	private static final long SECOND = Duration.ofSeconds(1).toNanos();

	private static final String HOST = "api.test:443";

	/** A start far from zero and negative: {@link System#nanoTime()} may be either. */
	private final AtomicLong now = new AtomicLong(-1_000_000 * SECOND + 123);

	@Test
	void countsCallsAndFailuresWithinTheWindow() {
		OutcomeWindow window = new OutcomeWindow(Duration.ofSeconds(60));
		long start = this.now.get();
		window.record(start, false);
		window.record(start + SECOND, true);
		window.record(start + 30 * SECOND, true);

		Counts counts = window.counts(start + 30 * SECOND);

		assertThat(counts).isEqualTo(new Counts(3, 2));
		assertThat(counts.failureRate()).isCloseTo(66.67, within(0.01));
	}

	@Test
	void aCallLeavesTheWindowOnceItIsAWindowOld() {
		OutcomeWindow window = new OutcomeWindow(Duration.ofSeconds(60));
		long start = this.now.get();
		window.record(start, true);

		// counted for at least window - window/12 (55 s), and never at a window's age (60 s)
		assertThat(window.counts(start + 55 * SECOND - 1).calls()).isOne();
		assertThat(window.counts(start + 60 * SECOND).calls()).isZero();
		assertThat(window.counts(start + 3600 * SECOND).calls()).isZero();
	}

	@Test
	void aBucketReusedAfterAWindowStartsFromZero() {
		OutcomeWindow window = new OutcomeWindow(Duration.ofSeconds(12));
		long start = this.now.get();
		for (int i = 0; i < 5; i++) {
			window.record(start, true);
		}
		// 12 s later the same slot holds a new bucket: the old five failures are gone, not added to
		window.record(start + 12 * SECOND, false);

		assertThat(window.counts(start + 12 * SECOND)).isEqualTo(new Counts(1, 0));
	}

	@Test
	void noCallsIsAFailureRateOfZero() {
		assertThat(new OutcomeWindow(Duration.ofSeconds(1)).counts(this.now.get())).isEqualTo(Counts.NONE);
		assertThat(Counts.NONE.failureRate()).isZero();
	}

	@Test
	void recentOutcomesCountFailuresTimeoutsServerErrorsAndBlacklistStatusesPerHost() {
		HotConnPoolRecentOutcomes recent = new HotConnPoolRecentOutcomes(Duration.ofSeconds(60), this.now::get);
		recent.requestEnded(HOST, "127.0.0.2", RequestOutcome.SUCCESS, true);
		recent.requestEnded(HOST, "127.0.0.2", RequestOutcome.SERVER_ERROR, true);
		recent.requestEnded(HOST, "127.0.0.3", RequestOutcome.BLACKLIST_STATUS, false);
		recent.requestEnded(HOST, "127.0.0.3", RequestOutcome.FAILURE, false);
		recent.acquireEnded(HOST, SECOND, false);
		recent.acquireEnded(HOST, 1000, true); // an acquire that got a connection is no call: its request is
		recent.requestEnded("other.test:443", "127.0.0.4", RequestOutcome.FAILURE, true);

		assertThat(recent.counts(HOST)).isEqualTo(new Counts(5, 4));
		assertThat(recent.counts("unknown.test:443")).isEqualTo(Counts.NONE);

		this.now.addAndGet(61 * SECOND);
		assertThat(recent.counts(HOST)).isEqualTo(Counts.NONE);
	}

	@Test
	void theWindowIsAtLeastOneSecond() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> new HotConnPoolRecentOutcomes(Duration.ofMillis(999)))
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo("hotconnpool.health.window"));
	}

}
