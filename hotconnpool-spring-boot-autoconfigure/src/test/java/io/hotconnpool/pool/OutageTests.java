package io.hotconnpool.pool;

import java.time.Duration;

import io.hotconnpool.test.LoopbackTlsOrigins;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Every IP of a host goes down, then one comes back: acquires fail clearly as {@code blacklist.all-blacklisted}
 * says while none answers, and the one that returns is re-warmed within its blacklist TTL plus one blacklist check.
 */
class OutageTests {

	private static final Duration TTL = Duration.ofSeconds(1);

	private static final Duration CHECK_INTERVAL = Duration.ofMillis(200);

	private static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(2);

	@ParameterizedTest
	@EnumSource(AllBlacklistedPolicy.class)
	void everyIpDownThenOneBack(AllBlacklistedPolicy policy) throws Exception {
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(3);
				HotConnPool pool = origins.pool(origins.config((host) -> host.setConnectionsPerIp(1), (config) -> {
						config.setAcquireTimeout(ACQUIRE_TIMEOUT);
						config.setHealthCheckInterval(Duration.ofMillis(200));
						config.setHealthCheckIdleThreshold(Duration.ofMillis(100));
						config.getBlacklist().setFailureThreshold(2);
						config.getBlacklist().setTtl(TTL);
						config.getBlacklist().setCheckInterval(CHECK_INTERVAL);
						config.getBlacklist().setAllBlacklisted(policy);
					}))) {
			pool.start();
			Request get = new Request.Builder().url("https://" + origins.target() + "/").build();

			origins.all().forEach(LoopbackTlsOrigins.Origin::close);
			long down = System.nanoTime();
			await().atMost(Duration.ofSeconds(15)).until(() -> host(pool).blacklisted().size() == 3);
			Duration allBlacklisted = Duration.ofNanos(System.nanoTime() - down);

			long start = System.nanoTime();
			if (policy == AllBlacklistedPolicy.FAIL) {
				assertThatExceptionOfType(HostUnavailableException.class).isThrownBy(() -> pool.execute(get).close())
					.withMessageContaining("Every IP of " + origins.target() + " is blacklisted")
					.withMessageContaining("127.0.0.2")
					.withMessageContaining("consecutive failures");
				assertThat(Duration.ofNanos(System.nanoTime() - start)).as("without waiting for a connection")
					.isLessThan(ACQUIRE_TIMEOUT);
			}
			else {
				assertThatExceptionOfType(AcquireTimeoutException.class).isThrownBy(() -> pool.execute(get).close())
					.withMessageContaining("last connection failure");
			}
			Duration refused = Duration.ofNanos(System.nanoTime() - start);

			LoopbackTlsOrigins.Origin back = origins.origin(1);
			back.restart();
			long returned = System.nanoTime();
			await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(host(pool).connections())
				.filteredOn((c) -> c.ip().equals(back.ip()) && c.state() == ConnectionState.IDLE)
				.hasSize(1));
			Duration recovered = Duration.ofNanos(System.nanoTime() - returned);

			for (int i = 0; i < 6; i++) {
				try (Lease lease = pool.acquire(origins.target()); Response response = lease.execute(get)) {
					assertThat(response.code()).isEqualTo(200);
					assertThat(lease.ip().getHostAddress()).isEqualTo(back.ip());
				}
			}
			assertThat(host(pool).blacklisted()).extracting(BlacklistedIp::ip)
				.as("the IPs still down stay aside")
				.containsExactlyInAnyOrder("127.0.0.2", "127.0.0.4");
			assertThat(recovered).as("within the TTL and one blacklist check, with a margin")
				.isLessThan(TTL.plus(CHECK_INTERVAL).plusSeconds(5));
			Reliability.report("every IP down, then one back (" + policy + ")", "all blacklisted after "
					+ allBlacklisted.toMillis() + " ms; an acquire meanwhile failed after " + refused.toMillis()
					+ " ms; the returning IP served again " + recovered.toMillis() + " ms after it came back");
		}
	}

	private static HostStats host(HotConnPool pool) {
		return pool.stats().hosts().get(0);
	}

}
