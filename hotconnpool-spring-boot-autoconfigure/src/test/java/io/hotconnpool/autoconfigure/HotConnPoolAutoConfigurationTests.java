package io.hotconnpool.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

import io.hotconnpool.pool.HostResolver;
import io.hotconnpool.pool.HostSettings;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.pool.StatusSet;
import io.hotconnpool.pool.TlsMaterial;
import io.hotconnpool.pool.UnknownHostPolicy;
import io.hotconnpool.test.LoopbackTlsOrigins;
import io.micrometer.core.instrument.binder.okhttp3.OkHttpMetricsEventListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HotConnPoolAutoConfiguration}.
 */
@ExtendWith(OutputCaptureExtension.class)
class HotConnPoolAutoConfigurationTests {

	/** A bundle whose trust store holds only the test CA of {@link LoopbackTlsOrigins}. */
	static final String TEST_CA_BUNDLE = "spring.ssl.bundle.pem.test-ca.truststore.certificate="
			+ LoopbackTlsOrigins.caCertificatePem();

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(SslAutoConfiguration.class, HotConnPoolAutoConfiguration.class));

	@Test
	void thePoolRunsOnACopyOfTheBoundConfigurationThatARebindingDoesNotReach() {
		this.runner.withUserConfiguration(NoDnsConfiguration.class)
			.withPropertyValues("hotconnpool.hosts[0].host=api.example.com", "hotconnpool.blacklist.ttl=5m")
			.run((context) -> {
				assertThat(context).hasSingleBean(HotConnPool.class).hasSingleBean(HotConnPoolConfig.class);
				HotConnPoolConfig config = context.getBean(HotConnPoolConfig.class);
				config.getHosts().get(0).setConnectionsPerIp(4);
				config.getBlacklist().setTtl(Duration.ZERO);

				HotConnPoolConfig running = context.getBean(HotConnPool.class).config();
				assertThat(running.defaultTls()).isSameAs(TlsMaterial.SYSTEM);
				assertThat(running.getBlacklist().getTtl()).isEqualTo(Duration.ofMinutes(5));
				assertThat(running.hostSettings()).singleElement().satisfies((host) -> {
					assertThat(host.host()).isEqualTo("api.example.com");
					assertThat(host.connectionsPerIp()).isEqualTo(2);
				});
			});
	}

	@Test
	void poolWideValuesReachTheSettingsAndHostsInheritThem() {
		this.runner.withUserConfiguration(NoDnsConfiguration.class)
			.withPropertyValues("hotconnpool.connections-per-ip=3", "hotconnpool.max-connections-per-host=9",
					"hotconnpool.acquire-timeout=1s", "hotconnpool.connect-timeout=2s",
					"hotconnpool.tls-handshake-timeout=3s", "hotconnpool.read-timeout=4s",
					"hotconnpool.write-timeout=5s", "hotconnpool.call-timeout=6s", "hotconnpool.probe-timeout=7s",
					"hotconnpool.resolve-timeout=8s", "hotconnpool.warm-up.timeout=9s",
					"hotconnpool.warm-up.concurrency=3", "hotconnpool.max-hosts=7", "hotconnpool.unknown-hosts=refuse",
					"hotconnpool.probe.method=get", "hotconnpool.probe.path=/health",
					"hotconnpool.probe.success-statuses=200,204", "hotconnpool.blacklist-statuses=403,5xx",
					"hotconnpool.tls.allow-jdk-fallback=true", "hotconnpool.tls.profile=Chrome",
					"hotconnpool.tls.bundle=test-ca", TEST_CA_BUNDLE, "hotconnpool.hosts[0].host=api.example.com")
			.run((context) -> {
				HotConnPoolConfig config = context.getBean(HotConnPool.class).config();
				assertThat(config.getAcquireTimeout()).isEqualTo(Duration.ofSeconds(1));
				assertThat(config.getConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
				assertThat(config.getTlsHandshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(config.getReadTimeout()).isEqualTo(Duration.ofSeconds(4));
				assertThat(config.getWriteTimeout()).isEqualTo(Duration.ofSeconds(5));
				assertThat(config.getCallTimeout()).isEqualTo(Duration.ofSeconds(6));
				assertThat(config.getProbeTimeout()).isEqualTo(Duration.ofSeconds(7));
				assertThat(config.getResolveTimeout()).isEqualTo(Duration.ofSeconds(8));
				assertThat(config.getWarmUp().getTimeout()).isEqualTo(Duration.ofSeconds(9));
				assertThat(config.getWarmUp().getConcurrency()).isEqualTo(3);
				assertThat(config.getMaxHosts()).isEqualTo(7);
				assertThat(config.getUnknownHosts()).isEqualTo(UnknownHostPolicy.REFUSE);
				assertThat(config.getTls().isAllowJdkFallback()).isTrue();
				assertThat(config.defaultTls().trustStore().size()).isOne();
				assertThat(config.defaultTls().keyManagers()).as("a bundle without key store").isNull();
				HostSettings host = config.hostSettings().get(0);
				assertThat(host.connectionsPerIp()).isEqualTo(3);
				assertThat(host.maxConnections()).isEqualTo(9);
				assertThat(host.probeMethod()).isEqualTo("GET");
				assertThat(host.probePath()).isEqualTo("/health");
				assertThat(host.probeSuccessStatuses()).isEqualTo(StatusSet.of("200", "204"));
				assertThat(host.blacklistStatuses()).isEqualTo(StatusSet.of("403", "5xx"));
				assertThat(host.tls()).isSameAs(config.defaultTls());
			});
	}

	@Test
	void perHostOverridesReachTheSettings() throws IOException {
		int closedPort = closedPort(); // static addresses are warmed at start: nothing may answer there
		this.runner.withUserConfiguration(NoDnsConfiguration.class)
			.withPropertyValues("hotconnpool.hosts[0].host=API.Example.com", "hotconnpool.hosts[0].port=" + closedPort,
					"hotconnpool.hosts[0].addresses=127.0.0.1,[::1]", "hotconnpool.hosts[0].dns-enabled=false",
					"hotconnpool.hosts[0].connections-per-ip=3", "hotconnpool.hosts[0].max-connections=5",
					"hotconnpool.hosts[0].probe.method=OPTIONS", "hotconnpool.hosts[0].probe.path=/ping",
					"hotconnpool.hosts[0].probe.success-statuses=204", "hotconnpool.hosts[0].blacklist-statuses=451",
					"hotconnpool.hosts[0].tls.bundle=test-ca", "hotconnpool.hosts[0].tls.profile=firefox",
					"hotconnpool.hosts[1].host=other.example.com:8443", "hotconnpool.hosts[1].tls.bundle=test-ca",
					"hotconnpool.hosts[2].host=third.example.com", TEST_CA_BUNDLE)
			.run((context) -> {
				HotConnPoolConfig config = context.getBean(HotConnPool.class).config();
				assertThat(config.hostSettings()).extracting(HostSettings::host)
					.containsExactly("api.example.com", "other.example.com", "third.example.com");
				HostSettings first = config.hostSettings().get(0);
				assertThat(first.port()).isEqualTo(closedPort);
				assertThat(first.staticAddresses()).containsExactly(InetAddress.getByName("127.0.0.1"),
						InetAddress.getByName("::1"));
				assertThat(first.dnsEnabled()).isFalse();
				assertThat(first.connectionsPerIp()).isEqualTo(3);
				assertThat(first.maxConnections()).isEqualTo(5);
				assertThat(first.probeMethod()).isEqualTo("OPTIONS");
				assertThat(first.probePath()).isEqualTo("/ping");
				assertThat(first.probeSuccessStatuses()).isEqualTo(StatusSet.of("204"));
				assertThat(first.blacklistStatuses()).isEqualTo(StatusSet.of("451"));
				assertThat(first.tls().trustStore()).isNotNull();
				HostSettings second = config.hostSettings().get(1);
				assertThat(second.port()).isEqualTo(8443);
				assertThat(second.tls()).as("one TlsMaterial per bundle name").isSameAs(first.tls());
				HostSettings third = config.hostSettings().get(2);
				assertThat(third.port()).isEqualTo(443);
				assertThat(third.tls()).isSameAs(TlsMaterial.SYSTEM);
				assertThat(third.connectionsPerIp()).isEqualTo(2);
				assertThat(third.probeSuccessStatuses()).isEqualTo(StatusSet.of("2xx", "3xx"));
			});
	}

	@Test
	void drainTimeoutMayReachALongerShutdownPhase() {
		this.runner
			.withPropertyValues("hotconnpool.shutdown.drain-timeout=45s",
					"spring.lifecycle.timeout-per-shutdown-phase=1m")
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(HotConnPool.class));
	}

	@Test
	void anEmptyHostListStartsWithOneWarningThatNothingIsWarm(CapturedOutput output) {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			context.getBean(HotConnPool.class).start();
			assertThat(output).containsOnlyOnce("hotconnpool has no hosts (hotconnpool.hosts is empty)")
				.contains("each host is warmed on its first use");
		});
	}

	@Test
	void anEmptyHostListThatRefusesUnknownHostsFailsStartUp() {
		this.runner.withPropertyValues("hotconnpool.unknown-hosts=refuse")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("hotconnpool.unknown-hosts"));
	}

	@Test
	void backsOffFromAUserPool() {
		this.runner.withUserConfiguration(UserPoolConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(HotConnPool.class).doesNotHaveBean(HotConnPoolConfig.class);
			assertThat(context.getBean(HotConnPool.class)).isSameAs(context.getBean("userPool"));
		});
	}

	@Test
	void backsOffFromAUserConfigurationBean() {
		HotConnPoolConfig userConfig = new HotConnPoolConfig();
		userConfig.setMaxHosts(3);
		this.runner.withBean(HotConnPoolConfig.class, () -> userConfig)
			.run((context) -> assertThat(context.getBean(HotConnPool.class).config().getMaxHosts()).isEqualTo(3));
	}

	@Test
	void backsOffFromAUserResolverAndUsesIt() {
		this.runner.withUserConfiguration(RecordingResolverConfiguration.class)
			.withPropertyValues("hotconnpool.hosts[0].host=api.example.com")
			.run((context) -> {
				assertThat(context).hasSingleBean(HostResolver.class).doesNotHaveBean("hotConnPoolHostResolver");
				assertThat(context.getBean(RecordingResolver.class).threads).hasSize(1);
			});
	}

	@Test
	void byDefaultThePoolResolvesWithTheSystemAndWithoutBootsExecutorBuilderRunsItsOwnExecutor() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(HotConnPool.class)
			.hasBean("hotConnPoolHostResolver")
			.doesNotHaveBean(HotConnPoolAutoConfiguration.EXECUTOR_BEAN_NAME));
	}

	@Test
	void runsBlockingWorkOnAnExecutorFromBootsBuilder() {
		this.runner.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class))
			.withUserConfiguration(RecordingResolverConfiguration.class, ExecutorConsumerConfiguration.class)
			.withPropertyValues("hotconnpool.hosts[0].host=api.example.com")
			.run((context) -> {
				assertThat(context).hasBean(HotConnPoolAutoConfiguration.EXECUTOR_BEAN_NAME);
				assertThat(context.getBean(HotConnPoolAutoConfiguration.EXECUTOR_BEAN_NAME))
					.isInstanceOf(SimpleAsyncTaskExecutor.class);
				assertThat(context.getBean(RecordingResolver.class).threads).singleElement()
					.satisfies((thread) -> assertThat(thread).startsWith("hotconnpool-"));
				assertThat(context.getBean(ExecutorConsumer.class).executor)
					.as("an Executor injected by type is still the application's")
					.isSameAs(context.getBean("applicationTaskExecutor"));
			});
	}

	@Test
	void usesTheUsersExecutorWhenNamedLikeOurs() {
		this.runner.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class))
			.withUserConfiguration(RecordingResolverConfiguration.class)
			.withBean(HotConnPoolAutoConfiguration.EXECUTOR_BEAN_NAME, Executor.class,
					() -> new SimpleAsyncTaskExecutor("user-executor-"))
			.withPropertyValues("hotconnpool.hosts[0].host=api.example.com")
			.run((context) -> assertThat(context.getBean(RecordingResolver.class).threads).singleElement()
				.satisfies((thread) -> assertThat(thread).startsWith("user-executor-")));
	}

	@Test
	void appliesClientCustomizersInOrder() {
		this.runner.withUserConfiguration(NoDnsConfiguration.class, CustomizerConfiguration.class)
			.withPropertyValues("hotconnpool.hosts[0].host=api.example.com")
			.run((context) -> {
			assertThat(context).hasSingleBean(HotConnPool.class);
			assertThat(context.getBean(CustomizerConfiguration.class).calls).containsExactly("first", "second");
		});
	}

	@Test
	void aCustomizersEventListenerSeesPoolRequests() throws IOException {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1)) {
			this.runner.withPropertyValues(originProperties(origins))
				.withPropertyValues("hotconnpool.hosts[0].tls.bundle=test-ca", TEST_CA_BUNDLE)
				.withBean(HotConnPoolClientCustomizer.class, () -> (builder) -> builder
					.eventListener(OkHttpMetricsEventListener.builder(registry, "okhttp.requests").build()))
				.run((context) -> {
					HotConnPool pool = context.getBean(HotConnPool.class);
					for (int i = 0; i < 3; i++) {
						try (Response response = pool.execute(new Request.Builder().url(origins.url("/a")).build())) {
							assertThat(response.code()).isEqualTo(200);
						}
					}
					assertThat(registry.get("okhttp.requests").tag("method", "GET").timer().count())
						.as("Micrometer's OkHttp listener timed each request").isEqualTo(3);
				});
		}
	}

	@Test
	void disabledMeansNoPool() {
		this.runner
			.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class,
					HotConnPoolRestClientAutoConfiguration.class))
			.withPropertyValues("hotconnpool.enabled=false", "hotconnpool.hosts[0].host=api.example.com")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(HotConnPool.class)
				.doesNotHaveBean(HotConnPoolConfig.class)
				.doesNotHaveBean(HostResolver.class)
				.doesNotHaveBean(HotConnPoolAutoConfiguration.EXECUTOR_BEAN_NAME)
				.doesNotHaveBean(io.hotconnpool.http.HotConnPoolClientHttpRequestFactory.class));
	}

	@Test
	void startsWithoutActuatorMicrometerOrSpringWeb() {
		this.runner.withConfiguration(AutoConfigurations.of(HotConnPoolRestClientAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate", "io.micrometer",
					"org.springframework.web", "org.springframework.http", "org.springframework.boot.restclient",
					"org.springframework.boot.http"))
			.withUserConfiguration(NoDnsConfiguration.class)
			.withPropertyValues("hotconnpool.hosts[0].host=api.example.com")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(HotConnPool.class)
				.doesNotHaveBean(HotConnPoolRestClientAutoConfiguration.class));
	}

	@Test
	void sslBundleTrustingTheOriginsLetsWarmUpSucceed() throws IOException {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(2)) {
			this.runner.withPropertyValues(originProperties(origins))
				.withPropertyValues("hotconnpool.hosts[0].tls.bundle=test-ca", TEST_CA_BUNDLE)
				.run((context) -> {
					HotConnPool pool = context.getBean(HotConnPool.class);
					assertThat(pool.isRunning()).isTrue();
					assertThat(pool.stats().idleConnections()).isEqualTo(4);
					assertThat(pool.stats().healthyConnections()).isEqualTo(4);
					assertThat(origins.connections()).isEqualTo(4);
				});
		}
	}

	@Test
	void withoutABundleWarmUpFailsOnTheUntrustedCertificate(CapturedOutput output) throws IOException {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(2)) {
			this.runner.withPropertyValues(originProperties(origins)).run((context) -> {
				HotConnPool pool = context.getBean(HotConnPool.class);
				assertThat(pool.stats().idleConnections()).isZero();
				assertThat(pool.stats().totalConnections()).isZero();
				assertThat(origins.connections()).as("no request reached an origin").isZero();
				assertThat(output).contains("hotconnpool warmed " + origins.target() + ": 0 of 2 IPs")
					.contains("last failure: javax.net.ssl.SSLHandshakeException")
					.containsIgnoringCase("trust anchor for certification path not found");
			});
		}
	}

	private static String[] originProperties(LoopbackTlsOrigins origins) {
		String addresses = origins.addresses().stream().map(InetAddress::getHostAddress).collect(Collectors.joining(","));
		return new String[] { "hotconnpool.hosts[0].host=" + origins.target(),
				"hotconnpool.hosts[0].addresses=" + addresses, "hotconnpool.hosts[0].dns-enabled=false" };
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/** Keeps tests off DNS: every host resolves to no address, so nothing is warmed. */
	@Configuration(proxyBeanMethods = false)
	static class NoDnsConfiguration {

		@Bean
		HostResolver noDns() {
			return (host) -> List.of();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingResolverConfiguration {

		@Bean
		RecordingResolver recordingResolver() {
			return new RecordingResolver();
		}

	}

	/** Records the threads it is called on, and resolves nothing. */
	static class RecordingResolver implements HostResolver {

		final List<String> threads = new CopyOnWriteArrayList<>();

		@Override
		public List<InetAddress> resolve(String host) {
			this.threads.add(Thread.currentThread().getName());
			return List.of();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserPoolConfiguration {

		@Bean
		HotConnPool userPool() {
			return HotConnPool.builder(new HotConnPoolConfig()).build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ExecutorConsumerConfiguration {

		@Bean
		ExecutorConsumer executorConsumer(Executor executor) {
			return new ExecutorConsumer(executor);
		}

	}

	record ExecutorConsumer(Executor executor) {
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		final List<String> calls = new CopyOnWriteArrayList<>();

		@Bean
		@Order(2)
		HotConnPoolClientCustomizer second() {
			return (builder) -> this.calls.add("second");
		}

		@Bean
		@Order(1)
		HotConnPoolClientCustomizer first() {
			return (builder) -> this.calls.add("first");
		}

	}

}
