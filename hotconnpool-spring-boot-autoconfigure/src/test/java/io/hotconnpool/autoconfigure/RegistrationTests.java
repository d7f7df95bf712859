package io.hotconnpool.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.hotconnpool.tls.TlsProfile;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.env.Environment;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar's registrations and the configuration metadata the processor generates.
 */
class RegistrationTests {

	private static final Path METADATA = Path.of("target/classes/META-INF/spring-configuration-metadata.json");

	@Test
	void autoConfigurationsAreRegistered() {
		List<String> candidates = ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader())
			.getCandidates();
		assertThat(candidates).contains(HotConnPoolAutoConfiguration.class.getName(),
				HotConnPoolRestClientAutoConfiguration.class.getName());
	}

	@Test
	void failureAnalyzersAreRegistered() {
		ArgumentResolver arguments = ArgumentResolver.of(Environment.class, new MockEnvironment())
			.and(BeanFactory.class, new DefaultListableBeanFactory());
		// As Spring Boot does: analyzers of other jars may miss optional classes here.
		FailureHandler skipUnloadable = FailureHandler.handleMessage((message, failure) -> {
		});
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, arguments, skipUnloadable);
		assertThat(analyzers).hasAtLeastOneElementOfType(InvalidSettingFailureAnalyzer.class)
			.hasAtLeastOneElementOfType(TlsProviderUnavailableFailureAnalyzer.class)
			.hasAtLeastOneElementOfType(UnsupportedTlsProfileFailureAnalyzer.class);
	}

	@Test
	void everyPropertyHasADescription() throws IOException {
		String json = Files.readString(METADATA);
		List<Map<String, Object>> properties = JsonPath.read(json, "$.properties[?(@.name =~ /hotconnpool\\..*/)]");
		assertThat(properties).extracting((property) -> property.get("name"))
			.contains("hotconnpool.enabled", "hotconnpool.connections-per-ip", "hotconnpool.max-connections-per-host",
					"hotconnpool.acquire-timeout", "hotconnpool.connect-timeout", "hotconnpool.tls-handshake-timeout",
					"hotconnpool.read-timeout", "hotconnpool.write-timeout", "hotconnpool.call-timeout",
					"hotconnpool.probe-timeout", "hotconnpool.resolve-timeout", "hotconnpool.warm-up.timeout",
					"hotconnpool.warm-up.concurrency", "hotconnpool.max-hosts", "hotconnpool.unknown-hosts",
					"hotconnpool.probe.method", "hotconnpool.probe.path", "hotconnpool.probe.success-statuses",
					"hotconnpool.blacklist-statuses", "hotconnpool.tls.bundle", "hotconnpool.tls.allow-jdk-fallback",
					"hotconnpool.tls.profile", "hotconnpool.tls.custom-profiles", "hotconnpool.tls.strict",
					"hotconnpool.tls.self-test", "hotconnpool.hosts", "hotconnpool.shutdown.drain-timeout",
					"hotconnpool.http.other-hosts", "hotconnpool.http.rest-client.enabled");
		assertThat(properties).allSatisfy((property) -> assertThat((String) property.get("description"))
			.as("description of %s", property.get("name"))
			.isNotBlank());
	}

	@Test
	void metadataCarriesHintsAndTheHealthSwitch() throws IOException {
		String json = Files.readString(METADATA);
		List<String> profiles = JsonPath.read(json, "$.hints[?(@.name == 'hotconnpool.tls.profile')].values[*].value");
		assertThat(profiles).containsExactlyElementsOf(TlsProfile.builtInIds());
		List<String> profileProviders = JsonPath.read(json,
				"$.hints[?(@.name == 'hotconnpool.tls.profile')].providers[*].name");
		assertThat(profileProviders).as("custom profile ids are valid values too").containsExactly("any");
		List<String> methods = JsonPath.read(json, "$.hints[?(@.name == 'hotconnpool.probe.method')].values[*].value");
		assertThat(methods).containsExactly("HEAD", "GET", "OPTIONS");
		List<String> unknownHosts = JsonPath.read(json,
				"$.hints[?(@.name == 'hotconnpool.unknown-hosts')].values[*].value");
		assertThat(unknownHosts).containsExactly("warm-on-first-use", "refuse");
		List<String> health = JsonPath.read(json,
				"$.properties[?(@.name == 'management.health.hotconnpool.enabled')].description");
		assertThat(health).singleElement().asString().isNotBlank();
	}

}
