package io.hotconnpool.autoconfigure;

import java.lang.reflect.Constructor;

import io.hotconnpool.tls.TlsProviderUnavailableException;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TlsProviderUnavailableFailureAnalyzer}.
 */
class TlsProviderUnavailableFailureAnalyzerTests {

	@Test
	void namesThePlatformAndEveryWayOut() throws Exception {
		UnsatisfiedLinkError linkError = new UnsatisfiedLinkError("no conscrypt_openjdk_jni in java.library.path");
		Throwable failure = new BeanCreationException("hotConnPool", "Failed to instantiate", unavailable(linkError));

		FailureAnalysis analysis = new TlsProviderUnavailableFailureAnalyzer().analyze(failure);

		assertThat(analysis).isNotNull();
		assertThat(analysis.getDescription()).contains("could not load Conscrypt")
			.contains("Platform: " + System.getProperty("os.name") + " " + System.getProperty("os.arch"))
			.contains("Temporary directory: " + System.getProperty("java.io.tmpdir"))
			.contains("no conscrypt_openjdk_jni in java.library.path");
		assertThat(analysis.getAction()).contains("glibc 2.14")
			.contains("musl")
			.contains("-Dorg.conscrypt.native.workdir=")
			.contains("hotconnpool.tls.allow-jdk-fallback=true");
	}

	/** The exception's constructor is package-private: only {@code TlsContext} throws it. */
	private static TlsProviderUnavailableException unavailable(Throwable cause) throws Exception {
		Constructor<TlsProviderUnavailableException> constructor = TlsProviderUnavailableException.class
			.getDeclaredConstructor(Throwable.class);
		constructor.setAccessible(true);
		return constructor.newInstance(cause);
	}

}
