package io.hotconnpool.pool;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.hotconnpool.test.LoopbackTlsOrigins;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The pool's life: a stop drains (tasks cancelled and awaited, leases awaited up to the drain timeout, then every
 * connection closed and the leases still held cut), a start after it warms the pool again, and a close is final.
 */
@ExtendWith(OutputCaptureExtension.class)
class LifecycleTests {

	private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(1);

	@AutoClose("shutdown")
	private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);

	private final List<String> requestsEnded = new CopyOnWriteArrayList<>();

	@AutoClose
	private LoopbackTlsOrigins origins;

	@AutoClose
	private HotConnPool pool;

	private void start(Duration drainTimeout) throws Exception {
		this.origins = LoopbackTlsOrigins.start(2);
		this.scheduler.setRemoveOnCancelPolicy(true);
		this.pool = HotConnPool.builder(this.origins.config((host) -> host.setConnectionsPerIp(1), (config) -> {
				config.getShutdown().setDrainTimeout(drainTimeout);
				config.setHealthCheckInterval(Duration.ofMillis(100));
				config.setCleanupInterval(Duration.ofMillis(100));
			}))
			.resolver(this.origins.resolver())
			.scheduler(MaintenanceScheduler.of(this.scheduler))
			.listener(new HotConnPoolListener() {
				@Override
				public void requestEnded(String host, String ip, RequestOutcome outcome, boolean hot) {
					LifecycleTests.this.requestsEnded.add(outcome + (hot ? " hot" : " cold"));
				}
			})
			.build();
		startAndAwaitTasks();
	}

	private void startAndAwaitTasks() {
		this.pool.start();
		assertThat(this.pool.isRunning()).isTrue();
		// A periodic task leaves the queue while it runs: the five are all queued between runs.
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(this.scheduler.getQueue()).hasSize(5));
	}

	private long stopAndMeasureMillis() {
		long start = System.nanoTime();
		this.pool.stop();
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
	}

	private Request get(String path) {
		return new Request.Builder().url("https://" + this.origins.target() + path).build();
	}

	@Test
	void stopWithALeaseHeldEndsAtTheDrainTimeoutAndCutsIt(CapturedOutput output) throws Exception {
		start(DRAIN_TIMEOUT);
		Lease held = this.pool.acquire(this.origins.target());

		long millis = stopAndMeasureMillis();

		assertThat(millis).isBetween(DRAIN_TIMEOUT.toMillis(), DRAIN_TIMEOUT.toMillis() + 2_000);
		assertThat(output).contains("closed 2 connections, cutting 1 leases still held after the drain timeout of PT1S");
		assertThatExceptionOfType(ConnectionRetiredException.class).isThrownBy(() -> held.execute(get("/")));
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
		Lease held = this.pool.acquire(this.origins.target());
		CompletableFuture<Long> stopping = CompletableFuture.supplyAsync(this::stopAndMeasureMillis);
		await().atMost(Duration.ofSeconds(5)).until(() -> !this.pool.isRunning());

		assertThatExceptionOfType(PoolClosedException.class).isThrownBy(() -> this.pool.acquire(this.origins.target()))
			.withMessage("hotconnpool is stopped: it hands out no connections until it starts again");
		assertThat(stopping).isNotDone();
		held.close();

		assertThat(stopping.get(5, TimeUnit.SECONDS)).isLessThan(20_000);
		assertThat(this.pool.stats().totalConnections()).isZero();
	}

	@Test
	void noTaskRunsAfterAStopAndASecondStopIsHarmless() throws Exception {
		start(DRAIN_TIMEOUT);
		stopAndMeasureMillis();

		assertThat(this.scheduler.getQueue()).as("every task cancelled").isEmpty();
		long completed = this.scheduler.getCompletedTaskCount();
		await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
			.until(() -> this.scheduler.getCompletedTaskCount() == completed);
		assertThat(stopAndMeasureMillis()).isLessThan(1_000);
		assertThat(this.pool.isRunning()).isFalse();
	}

	@Test
	void aStoppedPoolStartsAgainWarmAndServesHotRequests(CapturedOutput output) throws Exception {
		start(DRAIN_TIMEOUT);
		try (Response response = this.pool.execute(get("/before"))) {
			assertThat(response.code()).isEqualTo(200);
		}
		stopAndMeasureMillis();
		assertThat(this.pool.stats().totalConnections()).isZero();
		assertThat(this.origins.connections()).as("connections the origins accepted so far").isEqualTo(2);

		startAndAwaitTasks();

		assertThat(this.pool.stats().hosts()).singleElement()
			.satisfies((host) -> assertThat(host.idle()).as("warmed again on start").isEqualTo(2));
		assertThat(this.origins.connections()).as("new connections, opened by the start").isEqualTo(4);
		long handshakes = this.pool.stats().handshakes();
		try (Response response = this.pool.execute(get("/after"))) {
			assertThat(response.code()).isEqualTo(200);
		}
		assertThat(this.pool.stats().handshakes()).as("no handshake on the request path").isEqualTo(handshakes);
		assertThat(this.pool.stats().hotHits()).as("counters go on across the restart").isEqualTo(2);
		assertThat(this.requestsEnded).as("the listener hears both runs").containsExactly("SUCCESS hot", "SUCCESS hot");
		assertThat(this.scheduler.getQueue()).as("one set of tasks, the stopped run's cancelled").hasSize(5);
		assertThat(output).containsOnlyOnce("hotconnpool stopped: closed 2 connections");
	}

	@Test
	void aClosedPoolCannotStartAgain() throws Exception {
		start(DRAIN_TIMEOUT);
		this.pool.stop();
		this.pool.close();

		assertThat(this.pool.isClosed()).isTrue();
		assertThatExceptionOfType(PoolClosedException.class).isThrownBy(this.pool::start)
			.withMessage("hotconnpool is closed: it hands out no more connections");
		assertThatExceptionOfType(PoolClosedException.class).isThrownBy(() -> this.pool.acquire(this.origins.target()));
	}

	@Test
	void aCloseDuringABlockingWarmUpNeitherWaitsForItNorLeavesTheStartWaiting() throws Exception {
		this.origins = LoopbackTlsOrigins.start(2);
		CountDownLatch answerProbes = new CountDownLatch(1);
		AtomicInteger probesHeld = new AtomicInteger();
		this.origins.all().forEach((origin) -> origin.answer((request) -> {
			probesHeld.incrementAndGet();
			try {
				answerProbes.await(1, TimeUnit.MINUTES);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return LoopbackTlsOrigins.Origin.ok(request);
		}));
		this.pool = this.origins.pool(this.origins.config((host) -> host.setConnectionsPerIp(1),
				(config) -> {
					config.getWarmUp().setTimeout(Duration.ofMinutes(1));
					config.setProbeTimeout(Duration.ofMinutes(1));
					config.setReadTimeout(Duration.ofMinutes(1));
					config.setCallTimeout(Duration.ofMinutes(1));
				}));
		try {
			CompletableFuture<Void> starting = CompletableFuture.runAsync(this.pool::start);
			await().atMost(Duration.ofSeconds(10)).until(() -> probesHeld.get() >= 1);
			assertThat(starting).as("start waits for the warm-up held at the server").isNotDone();

			// Under a lock held for the warm-up, the close would wait the warm-up's minute.
			CompletableFuture.runAsync(this.pool::close).get(10, TimeUnit.SECONDS);
			starting.get(10, TimeUnit.SECONDS);
			assertThat(this.pool.isClosed()).isTrue();
		}
		finally {
			answerProbes.countDown();
		}
	}

	@Test
	void aListenerClosingThePoolDuringItsStopEndsItClosedInsteadOfWaitingForItself() throws Exception {
		this.origins = LoopbackTlsOrigins.start(1);
		AtomicReference<HotConnPool> self = new AtomicReference<>();
		this.pool = HotConnPool.builder(this.origins.config((host) -> host.setConnectionsPerIp(1)))
			.resolver(this.origins.resolver())
			.listener(new HotConnPoolListener() {
				@Override
				public void connectionRetired(String host, String ip, RetireReason reason) {
					if (reason == RetireReason.CLOSED) {
						self.get().close(); // on the stopping thread
					}
				}
			})
			.build();
		self.set(this.pool);
		this.pool.start();

		CompletableFuture.runAsync(this.pool::stop).get(10, TimeUnit.SECONDS);
		assertThat(this.pool.isClosed()).isTrue();
		assertThatExceptionOfType(PoolClosedException.class).isThrownBy(this.pool::start);
	}

	@Test
	void aFailingTaskIsLoggedOnceAndLaterRunsGoOn(CapturedOutput output) {
		Maintenance maintenance = new Maintenance(MaintenanceScheduler.of(this.scheduler));
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
