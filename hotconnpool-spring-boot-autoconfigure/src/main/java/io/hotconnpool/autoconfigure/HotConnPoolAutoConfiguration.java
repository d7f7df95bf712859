package io.hotconnpool.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

import io.hotconnpool.pool.HostResolver;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolSettings;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.task.SimpleAsyncTaskExecutorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

/**
 * {@link AutoConfiguration Auto-configuration} of the {@link HotConnPool}: settings from
 * {@link HotConnPoolProperties}, a {@link HostResolver}, an executor for blocking work and
 * {@link HotConnPoolClientCustomizer} beans. The pool is a {@code SmartLifecycle}: the context warms it at start
 * and closes it at shutdown.
 */
@AutoConfiguration(after = { SslAutoConfiguration.class, TaskExecutionAutoConfiguration.class })
@ConditionalOnBooleanProperty(name = "hotconnpool.enabled", matchIfMissing = true)
@EnableConfigurationProperties(HotConnPoolProperties.class)
public final class HotConnPoolAutoConfiguration {

	/** Name of the executor bean the pool runs DNS look-ups and warm-ups on. */
	public static final String EXECUTOR_BEAN_NAME = "hotConnPoolExecutor";

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

	@Bean
	@ConditionalOnMissingBean({ HotConnPoolSettings.class, HotConnPool.class })
	HotConnPoolSettings hotConnPoolSettings(HotConnPoolProperties properties, ObjectProvider<SslBundles> sslBundles,
			Environment environment) {
		Duration shutdownPhaseTimeout = Binder.get(environment)
			.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
			.orElse(HotConnPoolSettingsPropertyMapper.DEFAULT_SHUTDOWN_PHASE_TIMEOUT);
		return new HotConnPoolSettingsPropertyMapper(properties, sslBundles.getIfAvailable(), shutdownPhaseTimeout)
			.map();
	}

	@Bean
	@ConditionalOnMissingBean
	HotConnPool hotConnPool(HotConnPoolSettings settings, HostResolver resolver,
			@Qualifier(EXECUTOR_BEAN_NAME) ObjectProvider<Executor> executor,
			ObjectProvider<HotConnPoolClientCustomizer> customizers) {
		HotConnPool.Builder builder = HotConnPool.builder(settings).resolver(resolver);
		executor.ifAvailable(builder::executor);
		List<HotConnPoolClientCustomizer> ordered = customizers.orderedStream().toList();
		return builder.clientCustomizer((client) -> ordered.forEach((customizer) -> customizer.customize(client)))
			.build();
	}

}
