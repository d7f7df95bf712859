package io.hotconnpool.autoconfigure;

import io.hotconnpool.actuate.HotConnPoolHealthIndicator;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HotConnPoolRuntimeHints}.
 */
class HotConnPoolRuntimeHintsTests {

	@Test
	void isRegisteredInAotFactories() {
		assertThat(SpringFactoriesLoader.forResourceLocation("META-INF/spring/aot.factories")
			.load(RuntimeHintsRegistrar.class)).hasAtLeastOneElementOfType(HotConnPoolRuntimeHints.class);
	}

	@Test
	void registersHealthDetailsAndConscryptsNativeLibraries() {
		RuntimeHints hints = new RuntimeHints();
		new HotConnPoolRuntimeHints().registerHints(hints, getClass().getClassLoader());

		assertThat(RuntimeHintsPredicates.reflection().onType(HotConnPoolHealthIndicator.HostHealth.class))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.resource().forResource("META-INF/native/libconscrypt_openjdk_jni-linux-x86_64.so"))
			.accepts(hints);
		assertThat(getClass().getClassLoader().getResource("META-INF/native/libconscrypt_openjdk_jni-linux-x86_64.so"))
			.as("the pattern matches Conscrypt's jar").isNotNull();
	}

}
