package io.hotconnpool.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executor;

import io.hotconnpool.pool.HostResolver;
import io.hotconnpool.pool.HotConnPoolListener;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.pool.InvalidSettingException;
import io.hotconnpool.pool.LeaseObserver;
import io.hotconnpool.pool.MaintenanceScheduler;
import io.hotconnpool.pool.ReprobeGate;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.task.SimpleAsyncTaskExecutorBuilder;
import org.springframework.boot.task.SimpleAsyncTaskSchedulerBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.SimpleAsyncTaskScheduler;

/**
 * {@link AutoConfiguration Auto-configuration} of the {@link HotConnPool}: a {@link HotConnPoolConfig} bound from
 * the {@code hotconnpool.*} properties, with Spring Boot's SSL bundles to look up the bundles it names and its
 * errors reported as {@link InvalidConfigurationPropertyValueException}s; a {@link HostResolver}, an executor for
 * blocking work, {@link HotConnPoolClientCustomizer} beans, {@link HotConnPoolListener} beans, a
 * {@link LeaseObserver} bean (tracing) and a {@link ReprobeGate} bean (fleet mode). A {@link HotConnPoolLifecycle}
 * warms the pool when the context starts and drains it when the context stops (again after a restart); closing the
 * context closes it.
 */
@AutoConfiguration(after = { SslAutoConfiguration.class, TaskExecutionAutoConfiguration.class,
		TaskSchedulingAutoConfiguration.class })
@Conditional(OnHotConnPoolEnabledCondition.class)
@EnableConfigurationProperties
public final class HotConnPoolAutoConfiguration {

	/** Name of the executor bean the pool runs DNS look-ups and warm-ups on. */
	public static final String EXECUTOR_BEAN_NAME = "hotConnPoolExecutor";

	/** Name of the scheduler bean that runs the pool's background tasks. */
	public static final String SCHEDULER_BEAN_NAME = "hotConnPoolScheduler";

	/** Default of {@code spring.lifecycle.timeout-per-shutdown-phase}. */
	static final Duration DEFAULT_SHUTDOWN_PHASE_TIMEOUT = Duration.ofSeconds(30);

	@Bean
	@ConditionalOnMissingBean
	HostResolver hotConnPoolHostResolver() {
		return HostResolver.system();
	}

	// Not a default candidate: an Executor injected by type elsewhere must stay the application's own.
	@Bean(name = EXECUTOR_BEAN_NAME, defaultCandidate = false)
	@ConditionalOnMissingBean(name = EXECUTOR_BEAN_NAME)
	@ConditionalOnBean(SimpleAsyncTaskExecutorBuilder.class)
	SimpleAsyncTaskExecutor hotConnPoolExecutor(SimpleAsyncTaskExecutorBuilder builder) {
		// The pool bounds its concurrency itself: an application-wide limit would block its submissions.
		return builder.threadNamePrefix("hotconnpool-").concurrencyLimit(null).build();
	}

	/**
	 * The pool's configuration, bound from the {@code hotconnpool.*} properties as Spring Boot binds Hikari's.
	 */
	@Bean
	@ConfigurationProperties("hotconnpool")
	@ConditionalOnMissingBean({ HotConnPoolConfig.class, HotConnPool.class })
	HotConnPoolConfig hotConnPoolConfig() {
		return new HotConnPoolConfig();
	}

	/**
	 * The scheduler of the pool's background tasks, from Boot's builder so that virtual threads
	 * ({@code spring.threads.virtual.enabled}) and scheduler customizers apply.
	 */
	@Bean(name = SCHEDULER_BEAN_NAME, defaultCandidate = false)
	@ConditionalOnMissingBean(name = SCHEDULER_BEAN_NAME)
	@ConditionalOnBean(SimpleAsyncTaskSchedulerBuilder.class)
	SimpleAsyncTaskScheduler hotConnPoolScheduler(SimpleAsyncTaskSchedulerBuilder builder) {
		return builder.threadNamePrefix("hotconnpool-maintenance-").build();
	}

	@Bean
	@ConditionalOnMissingBean
	HotConnPool hotConnPool(HotConnPoolConfig config, HostResolver resolver, ObjectProvider<SslBundles> sslBundles,
			Environment environment, @Qualifier(EXECUTOR_BEAN_NAME) ObjectProvider<Executor> executor,
			@Qualifier(SCHEDULER_BEAN_NAME) ObjectProvider<TaskScheduler> scheduler,
			ObjectProvider<HotConnPoolListener> listeners, ObjectProvider<LeaseObserver> leaseObserver,
			ObjectProvider<ReprobeGate> reprobeGate,
			ObjectProvider<HotConnPoolClientCustomizer> customizers) {
		sslBundles.ifAvailable((bundles) -> config.useTlsBundles(new SslBundleMaterial(bundles)));
		requireDrainWithinShutdownPhase(config.getShutdown().getDrainTimeout(), environment);
		HotConnPool.Builder builder = HotConnPool.builder(config).resolver(resolver);
		executor.ifAvailable(builder::executor);
		scheduler.ifAvailable((taskScheduler) -> builder.scheduler(maintenanceScheduler(taskScheduler)));
		listeners.orderedStream().forEach(builder::listener);
		leaseObserver.ifUnique(builder::leaseObserver);
		reprobeGate.ifUnique(builder::reprobeGate);
		List<HotConnPoolClientCustomizer> ordered = customizers.orderedStream().toList();
		builder.clientCustomizer((client) -> ordered.forEach((customizer) -> customizer.customize(client)));
		try {
			return builder.build();
		}
		catch (InvalidSettingException ex) {
			if (ex.isValueHidden()) {
				throw ex; // Spring Boot's report would show the value where it was set
			}
			// Not chained: the report is Spring Boot's, not the one for an InvalidSettingException.
			throw new InvalidConfigurationPropertyValueException(ex.getSetting(),
					InvalidSettingFailureAnalyzer.readable(ex.getValue()), "Expected " + ex.getExpected() + ".");
		}
	}

	/** Spring abandons a shutdown phase after its timeout: the pool's drain must end within it. */
	private static void requireDrainWithinShutdownPhase(Duration drainTimeout, Environment environment) {
		Duration phaseTimeout = Binder.get(environment)
			.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
			.orElse(DEFAULT_SHUTDOWN_PHASE_TIMEOUT);
		if (drainTimeout != null && drainTimeout.compareTo(phaseTimeout) > 0) {
			throw new InvalidConfigurationPropertyValueException("hotconnpool.shutdown.drain-timeout",
					InvalidSettingFailureAnalyzer.readable(drainTimeout),
					"Expected at most spring.lifecycle.timeout-per-shutdown-phase ("
							+ InvalidSettingFailureAnalyzer.readable(phaseTimeout)
							+ "), after which Spring abandons the pool's shutdown phase; or raise that timeout.");
		}
	}

	private static MaintenanceScheduler maintenanceScheduler(TaskScheduler scheduler) {
		return (task, initialDelay, interval) -> scheduler.scheduleWithFixedDelay(task,
				Instant.now().plus(initialDelay), interval);
	}

	/** Also for a pool the application defines itself: it is a plain object that needs starting. */
	@Bean
	@ConditionalOnSingleCandidate(HotConnPool.class)
	@ConditionalOnMissingBean
	HotConnPoolLifecycle hotConnPoolLifecycle(HotConnPool pool) {
		return new HotConnPoolLifecycle(pool);
	}

}
