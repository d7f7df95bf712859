package io.hotconnpool.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.hotconnpool.test.LoopbackTlsOrigins;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Probes that fail in unusual ways: whatever becomes of a probe, its connection is retired or joins the pool, and
 * the IP is judged only by what the probe learned of it.
 */
class ProbeFailureTests {

	private static final Duration WITHIN = Duration.ofSeconds(15);

	@ParameterizedTest
	@EnumSource(value = Protocol.class, names = { "HTTP_1_1", "HTTP_2" })
	void aProbeThatThrowsFromTheUsersClientRetiresItsConnection(Protocol protocol) throws Exception {
		// An auth interceptor of the client customizer, while its token service is down.
		AtomicBoolean tokenServiceDown = new AtomicBoolean();
		List<Protocol> offered = (protocol == Protocol.HTTP_2) ? List.of(Protocol.HTTP_2, Protocol.HTTP_1_1)
				: List.of(Protocol.HTTP_1_1);
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1, offered);
				HotConnPool pool = HotConnPool.builder(origins.configWithFastMaintenance(
						(host) -> host.setConnectionsPerIp(1),
						(config) -> config.getBlacklist().setFailureThreshold(1000)))
					.resolver(origins.resolver())
					.clientCustomizer((builder) -> builder.addInterceptor((chain) -> {
						if (tokenServiceDown.get()) {
							throw new IllegalStateException("token service down");
						}
						return chain.proceed(chain.request());
					}))
					.build()) {
			pool.start();
			assertThat(host(pool).idle()).isEqualTo(1);

			tokenServiceDown.set(true);
			// Health probes, then the warm-up probes of replacements, throw: each connection is retired and closed.
			await().atMost(WITHIN).until(() -> pool.stats().retiredByReason().getOrDefault(RetireReason.BROKEN, 0L) >= 2);
			assertThat(host(pool).failing()).singleElement()
				.satisfies((failing) -> assertThat(failing.lastFailure()).contains("token service down"));

			tokenServiceDown.set(false);
			await().atMost(WITHIN).untilAsserted(() -> {
				HostStats host = host(pool);
				assertThat(host.idle()).as("warm again").isEqualTo(1);
				assertThat(host.total()).as("nothing stranded warming, reserved or draining").isEqualTo(1);
				assertThat(host.draining()).isEmpty();
			});
			try (Response response = pool.execute(new Request.Builder().url("https://" + origins.target() + "/").build())) {
				assertThat(response.code()).isEqualTo(200);
			}
		}
	}

	@Test
	void aProbeCancelledByAForceCleanupIsNoFailureOfItsIp() throws Exception {
		AtomicBoolean holdProbes = new AtomicBoolean();
		CountDownLatch probeArrived = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		AtomicInteger failedProbes = new AtomicInteger();
		List<String> blacklisted = new CopyOnWriteArrayList<>();
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1);
				HotConnPool pool = HotConnPool.builder(origins.configWithFastMaintenance(
						(host) -> host.setConnectionsPerIp(1),
						(config) -> config.getBlacklist().setFailureThreshold(1)))
					.resolver(origins.resolver())
					.listener(new HotConnPoolListener() {

						@Override
						public void probeEnded(String host, String ip, long nanos, boolean healthy) {
							if (!healthy) {
								failedProbes.incrementAndGet();
							}
						}

						@Override
						public void ipBlacklisted(String host, String ip, String reason, Instant until, String source) {
							blacklisted.add(ip + ": " + reason);
						}

					})
					.build()) {
			origins.origin(0).answer((request) -> {
				if (request.getMethod().equals("HEAD") && holdProbes.get()) {
					probeArrived.countDown();
					try {
						release.await(WITHIN.toSeconds(), TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}
				return LoopbackTlsOrigins.Origin.ok(request);
			});
			pool.start();
			holdProbes.set(true);
			try {
				// A health probe is under way when an operator forces a clean-up, which cancels it.
				assertThat(probeArrived.await(WITHIN.toSeconds(), TimeUnit.SECONDS)).as("a health probe").isTrue();
				holdProbes.set(false);
				pool.forceCleanup();
				await().atMost(WITHIN).until(() -> failedProbes.get() >= 1);
			}
			finally {
				release.countDown();
			}

			// The failed probe's outcome was applied before its end was reported.
			assertThat(blacklisted).as("blacklistings at a threshold of 1").isEmpty();
			assertThat(host(pool).failing()).isEmpty();
			await().atMost(WITHIN).until(() -> host(pool).idle() == 1);
			try (Response response = pool.execute(new Request.Builder().url("https://" + origins.target() + "/").build())) {
				assertThat(response.code()).isEqualTo(200);
			}
		}
	}

	private static HostStats host(HotConnPool pool) {
		return pool.stats().hosts().get(0);
	}

}
