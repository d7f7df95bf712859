package io.hotconnpool.pool;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.hotconnpool.test.LoopbackTlsOrigins;
import okhttp3.Request;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The SmartLifecycle drain: done signal, tasks cancelled and awaited, leases awaited up to the drain timeout, then
 * every connection closed and the leases still held cut.
 */
@ExtendWith(OutputCaptureExtension.class)
class LifecycleTest {

	private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(1);

	@AutoClose("shutdown")
	private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

	@AutoClose
	private LoopbackTlsOrigins origins;

	@AutoClose
	private HotConnPool pool;

	private void start(Duration drainTimeout) throws Exception {
		this.origins = LoopbackTlsOrigins.start(2);
		this.scheduler.setRemoveOnCancelPolicy(true);
		this.scheduler.initialize();
		this.pool = HotConnPool.builder(this.origins.settings((host) -> host.connectionsPerIp(1))
			.drainTimeout(drainTimeout)
			.healthCheckInterval(Duration.ofMillis(100))
			.cleanupInterval(Duration.ofMillis(100))
			.build()).resolver(this.origins.resolver()).scheduler(this.scheduler).build();
		this.pool.start();
		assertThat(this.pool.isRunning()).isTrue();
		// A periodic task leaves the queue while it runs: the five are all queued between runs.
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(this.scheduler.getScheduledThreadPoolExecutor().getQueue()).hasSize(5));
	}

	private long stopAndMeasureMillis() throws InterruptedException {
		CountDownLatch called = new CountDownLatch(1);
		long start = System.nanoTime();
		this.pool.stop(called::countDown);
		assertThat(called.await(0, TimeUnit.SECONDS)).as("the callback ran before stop returned").isTrue();
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
	}

	@Test
	void stopWithALeaseHeldEndsAtTheDrainTimeoutAndCutsIt(CapturedOutput output) throws Exception {
		start(DRAIN_TIMEOUT);
		HotConnection held = this.pool.acquire(this.origins.target());

		long millis = stopAndMeasureMillis();

		assertThat(millis).isBetween(DRAIN_TIMEOUT.toMillis(), DRAIN_TIMEOUT.toMillis() + 2_000);
		assertThat(output).contains("closed 2 connections, cutting 1 leases still held after the drain timeout of PT1S");
		Request request = new Request.Builder().url("https://" + this.origins.target() + "/").build();
		assertThatExceptionOfType(ConnectionRetiredException.class).isThrownBy(() -> held.execute(request));
		held.close();
		assertThat(this.pool.stats().totalConnections()).isZero();
		assertThat(this.pool.stats().retiredByReason()).containsEntry(RetireReason.CLOSED, 2L);
	}

	@Test
	void stopWithNoLeaseHeldReturnsPromptly() throws Exception {
		start(Duration.ofSeconds(20));

		assertThat(stopAndMeasureMillis()).isLessThan(2_000);
		assertThat(this.pool.isRunning()).isFalse();
	}

	@Test
	void aLeaseReturnedDuringTheDrainEndsItEarlyAndAcquiresAreRefusedMeanwhile() throws Exception {
		start(Duration.ofSeconds(20));
		HotConnection held = this.pool.acquire(this.origins.target());
		CompletableFuture<Long> stopping = CompletableFuture.supplyAsync(() -> {
			try {
				return stopAndMeasureMillis();
			}
			catch (InterruptedException ex) {
				throw new IllegalStateException(ex);
			}
		});
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.pool.isRunning());

		assertThatExceptionOfType(PoolClosedException.class).isThrownBy(() -> this.pool.acquire(this.origins.target()));
		assertThat(stopping).isNotDone();
		held.close();

		assertThat(stopping.get(5, TimeUnit.SECONDS)).isLessThan(20_000);
		assertThat(this.pool.stats().totalConnections()).isZero();
	}

	@Test
	void noTaskRunsAfterTheCallbackAndASecondStopIsHarmless() throws Exception {
		start(DRAIN_TIMEOUT);
		stopAndMeasureMillis();

		assertThat(this.scheduler.getScheduledThreadPoolExecutor().getQueue()).as("every task cancelled").isEmpty();
		long completed = this.scheduler.getScheduledThreadPoolExecutor().getCompletedTaskCount();
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
			.until(() -> this.scheduler.getScheduledThreadPoolExecutor().getCompletedTaskCount() == completed);
		AtomicInteger callbacks = new AtomicInteger();
		this.pool.stop(callbacks::incrementAndGet);
		assertThat(callbacks).hasValue(1);
	}

	@Test
	void aFailingTaskIsLoggedOnceAndLaterRunsGoOn(CapturedOutput output) {
		this.scheduler.initialize();
		Maintenance maintenance = new Maintenance(this.scheduler);
		AtomicInteger runs = new AtomicInteger();
		maintenance.schedule("flaky task", Duration.ofMillis(20), () -> {
			if (runs.incrementAndGet() <= 3) {
				throw new IllegalStateException("boom " + runs.get());
			}
		});

		await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 6);
		assertThat(output).containsOnlyOnce("hotconnpool flaky task failed").contains("boom 1")
			.doesNotContain("boom 2")
			.contains("hotconnpool flaky task runs again without error");
	}

}
