package io.hotconnpool.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * How an invalid configuration reaches the user: as Spring Boot's {@link InvalidConfigurationPropertyValueException},
 * with readable durations, and, in a real start-up failure, the property, its value, where it was set and what is
 * expected. {@link InvalidPropertiesTests} runs every property with invalid values.
 */
@ExtendWith(OutputCaptureExtension.class)
class InvalidSettingFailureAnalyzerTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(SslAutoConfiguration.class, HotConnPoolAutoConfiguration.class));

	@Test
	void reportsDefaultDurationsReadably() {
		this.runner.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=5s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (ex) -> {
					assertThat(ex.getName()).isEqualTo("hotconnpool.shutdown.drain-timeout");
					assertThat(ex.getValue()).isEqualTo("10s");
					assertThat(ex.getReason()).contains("at most spring.lifecycle.timeout-per-shutdown-phase (5s)");
				}));
	}

	@Test
	void startUpFailureReportNamesThePropertyAndWhereItWasSet(CapturedOutput output) {
		assertThatException().isThrownBy(() -> PoolApplication.run("invalid-hotconnpool"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid value '0' for configuration property 'hotconnpool.hosts[1].connections-per-ip'"
					+ " (originating from 'class path resource [invalid-hotconnpool.yml] - ")
			.contains("Validation failed for the following reason:")
			.contains("Expected 1 or more.")
			.contains("Review the value of the property with the provided reason.");
	}

}
