package io.hotconnpool.autoconfigure;

import java.beans.PropertyDescriptor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.hotconnpool.actuate.HotConnPoolHealthContributorAutoConfiguration;
import io.hotconnpool.fleet.FleetAutoConfiguration;
import io.hotconnpool.fleet.FleetProperties;
import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.pool.InvalidSettingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.ResolvableType;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every property of {@link HotConnPoolConfig}, pool-wide and per host, and of {@link FleetProperties}, with invalid values: start-up fails, and
 * the report the user sees (the failure analyzers registered in {@code spring.factories}: ours for a value the pool
 * cannot work with, Spring Boot's binding report for a value of the wrong type) names the property and the value.
 * <p>
 * Adding a property means adding a row: {@link #everyPropertyHasARow()} fails until it has one. A row is one line,
 * {@code invalid("hotconnpool.some.property", "bad value")}, with any further properties it needs after the value;
 * per-host rows start from a valid host entry: {@code host("some-property", "bad value")}. In map properties any
 * key stands for the {@code *} of the property list ({@code hotconnpool.x.custom.mine.y} for
 * {@code hotconnpool.x.custom.*.y}).
 */
class InvalidPropertiesTests {

	private static final String HOST = "hotconnpool.hosts[0].";

	private static final String CUSTOM = "hotconnpool.tls.custom-profiles.mine.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, HotConnPoolAutoConfiguration.class,
				HotConnPoolRestClientAutoConfiguration.class, HotConnPoolHealthContributorAutoConfiguration.class,
				FleetAutoConfiguration.class))
		// Never connected: every row fails before the context starts.
		.withBean(RedisConnectionFactory.class,
				() -> new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 1)))
		.withPropertyValues("hotconnpool.tls.self-test=false");

	static Stream<Invalid> rows() {
		return Stream.of(
				// pool-wide switches and sizes
				invalid("hotconnpool.enabled", "maybe"),
				invalid("hotconnpool.connections-per-ip", "0"),
				invalid("hotconnpool.connections-per-ip", "two"),
				invalid("hotconnpool.connections-per-ip", "4", "hotconnpool.max-connections-per-host=3"),
				invalid("hotconnpool.max-connections-per-host", "-1"),
				invalid("hotconnpool.max-hosts", "0"),
				invalid("hotconnpool.max-hosts", "1", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[1].host=b.test"),
				invalid("hotconnpool.unknown-hosts", "sometimes"),
				invalid("hotconnpool.lifecycle-phase", "high"),
				invalid("hotconnpool.retry-on-connection-failure", "maybe"),
				invalid("hotconnpool.unknown-hosts", "refuse"),
				// health: when a host is down
				invalid("hotconnpool.health.min-healthy-per-host", "0"),
				invalid("hotconnpool.health.window", "500ms"),
				invalid("hotconnpool.health.window", "soon"),
				invalid("hotconnpool.health.window", "300000d"),
				invalid("hotconnpool.health.minimum-number-of-calls", "0"),
				invalid("hotconnpool.health.failure-rate-threshold", "0"),
				invalid("hotconnpool.health.failure-rate-threshold", "101"),
				invalid("hotconnpool.health.allow-to-fail", "maybe"),
				// deadlines: from 1ms (below, socket and OkHttp timeouts would mean "none") to 24d (OkHttp's int milliseconds)
				invalid("hotconnpool.acquire-timeout", "0s"),
				invalid("hotconnpool.acquire-timeout", "500us"),
				invalid("hotconnpool.connect-timeout", "-1s"),
				invalid("hotconnpool.connect-timeout", "999us"),
				invalid("hotconnpool.tls-handshake-timeout", "0ms"),
				invalid("hotconnpool.read-timeout", "-1s"),
				invalid("hotconnpool.read-timeout", "500us"),
				invalid("hotconnpool.read-timeout", "25d"), // OkHttp takes timeouts in int milliseconds
				invalid("hotconnpool.write-timeout", "0s"),
				invalid("hotconnpool.call-timeout", "0s"),
				invalid("hotconnpool.probe-timeout", "0s"),
				invalid("hotconnpool.resolve-timeout", "-5s"),
				invalid("hotconnpool.resolve-timeout", "soon"),
				invalid("hotconnpool.warm-up.timeout", "0ms"),
				invalid("hotconnpool.warm-up.concurrency", "0"),
				invalid("hotconnpool.warm-up.mode", "later"),
				// maintenance
				invalid("hotconnpool.health-check-interval", "0s"),
				invalid("hotconnpool.health-check-interval", "100us"),
				invalid("hotconnpool.health-check-idle-threshold", "-1ms"),
				invalid("hotconnpool.cleanup-interval", "0s"),
				invalid("hotconnpool.max-lifetime", "0s"),
				invalid("hotconnpool.max-lifetime", "300000d"), // past 292 years in nanoseconds
				invalid("hotconnpool.idle-timeout", "0s"),
				invalid("hotconnpool.dns-update-interval", "0s"),
				invalid("hotconnpool.leak-detection-threshold", "-1s"),
				invalid("hotconnpool.leak-detection-threshold", "50ms"),
				invalid("hotconnpool.keep-alive.alive-bypass-window", "-1ms"),
				invalid("hotconnpool.keep-alive.alive-bypass-window", "later"),
				invalid("hotconnpool.keep-alive.alive-bypass-window", "25d"),
				invalid("hotconnpool.keep-alive.check-interval", "0s"),
				invalid("hotconnpool.blacklist.check-interval", "0s"),
				invalid("hotconnpool.blacklist.ttl", "0s"),
				invalid("hotconnpool.blacklist.ttl", "300000d"),
				invalid("hotconnpool.blacklist.failure-threshold", "0"),
				invalid("hotconnpool.blacklist.all-blacklisted", "never"),
				invalid("hotconnpool.shutdown.drain-timeout", "0s"),
				invalid("hotconnpool.shutdown.drain-timeout", "40s"),
				invalid("spring.lifecycle.timeout-per-shutdown-phase", "5s")
					.reports("hotconnpool.shutdown.drain-timeout", "10s"),
				// probes and statuses
				invalid("hotconnpool.probe.method", "POST"),
				invalid("hotconnpool.probe.method", ""),
				invalid("hotconnpool.probe.path", "health"),
				invalid("hotconnpool.probe.success-statuses", "7xx"),
				invalid("hotconnpool.probe.success-statuses", ""),
				invalid("hotconnpool.blacklist-statuses", "403,abc"),
				invalid("hotconnpool.blacklist-statuses", "600"),
				invalid("hotconnpool.blacklist-statuses", "503-500"),
				// TLS
				invalid("hotconnpool.tls.bundle", "missing"),
				invalid("hotconnpool.tls.profile", "safari"),
				invalid("hotconnpool.tls.profile", "okhttp,edge"),
				invalid("hotconnpool.tls.allow-jdk-fallback", "maybe"),
				invalid("hotconnpool.tls.strict", "maybe"),
				invalid("hotconnpool.tls.self-test", "maybe"),
				// custom TLS profiles: references, then values the stack does not know (refused in every mode)
				invalid("hotconnpool.tls.profile", "partner,nope", "hotconnpool.tls.custom-profiles.partner.alpn=h2,http/1.1"),
				custom("cipher-suites", "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_NOT_A_SUITE")
					.reports(CUSTOM + "cipher-suites[2]", "TLS_NOT_A_SUITE"),
				custom("named-groups", "X25519,ffdhe2048").reports(CUSTOM + "named-groups[1]", "ffdhe2048"),
				custom("versions", "TLSv1.3,TLSv9").reports(CUSTOM + "versions[1]", "TLSv9"),
				custom("alpn", "h3,http/1.1").reports(CUSTOM + "alpn[0]", "h3"),
				custom("session-tickets", "maybe"),
				// custom TLS profiles: empty and malformed values
				custom("cipher-suites", ""),
				custom("named-groups", ""),
				custom("user-agent", " "),
				custom("headers.user-agent", "partner-client/2.1").reports(CUSTOM + "headers.user-agent", "******"),
				custom("expected-ja4", "chrome"),
				custom("target.ja4", "t13d1516h2_8daaf6152771_d8a2da3f94cd").reports(CUSTOM + "target.client", "null"),
				custom("target.client", "Chrome").reports(CUSTOM + "target.version", "null"),
				custom("target.version", "133").reports(CUSTOM + "target.client", "null"),
				custom("target.ja4", "chrome", CUSTOM + "target.client=Chrome", CUSTOM + "target.version=133"),
				custom("difference", " "),
				// custom TLS profiles: values the stack knows but cannot send, refused in strict mode
				custom("versions", "TLSv1.3,TLSv1.1", "hotconnpool.tls.strict=true").reports(CUSTOM + "versions[1]",
						"TLSv1.1"),
				custom("alpn", "h2", "hotconnpool.tls.strict=true"),
				custom("cipher-suites", "TLS_AES_256_GCM_SHA384,TLS_AES_128_GCM_SHA256,TLS_CHACHA20_POLY1305_SHA256",
						"hotconnpool.tls.strict=true"),
				// Spring HTTP clients
				invalid("hotconnpool.http.other-hosts", "sometimes"),
				invalid("hotconnpool.http.rest-client.enabled", "maybe"),
				invalid("hotconnpool.http.factory-builder.enabled", "maybe"),
				// metrics
				invalid("hotconnpool.metrics.ip-tag", "maybe"),
				// HTTP/2 streams and pings
				invalid("hotconnpool.http2.max-streams-per-connection", "0"),
				invalid("hotconnpool.http2.max-streams-per-connection", "many"),
				invalid("hotconnpool.http2.ping-interval", "-1s"),
				invalid("hotconnpool.http2.ping-interval", "10ms"),
				invalid("hotconnpool.http2.ping-interval", "25d"),
				// fleet mode
				invalid("hotconnpool.fleet.enabled", "maybe"),
				fleet("prefix", ""),
				fleet("prefix", "my app"),
				fleet("instance-id", "pod 1"),
				fleet("command-timeout", "0ms"),
				fleet("queue-capacity", "0"),
				fleet("reprobe-lock", "500us"),
				fleet("heartbeat-interval", "-1s"),
				fleet("heartbeat-interval", "25d"),
				// host entries: name and port
				invalid(HOST + "host", "", HOST + "port=443"),
				new Invalid(HOST + "host", "null", List.of(HOST + "port=443")),
				invalid(HOST + "host", "https://api.example.com/v1"),
				invalid(HOST + "host", "api_example.com"),
				invalid(HOST + "host", "api.example.com:70000"),
				invalid("hotconnpool.hosts[1].host", "api.example.com:https", "hotconnpool.hosts[0].host=a.test"),
				invalid("hotconnpool.hosts[2].host", "API.example.com:443", "hotconnpool.hosts[0].host=api.example.com",
						"hotconnpool.hosts[1].host=api.example.com:8443"),
				host("port", "0"),
				host("port", "65536"),
				host("port", "https"),
				invalid(HOST + "port", "443", HOST + "host=api.example.com:8443"),
				// host entries: addresses and DNS
				host("addresses", "300.1.1.1").reports(HOST + "addresses[0]", "300.1.1.1"),
				host("addresses", "127.0.0.1,localhost").reports(HOST + "addresses[1]", "localhost"),
				host("addresses", "zz::1").reports(HOST + "addresses[0]", "zz::1"),
				host("dns-enabled", "false"),
				host("dns-enabled", "maybe"),
				// host entries: sizes, probes, statuses, TLS
				host("connections-per-ip", "0"),
				host("connections-per-ip", "5", HOST + "max-connections=4"),
				host("max-connections", "-3"),
				host("max-connections", "1"),
				invalid("hotconnpool.hosts[1].connections-per-ip", "0", "hotconnpool.hosts[0].host=a.test",
						"hotconnpool.hosts[1].host=b.test"),
				host("blacklist-statuses", "403,abc"),
				host("probe.method", "DELETE"),
				host("probe.path", "status"),
				host("probe.success-statuses", "7xx"),
				host("probe.success-statuses", ""),
				host("tls.bundle", "missing", HotConnPoolAutoConfigurationTests.TEST_CA_BUNDLE),
				host("tls.profile", "edge"),
				host("tls.profile", "mine"));
	}

	@ParameterizedTest
	@MethodSource("rows")
	void failsStartUpWithAReportNamingThePropertyAndTheValue(Invalid invalid) {
		this.runner.withPropertyValues(invalid.settings().toArray(String[]::new)).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = analyze(context.getStartupFailure(), environment(invalid.settings()));
			assertThat(analysis).as("a failure analyzer reports %s", context.getStartupFailure()).isNotNull();
			if (analysis.getCause() instanceof InvalidConfigurationPropertyValueException) {
				assertThat(analysis.getDescription()).as("Spring Boot's invalid value report")
					.startsWith("Invalid value '" + invalid.value() + "' for configuration property '"
							+ invalid.property() + "'")
					.contains("Validation failed for the following reason:")
					.contains("Expected ");
			}
			else {
				assertThat(analysis.getDescription()).contains("Property: " + invalid.property() + "\n")
					.contains("Value: \"" + invalid.value() + "\"");
				if (analysis.getCause() instanceof InvalidSettingException) {
					assertThat(analysis.getDescription()).contains("Reason: expected ");
					assertThat(analysis.getAction())
						.startsWith("Update " + invalid.property() + " in your application's");
				}
				else {
					assertThat(analysis.getDescription()).as("Spring Boot's binding report")
						.startsWith("Failed to bind");
				}
			}
		});
	}

	@Test
	void everyPropertyHasARow() {
		List<Invalid> rows = rows().toList();
		Set<String> withoutRow = new TreeSet<>();
		for (String property : properties()) {
			Pattern pattern = pattern(property);
			if (rows.stream().noneMatch((row) -> pattern.matcher(row.property()).matches())) {
				withoutRow.add(property);
			}
		}
		assertThat(withoutRow).as("properties without a row in rows(): add one with an invalid value").isEmpty();
	}

	@Test
	void everyRowNamesAProperty() {
		List<Pattern> properties = properties().stream().map(InvalidPropertiesTests::pattern).toList();
		assertThat(rows().map(Invalid::property))
			.as("rows naming no property of HotConnPoolConfig")
			.filteredOn((row) -> properties.stream().noneMatch((property) -> property.matcher(row).matches()))
			.isEmpty();
	}

	/** What a start-up failure shows: the first report of the failure analyzers in spring.factories, in order. */
	private static FailureAnalysis analyze(Throwable failure, Environment environment) {
		ArgumentResolver arguments = ArgumentResolver.of(BeanFactory.class, new DefaultListableBeanFactory())
			.and(Environment.class, environment);
		// As Spring Boot does: an analyzer that cannot load here (Bean Validation is absent) is skipped.
		return SpringFactoriesLoader.forDefaultResourceLocation(InvalidPropertiesTests.class.getClassLoader())
			.load(FailureAnalyzer.class, arguments, FailureHandler.handleMessage((message, cause) -> {
			}))
			.stream()
			.map((analyzer) -> analyzer.analyze(failure))
			.filter(Objects::nonNull)
			.findFirst()
			.orElse(null);
	}

	private static MockEnvironment environment(List<String> settings) {
		MockEnvironment environment = new MockEnvironment();
		for (String setting : settings) {
			int equals = setting.indexOf('=');
			environment.setProperty(setting.substring(0, equals), setting.substring(equals + 1));
		}
		return environment;
	}

	/**
	 * Every property of {@link HotConnPoolConfig}, by bean introspection: nested groups and list entries are
	 * walked ({@code hotconnpool.hosts[0].port}), map values too ({@code ...custom.*.field}).
	 */
	static Set<String> properties() {
		Set<String> properties = new TreeSet<>();
		walk("hotconnpool", HotConnPoolConfig.class, properties);
		walk("hotconnpool.fleet", FleetProperties.class, properties);
		return properties;
	}

	private static void walk(String prefix, Class<?> type, Set<String> properties) {
		if (type.isRecord()) {
			for (RecordComponent component : type.getRecordComponents()) {
				walk(prefix + "." + DataObjectPropertyName.toDashedForm(component.getName()),
						ResolvableType.forMethodReturnType(component.getAccessor()), true, properties);
			}
			return;
		}
		for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(type)) {
			if (!isBound(descriptor)) {
				continue;
			}
			walk(prefix + "." + DataObjectPropertyName.toDashedForm(descriptor.getName()),
					ResolvableType.forMethodReturnType(descriptor.getReadMethod()),
					descriptor.getWriteMethod() != null, properties);
		}
	}

	/** One property: a group, list or map of groups is walked; anything else bound is a property. */
	private static void walk(String name, ResolvableType propertyType, boolean settable, Set<String> properties) {
		Class<?> raw = propertyType.toClass();
		if (isGroup(raw)) {
			walk(name, raw, properties);
		}
		else if (Collection.class.isAssignableFrom(raw) && isGroup(propertyType.getGeneric(0).toClass())) {
			walk(name + "[0]", propertyType.getGeneric(0).toClass(), properties);
		}
		else if (Map.class.isAssignableFrom(raw) && isGroup(propertyType.getGeneric(1).toClass())) {
			walk(name + ".*", propertyType.getGeneric(1).toClass(), properties);
		}
		else if (settable || Collection.class.isAssignableFrom(raw) || Map.class.isAssignableFrom(raw)) {
			properties.add(name);
		}
	}

	/** As Spring Boot's binder sees JavaBeans: getters named get or is; record-style accessors are not bound. */
	private static boolean isBound(PropertyDescriptor descriptor) {
		String getter = (descriptor.getReadMethod() != null) ? descriptor.getReadMethod().getName() : "";
		return (getter.startsWith("get") || getter.startsWith("is")) && !descriptor.getName().equals("class");
	}

	private static boolean isGroup(Class<?> type) {
		return type.getName().startsWith("io.hotconnpool.") && !type.isEnum();
	}

	/**
	 * A property as a pattern: any list index for {@code [0]}, any map key for {@code *}, and an optional index or
	 * key at the end, where a list's or a map's entry is reported ({@code addresses[1]}, {@code headers.accept}).
	 */
	private static Pattern pattern(String property) {
		String quoted = Pattern.quote(property)
			.replace("[0]", "\\E\\[\\d+\\]\\Q")
			.replace(".*.", "\\E\\.[^.\\[\\]]+\\.\\Q");
		return Pattern.compile(quoted + "(\\[\\d+\\]|\\.[^.\\[\\]]+)?");
	}

	/** A pool-wide row: {@code property=value} after the other settings. */
	static Invalid invalid(String property, String value, String... others) {
		List<String> settings = new ArrayList<>(List.of(others));
		settings.add(property + "=" + value);
		return new Invalid(property, value, settings);
	}

	/** A row for the first host entry, {@code a.test}: {@code hotconnpool.hosts[0].field=value}. */
	static Invalid host(String field, String value, String... others) {
		List<String> settings = new ArrayList<>(List.of(HOST + "host=a.test"));
		settings.addAll(List.of(others));
		return invalid(HOST + field, value, settings.toArray(String[]::new));
	}

	/** A row for fleet mode, switched on: {@code hotconnpool.fleet.field=value}. */
	static Invalid fleet(String field, String value) {
		return invalid("hotconnpool.fleet." + field, value, "hotconnpool.fleet.enabled=true");
	}

	/** A row for the custom TLS profile {@code mine}: {@code hotconnpool.tls.custom-profiles.mine.field=value}. */
	static Invalid custom(String field, String value, String... others) {
		return invalid(CUSTOM + field, value, others);
	}

	/**
	 * One invalid configuration.
	 * @param property the property the report must name
	 * @param value the value the report must show
	 * @param settings the properties to start with
	 */
	record Invalid(String property, String value, List<String> settings) {

		/** The report names another property or value than the one set (a default, a list entry). */
		Invalid reports(String reportedProperty, String reportedValue) {
			return new Invalid(reportedProperty, reportedValue, this.settings);
		}

		@Override
		public String toString() {
			return this.property + " <- " + String.join(", ", this.settings);
		}

	}

}
