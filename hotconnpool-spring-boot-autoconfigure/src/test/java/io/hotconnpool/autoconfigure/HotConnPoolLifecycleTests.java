package io.hotconnpool.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;

import io.hotconnpool.pool.HostResolver;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.pool.PoolStats;
import io.hotconnpool.test.LoopbackTlsOrigins;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HotConnPoolLifecycle}: the application context starts, stops, starts again and closes the pool,
 * over real loopback TLS origins.
 */
class HotConnPoolLifecycleTests {

	private LoopbackTlsOrigins origins;

	private ApplicationContextRunner runner;

	@BeforeEach
	void startOrigins() throws IOException {
		this.origins = LoopbackTlsOrigins.start(2);
		this.runner = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, HotConnPoolAutoConfiguration.class))
			.withBean(HostResolver.class, this.origins::resolver)
			.withPropertyValues("hotconnpool.hosts[0].host=" + this.origins.target(),
					"hotconnpool.hosts[0].tls.bundle=test-ca", HotConnPoolAutoConfigurationTests.TEST_CA_BUNDLE);
	}

	@AfterEach
	void closeOrigins() {
		this.origins.close();
	}

	@Test
	void aContextStoppedAndStartedAgainServesAHotRequestAfterTheRestart() {
		this.runner.run((context) -> {
			HotConnPool pool = context.getBean(HotConnPool.class);
			assertHotRequest(pool, 1);

			context.stop();

			assertThat(pool.isRunning()).isFalse();
			assertThat(context.getBean(HotConnPoolLifecycle.class).isRunning()).isFalse();
			assertThat(pool.stats().totalConnections()).as("connections closed on stop").isZero();
			assertThat(this.origins.connections()).isEqualTo(4);

			context.start();

			assertThat(pool.isRunning()).isTrue();
			assertThat(pool.stats().idleConnections()).as("warmed again on start").isEqualTo(4);
			assertThat(this.origins.connections()).as("four new connections").isEqualTo(8);
			assertHotRequest(pool, 2);
		});
	}

	/** A request served on a warm connection: counted hot, no handshake on its path, no new connection. */
	private void assertHotRequest(HotConnPool pool, long hotHits) throws IOException {
		PoolStats before = pool.stats();
		int connections = this.origins.connections();
		try (Response response = pool.execute(new Request.Builder().url(this.origins.url("/")).build())) {
			assertThat(response.code()).isEqualTo(200);
		}
		PoolStats after = pool.stats();
		assertThat(after.hotHits()).isEqualTo(hotHits);
		assertThat(after.handshakes()).isEqualTo(before.handshakes());
		assertThat(this.origins.connections()).isEqualTo(connections);
	}

	@Test
	void closingTheContextClosesThePoolForGood() {
		HotConnPool[] pool = new HotConnPool[1];
		this.runner.run((context) -> pool[0] = context.getBean(HotConnPool.class));

		assertThat(pool[0].isClosed()).isTrue();
	}

	@Test
	void theMaintenanceRunsOnTheSchedulerBeanAndIsScheduledAgainOnRestart() {
		this.runner.withBean(HotConnPoolAutoConfiguration.SCHEDULER_BEAN_NAME, TaskScheduler.class,
				RecordingScheduler::new).run((context) -> {
					RecordingScheduler scheduler = context.getBean(RecordingScheduler.class);
					assertThat(scheduler.scheduled).hasSize(5).noneMatch(ScheduledFuture::isCancelled);

					context.stop();
					assertThat(scheduler.scheduled).allMatch(ScheduledFuture::isCancelled);

					context.start();
					assertThat(scheduler.scheduled).hasSize(10).filteredOn(ScheduledFuture::isCancelled).hasSize(5);
				});
	}

	@Test
	void thePhaseIsTheDefaultOrTheProperty() {
		this.runner.run((context) -> assertThat(context.getBean(HotConnPoolLifecycle.class).getPhase())
			.isEqualTo(Integer.MAX_VALUE / 2 - 1024)); // below Spring's executors and the web server
		this.runner.withPropertyValues("hotconnpool.lifecycle-phase=42")
			.run((context) -> assertThat(context.getBean(HotConnPoolLifecycle.class).getPhase()).isEqualTo(42));
	}

	@Test
	void aPoolTheApplicationDefinesIsStartedAndStoppedToo() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(HotConnPoolAutoConfiguration.class))
			.withBean("userPool", HotConnPool.class, () -> HotConnPool.builder(new HotConnPoolConfig()).build())
			.run((context) -> {
				HotConnPool pool = context.getBean(HotConnPool.class);
				assertThat(context).hasSingleBean(HotConnPoolLifecycle.class);
				assertThat(pool.isRunning()).isTrue();
				context.stop();
				assertThat(pool.isRunning()).isFalse();
			});
	}

	/** A scheduler that keeps what it scheduled. */
	static final class RecordingScheduler extends ThreadPoolTaskScheduler {

		private static final long serialVersionUID = 1L;

		final transient List<ScheduledFuture<?>> scheduled = new CopyOnWriteArrayList<>();

		RecordingScheduler() {
			setDaemon(true);
			setRemoveOnCancelPolicy(true);
			initialize();
		}

		@Override
		public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
			ScheduledFuture<?> future = super.scheduleWithFixedDelay(task, startTime, delay);
			this.scheduled.add(future);
			return future;
		}

	}

}
