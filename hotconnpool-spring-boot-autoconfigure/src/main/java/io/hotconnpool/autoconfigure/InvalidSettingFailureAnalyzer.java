package io.hotconnpool.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;

import io.hotconnpool.pool.InvalidSettingException;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.Environment;

/**
 * Reports an {@link InvalidSettingException} as the property at fault, its value, where it was set, and what a
 * valid value looks like. The pool's configuration errors reach the user as Spring Boot's
 * {@code InvalidConfigurationPropertyValueException}; this reports the others: fleet settings, health thresholds,
 * Spring HTTP client settings the pool cannot honour, and values it does not show (header values, which may be
 * secrets).
 */
class InvalidSettingFailureAnalyzer extends AbstractFailureAnalyzer<InvalidSettingException> {

	private static final List<ChronoUnit> READABLE_UNITS = List.of(ChronoUnit.DAYS, ChronoUnit.HOURS,
			ChronoUnit.MINUTES, ChronoUnit.SECONDS, ChronoUnit.MILLIS);

	private final Environment environment;

	InvalidSettingFailureAnalyzer(Environment environment) {
		this.environment = environment;
	}

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidSettingException cause) {
		String setting = cause.getSetting();
		ConfigurationProperty property = find(setting);
		// The value as written where the property is set (the pool may have normalised it), unless it is hidden.
		Object value = (property != null && !cause.isValueHidden()) ? property.getValue() : cause.getValue();
		StringBuilder description = new StringBuilder("Invalid hotconnpool configuration:\n\n");
		description.append("    Property: ").append(setting).append('\n');
		description.append("    Value: \"").append(readable(value)).append("\"\n");
		Origin origin = (property != null) ? property.getOrigin() : null;
		if (origin != null) {
			description.append("    Origin: ").append(origin).append('\n');
		}
		description.append("    Reason: expected ").append(cause.getExpected()).append('\n');
		String action = "Update " + setting + " in your application's configuration. Expected: "
				+ cause.getExpected() + ".";
		return new FailureAnalysis(description.toString(), action, cause);
	}

	/** A duration the way it is written in properties, in its largest exact unit: {@code 30s}, not {@code PT30S}. */
	static String readable(Object value) {
		if (!(value instanceof Duration duration)) {
			return String.valueOf(value);
		}
		if (duration.isZero()) {
			return "0s";
		}
		for (ChronoUnit unit : READABLE_UNITS) {
			if (duration.equals(unit.getDuration().multipliedBy(duration.dividedBy(unit.getDuration())))) {
				return DurationStyle.SIMPLE.print(duration, unit);
			}
		}
		return DurationStyle.SIMPLE.print(duration, ChronoUnit.NANOS);
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
