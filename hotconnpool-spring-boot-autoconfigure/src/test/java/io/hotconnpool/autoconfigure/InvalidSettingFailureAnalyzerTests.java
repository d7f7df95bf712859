package io.hotconnpool.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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
 * How {@link InvalidSettingFailureAnalyzer} reports a setting: readable durations, and the property, value and origin
 * in a real start-up failure. {@link InvalidPropertiesTests} runs every property with invalid values.
 */
@ExtendWith(OutputCaptureExtension.class)
class InvalidSettingFailureAnalyzerTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(SslAutoConfiguration.class, HotConnPoolAutoConfiguration.class));

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

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ SslAutoConfiguration.class, HotConnPoolAutoConfiguration.class })
	static class FailingApplication {

	}

}
