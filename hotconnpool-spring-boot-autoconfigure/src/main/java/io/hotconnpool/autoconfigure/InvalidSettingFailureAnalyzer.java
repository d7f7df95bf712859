package io.hotconnpool.autoconfigure;

import java.time.Duration;

import io.hotconnpool.pool.InvalidSettingException;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.Environment;

/**
 * Reports an {@link InvalidSettingException} as the property at fault, its value, where it was set, and what a
 * valid value looks like.
 */
class InvalidSettingFailureAnalyzer extends AbstractFailureAnalyzer<InvalidSettingException> {

	private final Environment environment;

	InvalidSettingFailureAnalyzer(Environment environment) {
		this.environment = environment;
	}

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidSettingException cause) {
		String setting = cause.getSetting();
		ConfigurationProperty property = find(setting);
		// The value as written where the property is set; the pool may have normalised it.
		Object value = (property != null) ? property.getValue() : cause.getValue();
		StringBuilder description = new StringBuilder("Invalid hotconnpool configuration:\n\n");
		description.append("    Property: ").append(setting).append('\n');
		description.append("    Value: \"").append(format(value)).append("\"\n");
		Origin origin = (property != null) ? property.getOrigin() : null;
		if (origin != null) {
			description.append("    Origin: ").append(origin).append('\n');
		}
		description.append("    Reason: expected ").append(cause.getExpected()).append('\n');
		String action = "Update " + setting + " in your application's configuration. Expected: "
				+ cause.getExpected() + ".";
		return new FailureAnalysis(description.toString(), action, cause);
	}

	private static String format(Object value) {
		return (value instanceof Duration duration) ? HotConnPoolSettingsPropertyMapper.readable(duration)
				: String.valueOf(value);
	}

	private ConfigurationProperty find(String setting) {
		if (!ConfigurationPropertyName.isValid(setting)) {
			return null;
		}
		ConfigurationPropertyName name = ConfigurationPropertyName.of(setting);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
			ConfigurationProperty property = source.getConfigurationProperty(name);
			if (property != null) {
				return property;
			}
		}
		return null;
	}

}
