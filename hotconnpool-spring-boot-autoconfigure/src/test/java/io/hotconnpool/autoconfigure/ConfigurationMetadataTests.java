package io.hotconnpool.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.jayway.jsonpath.JsonPath;
import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.pool.InvalidSettingException;
import org.junit.jupiter.api.Test;

import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.convert.DurationStyle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The metadata Spring Boot's configuration processor generates from {@link HotConnPoolConfig}, read from the
 * classpath as an IDE reads it: every property has a description, and every property whose field has an initial
 * value carries that value as its default, and every duration is checked, wherever it stands, under its own name. A
 * property is one field with its Javadoc: nothing else to keep in step.
 */
class ConfigurationMetadataTests {

	private static final String PREFIX = "hotconnpool.";

	@Test
	void everyPropertyHasADescriptionAndEveryInitialValueIsItsDefault() throws IOException {
		Map<String, Map<String, Object>> metadata = metadata();
		BeanWrapper defaults = new BeanWrapperImpl(new HotConnPoolConfig());
		Set<String> withoutDefault = new TreeSet<>();
		for (String property : InvalidPropertiesTests.properties()) {
			if (property.startsWith(PREFIX + "fleet.") || property.contains("[") || property.contains("*")) {
				continue; // fleet mode has properties of its own; host and profile entries are list and map values
			}
			Map<String, Object> entry = metadata.get(property);
			assertThat(entry).as("metadata of %s", property).isNotNull();
			assertThat((String) entry.get("description")).as("description of %s", property).isNotBlank();
			Object value = defaults.getPropertyValue(camelCase(property.substring(PREFIX.length())));
			if (value == null || isEmpty(value)) {
				withoutDefault.add(property);
				continue;
			}
			assertThat(entry).as("default of %s", property).containsKey("defaultValue");
			assertThat(asWritten(entry.get("defaultValue"), value)).as("default of %s", property).isEqualTo(value);
		}
		assertThat(withoutDefault).as("properties whose unset value means none or the okhttp profile")
			.containsExactly("hotconnpool.tls.bundle", "hotconnpool.tls.profile");
	}

	@Test
	void everyDurationIsCheckedAndNamedAsItIsBound() throws IOException {
		List<String> durations = metadata().values()
			.stream()
			.filter((entry) -> Duration.class.getName().equals(entry.get("type")))
			.map((entry) -> (String) entry.get("name"))
			// fleet mode's are its own properties; health.* the health indicator binds and checks itself
			.filter((property) -> !property.startsWith(PREFIX + "fleet.") && !property.startsWith(PREFIX + "health."))
			.toList();
		assertThat(durations).hasSizeGreaterThan(20);
		for (String property : durations) {
			HotConnPoolConfig config = new HotConnPoolConfig();
			new BeanWrapperImpl(config).setPropertyValue(camelCase(property.substring(PREFIX.length())),
					Duration.ofDays(25));
			assertThatExceptionOfType(InvalidSettingException.class).as(property)
				.isThrownBy(config::validate)
				.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo(property));
		}
	}

	/** Every {@code hotconnpool.*} entry of every metadata file on the classpath, by name. */
	private static Map<String, Map<String, Object>> metadata() throws IOException {
		Map<String, Map<String, Object>> properties = new HashMap<>();
		for (URL url : Collections.list(ConfigurationMetadataTests.class.getClassLoader()
			.getResources("META-INF/spring-configuration-metadata.json"))) {
			try (InputStream in = url.openStream()) {
				List<Map<String, Object>> entries = JsonPath.read(new String(in.readAllBytes(), StandardCharsets.UTF_8),
						"$.properties[*]");
				entries.stream()
					.filter((entry) -> ((String) entry.get("name")).startsWith(PREFIX))
					.forEach((entry) -> properties.put((String) entry.get("name"), entry));
			}
		}
		return properties;
	}

	/** The metadata's default as the type of the field's value: {@code 30s}, {@code warm-on-first-use}, ... */
	private static Object asWritten(Object metadataDefault, Object value) {
		if (value instanceof Duration) {
			return DurationStyle.detectAndParse(String.valueOf(metadataDefault));
		}
		if (value instanceof Enum<?> constant) {
			String written = String.valueOf(metadataDefault).toUpperCase(Locale.ROOT).replace('-', '_');
			return written.equals(constant.name()) ? constant : metadataDefault;
		}
		if (value instanceof Number || value instanceof Boolean) {
			return String.valueOf(metadataDefault).equals(String.valueOf(value)) ? value : metadataDefault;
		}
		return metadataDefault;
	}

	private static boolean isEmpty(Object value) {
		return (value instanceof Collection<?> collection && collection.isEmpty())
				|| (value instanceof Map<?, ?> map && map.isEmpty());
	}

	/** {@code keep-alive.check-interval} as a bean path: {@code keepAlive.checkInterval}. */
	private static String camelCase(String dashed) {
		StringBuilder path = new StringBuilder();
		boolean upper = false;
		for (char c : dashed.toCharArray()) {
			if (c == '-') {
				upper = true;
			}
			else {
				path.append(upper ? Character.toUpperCase(c) : c);
				upper = false;
			}
		}
		return path.toString();
	}

}
