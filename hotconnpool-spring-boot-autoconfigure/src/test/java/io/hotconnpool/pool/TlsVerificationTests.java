package io.hotconnpool.pool;

import java.time.Duration;

import io.hotconnpool.test.LoopbackTlsOrigins;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Certificate and host-name verification are always on, also for a connection pinned to an IP.
 */
class TlsVerificationTests {

	@Test
	void aCertificateFromAnUntrustedCaIsRefused() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1);
				HotConnPool pool = origins.pool(origins.config((host) -> host.setConnectionsPerIp(1),
						(config) -> config.getTls()
							.useMaterial(new TlsMaterial(LoopbackTlsOrigins.unrelatedTrustStore(), null))))) {
			pool.start();

			assertThat(pool.stats().idleConnections()).isZero();
			assertThat(pool.stats().retiredByReason()).containsEntry(RetireReason.BROKEN, 1L);
			assertThatExceptionOfType(AcquireTimeoutException.class)
				.isThrownBy(() -> pool.acquire(origins.target(), Duration.ofMillis(300)))
				.withMessageContaining("SSLHandshakeException");
		}
	}

	@Test
	void aCertificateForAnotherHostOnThePinnedIpIsRefused() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.startWithCertificateFor("other.test", 1);
				HotConnPool pool = origins.pool(origins.config((host) -> host.setConnectionsPerIp(1)))) {
			pool.start();

			assertThat(pool.stats().idleConnections()).isZero();
			assertThatExceptionOfType(AcquireTimeoutException.class)
				.isThrownBy(() -> pool.acquire(origins.target(), Duration.ofMillis(300)))
				.withMessageContaining("Hostname origin.test not verified");
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "okhttp", "jdk", "chrome" })
	void aClientCustomizerCannotSwitchHostNameVerificationOff(String profile) throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.startWithCertificateFor("other.test", 1);
				HotConnPool pool = HotConnPool.builder(origins.config((host) -> {
					host.setConnectionsPerIp(1);
					host.getTls().setProfile(profile);
				}))
					.resolver(origins.resolver())
					.clientCustomizer((builder) -> builder.hostnameVerifier((host, session) -> true))
					.build()) {
			pool.start();

			assertThat(pool.stats().idleConnections()).isZero();
			assertThatExceptionOfType(AcquireTimeoutException.class)
				.isThrownBy(() -> pool.acquire(origins.target(), Duration.ofMillis(300)))
				.withMessageContaining("not verified");
			assertThat(origins.origin(0).requests()).as("no request reached the impostor").isZero();
		}
	}

	@Test
	void theTlsProviderIsAPrivateConscryptInstance() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1);
				HotConnPool pool = origins.pool(origins.config((host) -> {
					}))) {
			assertThat(pool.tlsProvider()).isEqualTo("Conscrypt");
			assertThat(java.security.Security.getProvider("Conscrypt")).as("no JVM-global provider installed").isNull();
		}
	}

}
