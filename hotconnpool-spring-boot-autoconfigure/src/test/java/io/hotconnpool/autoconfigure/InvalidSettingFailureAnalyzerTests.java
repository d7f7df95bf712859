package io.hotconnpool.autoconfigure;

import java.util.stream.Stream;

import io.hotconnpool.pool.InvalidSettingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Every invalid input fails start-up, and {@link InvalidSettingFailureAnalyzer} names the property at fault.
 */
@ExtendWith(OutputCaptureExtension.class)
class InvalidSettingFailureAnalyzerTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(SslAutoConfiguration.class, HotConnPoolAutoConfiguration.class));

	static Stream<Invalid> invalidProperties() {
		return Stream.of(
				// sizes
				new Invalid("hotconnpool.connections-per-ip", "0", "hotconnpool.connections-per-ip=0"),
				new Invalid("hotconnpool.max-connections-per-host", "-1",
						"hotconnpool.max-connections-per-host=-1"),
				new Invalid("hotconnpool.warm-up.concurrency", "0", "hotconnpool.warm-up.concurrency=0"),
				new Invalid("hotconnpool.max-hosts", "0", "hotconnpool.max-hosts=0"),
				new Invalid("hotconnpool.max-hosts", "1", "hotconnpool.max-hosts=1", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[1].host=b.test"),
				new Invalid("hotconnpool.hosts[1].connections-per-ip", "0", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[1].host=b.test", "hotconnpool.hosts[1].connections-per-ip=0"),
				new Invalid("hotconnpool.hosts[0].max-connections", "-3", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[0].max-connections=-3"),
				// durations
				new Invalid("hotconnpool.acquire-timeout", "0s", "hotconnpool.acquire-timeout=0s"),
				new Invalid("hotconnpool.read-timeout", "-1s", "hotconnpool.read-timeout=-1s"),
				new Invalid("hotconnpool.warm-up.timeout", "0ms", "hotconnpool.warm-up.timeout=0ms"),
				new Invalid("hotconnpool.shutdown.drain-timeout", "0s", "hotconnpool.shutdown.drain-timeout=0s"),
				// minimum above maximum
				new Invalid("hotconnpool.connections-per-ip", "4", "hotconnpool.connections-per-ip=4",
						"hotconnpool.max-connections-per-host=3"),
				new Invalid("hotconnpool.hosts[0].connections-per-ip", "5", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[0].connections-per-ip=5", "hotconnpool.hosts[0].max-connections=4"),
				new Invalid("hotconnpool.hosts[0].max-connections", "1", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[0].max-connections=1"),
				// empty, malformed and duplicate hosts
				new Invalid("hotconnpool.hosts[0].host", "null", "hotconnpool.hosts[0].port=443"),
				new Invalid("hotconnpool.hosts[0].host", "", "hotconnpool.hosts[0].host="),
				new Invalid("hotconnpool.hosts[0].host", "https://api.example.com/v1",
						"hotconnpool.hosts[0].host=https://api.example.com/v1"),
				new Invalid("hotconnpool.hosts[1].host", "api.example.com:https", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[1].host=api.example.com:https"),
				new Invalid("hotconnpool.hosts[0].host", "api_example.com", "hotconnpool.hosts[0].host=api_example.com"),
				new Invalid("hotconnpool.hosts[0].host", "api.example.com:70000",
						"hotconnpool.hosts[0].host=api.example.com:70000"),
				new Invalid("hotconnpool.hosts[0].port", "0", "hotconnpool.hosts[0].host=api.example.com",
						"hotconnpool.hosts[0].port=0"),
				new Invalid("hotconnpool.hosts[0].port", "443", "hotconnpool.hosts[0].host=api.example.com:8443",
						"hotconnpool.hosts[0].port=443"),
				new Invalid("hotconnpool.hosts[2].host", "API.example.com:443", "hotconnpool.hosts[0].host=api.example.com",
						"hotconnpool.hosts[1].host=api.example.com:8443", "hotconnpool.hosts[2].host=API.example.com:443"),
				new Invalid("hotconnpool.hosts[0].addresses[1]", "localhost", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[0].addresses=127.0.0.1,localhost"),
				new Invalid("hotconnpool.hosts[0].addresses[0]", "300.1.1.1", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[0].addresses=300.1.1.1"),
				new Invalid("hotconnpool.hosts[0].dns-enabled", "false", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[0].dns-enabled=false"),
				// TLS profiles and SSL bundles
				new Invalid("hotconnpool.tls.profile", "safari", "hotconnpool.tls.profile=safari"),
				new Invalid("hotconnpool.hosts[0].tls.profile", "edge", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[0].tls.profile=edge"),
				new Invalid("hotconnpool.tls.bundle", "missing", "hotconnpool.tls.bundle=missing"),
				new Invalid("hotconnpool.hosts[0].tls.bundle", "missing", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[0].tls.bundle=missing", HotConnPoolAutoConfigurationTests.TEST_CA_BUNDLE),
				// probes and statuses
				new Invalid("hotconnpool.probe.path", "health", "hotconnpool.probe.path=health"),
				new Invalid("hotconnpool.hosts[1].probe.path", "status", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[1].host=b.test", "hotconnpool.hosts[1].probe.path=status"),
				new Invalid("hotconnpool.probe.method", "POST", "hotconnpool.probe.method=POST"),
				new Invalid("hotconnpool.hosts[0].probe.method", "DELETE", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[0].probe.method=DELETE"),
				new Invalid("hotconnpool.probe.success-statuses", "7xx", "hotconnpool.probe.success-statuses=7xx"),
				new Invalid("hotconnpool.hosts[0].blacklist-statuses", "403,abc", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[0].blacklist-statuses=403,abc"),
				// shutdown within Spring's shutdown phase
				new Invalid("hotconnpool.shutdown.drain-timeout", "40s", "hotconnpool.shutdown.drain-timeout=40s"),
				new Invalid("hotconnpool.shutdown.drain-timeout", "10s", "spring.lifecycle.timeout-per-shutdown-phase=5s"));
	}

	@ParameterizedTest
	@MethodSource("invalidProperties")
	void failsStartUpNamingTheProperty(Invalid invalid) {
		this.runner.withPropertyValues(invalid.properties()).run((context) -> {
			assertThat(context).hasFailed();
			MockEnvironment environment = new MockEnvironment();
			for (String property : invalid.properties()) {
				int equals = property.indexOf('=');
				environment.setProperty(property.substring(0, equals), property.substring(equals + 1));
			}
			FailureAnalysis analysis = new InvalidSettingFailureAnalyzer(environment)
				.analyze(context.getStartupFailure());
			assertThat(analysis).as("an InvalidSettingException in the failure's causes").isNotNull();
			assertThat(analysis.getCause()).isInstanceOf(InvalidSettingException.class);
			assertThat(analysis.getDescription()).contains("Property: " + invalid.property() + "\n")
				.contains("Value: \"" + invalid.value() + "\"")
				.contains("Reason: expected ");
			assertThat(analysis.getAction()).startsWith("Update " + invalid.property() + " in your application's");
		});
	}

	@Test
	void reportsDefaultDurationsReadably() {
		this.runner.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=5s").run((context) -> {
			FailureAnalysis analysis = new InvalidSettingFailureAnalyzer(new MockEnvironment())
				.analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("Value: \"10s\"")
				.contains("at most spring.lifecycle.timeout-per-shutdown-phase (5s)");
		});
	}

	@Test
	void startUpFailureReportNamesThePropertyAndWhereItWasSet(CapturedOutput output) {
		SpringApplication application = new SpringApplication(FailingApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatException().isThrownBy(() -> application.run("--spring.config.name=invalid-hotconnpool"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid hotconnpool configuration:")
			.contains("Property: hotconnpool.hosts[1].connections-per-ip")
			.contains("Value: \"0\"")
			.contains("Origin: class path resource [invalid-hotconnpool.yml]")
			.contains("Reason: expected 1 or more")
			.contains("Update hotconnpool.hosts[1].connections-per-ip in your application's configuration");
	}

	/** One invalid configuration: the property at fault, its value as shown, and the properties to set. */
	record Invalid(String property, String value, String... properties) {

		@Override
		public String toString() {
			return this.property + " <- " + String.join(", ", this.properties);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ SslAutoConfiguration.class, HotConnPoolAutoConfiguration.class })
	static class FailingApplication {

	}

}
