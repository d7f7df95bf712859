package io.hotconnpool.pool;

import java.time.Duration;
import java.util.function.Consumer;

import io.hotconnpool.test.LoopbackTlsOrigins;
import io.hotconnpool.tls.TlsSelfTest;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A host's TLS profile shapes its connections (headers match the ClientHello), and start-up captures the pool's
 * own ClientHello per profile in use.
 */
class TlsProfileWiringTests {

	/** A host of {@code connectionsPerIp} connections per IP over the TLS profiles listed, in turn. */
	private static Consumer<HostConfig> withProfiles(int connectionsPerIp, String profiles) {
		return (host) -> {
			host.setConnectionsPerIp(connectionsPerIp);
			host.getTls().setProfile(profiles);
		};
	}

	@Test
	void aHostsProfileReachesTheWireAndTheSelfTestReportsItsFingerprint() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1);
				HotConnPool pool = origins.pool(origins.config(withProfiles(1, "chrome")))) {
			pool.start();

			RecordedRequest probe = origins.origin(0).takeRequest(Duration.ofSeconds(5));
			assertThat(probe.getHeaders().get("User-Agent")).contains("Chrome/");
			// The pool-wide okhttp profile first: a host warmed on first use takes it.
			assertThat(pool.tlsSelfTests()).extracting(TlsSelfTest.Result::profileId).containsExactly("okhttp", "chrome");
			assertThat(pool.tlsSelfTests().get(1)).satisfies((result) -> {
				assertThat(result.matches()).as("achieved JA4 %s", result.achieved()).isTrue();
				assertThat(result.achieved().ja4()).contains("_8daaf6152771_");
			});
		}
	}

	@Test
	void profilesRotatePerConnectionAndEachConnectionsHeadersMatchItsOwnClientHello() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(2);
				HotConnPool pool = origins.pool(origins.config(withProfiles(2, "chrome,firefox")))) {
			pool.start();

			assertThat(pool.stats().hosts().get(0).connections()).extracting(ConnectionStats::tlsProfile)
				.containsExactlyInAnyOrder("chrome", "firefox", "chrome", "firefox");
			for (int i = 0; i < 4; i++) {
				try (Lease lease = pool.acquire(origins.target());
						okhttp3.Response response = lease.execute(
								new okhttp3.Request.Builder().url("https://" + origins.target() + "/ua").build())) {
					assertThat(response.code()).isEqualTo(200);
					String userAgent = response.request().header("User-Agent");
					if (lease.stats().tlsProfile().equals("firefox")) {
						assertThat(userAgent).contains("Firefox/");
					}
					else {
						assertThat(userAgent).contains("Chrome/");
					}
				}
			}
			assertThat(pool.tlsSelfTests()).extracting(TlsSelfTest.Result::profileId)
				.containsExactly("okhttp", "chrome", "firefox");
			assertThat(pool.stats().tlsSelfTests()).isEqualTo(pool.tlsSelfTests());
		}
	}

	@Test
	void withUnknownHostsRefusedOnlyTheHostsProfilesAreSelfTested() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1);
				HotConnPool pool = origins.pool(origins.config(withProfiles(1, "firefox"),
						(config) -> config.setUnknownHosts(UnknownHostPolicy.REFUSE)))) {
			pool.start();
			assertThat(pool.stats().tlsSelfTests()).extracting(TlsSelfTest.Result::profileId).containsExactly("firefox");
		}
	}

	@Test
	void theSelfTestCanBeSwitchedOff() throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1);
				HotConnPool pool = origins.pool(origins.config((host) -> {
				}, (config) -> config.getTls().setSelfTest(false)))) {
			pool.start();
			assertThat(pool.tlsSelfTests()).isEmpty();
		}
	}

}
