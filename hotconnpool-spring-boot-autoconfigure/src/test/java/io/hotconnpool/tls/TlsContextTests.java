package io.hotconnpool.tls;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Conscrypt that cannot load fails start-up clearly, unless the JDK fallback is allowed.
 */
class TlsContextTests {

	private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

	@Test
	void conscryptIsUsedWhereItLoads() {
		TlsContext context = TlsContext.create(null, null, HANDSHAKE_TIMEOUT, false);
		assertThat(context.providerName()).isEqualTo("Conscrypt");
		assertThat(context.trustManager().getAcceptedIssuers()).as("system trust store").isNotEmpty();
	}

	@Test
	void conscryptThatCannotLoadFailsNamingTheFallbackSetting() {
		assertThatExceptionOfType(TlsProviderUnavailableException.class)
			.isThrownBy(() -> TlsContext.create(null, null, HANDSHAKE_TIMEOUT, false, TlsContextTests::unloadable))
			.withMessageContaining("Conscrypt")
			.withMessageContaining("no conscrypt_openjdk_jni in java.library.path")
			.withMessageContaining("hotconnpool.tls.allow-jdk-fallback=true")
			.withMessageContaining("org.conscrypt.native.workdir");
	}

	@Test
	void theJdkFallbackIsUsedOnlyWhenAllowed() {
		TlsContext context = TlsContext.create(null, null, HANDSHAKE_TIMEOUT, true, TlsContextTests::unloadable);
		assertThat(context.providerName()).isNotEqualTo("Conscrypt");
	}

	private static java.security.Provider unloadable() {
		throw new UnsatisfiedLinkError("no conscrypt_openjdk_jni in java.library.path");
	}

}
