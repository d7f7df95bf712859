package io.hotconnpool.pool;

import java.time.Duration;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Settings: defaults, per-host overrides, and a clear error naming the setting for each bad value.
 */
class HotConnPoolSettingsTest {

	@Test
	void hostsInheritTheDefaultsAndKeepTheirOverrides() {
		HotConnPoolSettings settings = HotConnPoolSettings.builder()
			.hostDefaults((host) -> host.connectionsPerIp(3))
			.host("API.Example.com")
			.host("cdn.example.com:8443", (host) -> host.connectionsPerIp(1).maxConnections(4).probe("GET", "/health"))
			.build();

		HostSettings api = settings.hosts().get(0);
		assertThat(api.host()).isEqualTo("api.example.com");
		assertThat(api.port()).isEqualTo(443);
		assertThat(api.connectionsPerIp()).isEqualTo(3);
		assertThat(api.maxConnections()).isEqualTo(16);
		assertThat(api.probeMethod()).isEqualTo("HEAD");
		assertThat(api.probeSuccessStatuses().contains(204)).isTrue();
		assertThat(api.probeSuccessStatuses().contains(404)).isFalse();
		assertThat(api.blacklistStatuses()).isEqualTo(StatusSet.of("403", "429"));
		HostSettings cdn = settings.hosts().get(1);
		assertThat(cdn.port()).isEqualTo(8443);
		assertThat(cdn.connectionsPerIp()).isEqualTo(1);
		assertThat(cdn.warmTarget(6)).as("warm target capped by the maximum").isEqualTo(4);
		assertThat(cdn.probePath()).isEqualTo("/health");
		assertThat(settings.acquireTimeout()).isEqualTo(Duration.ofSeconds(5));
	}

	@ParameterizedTest
	@ValueSource(strings = { "https://api.example.com", "api.example.com/path", "user@api.example.com", "",
			"api.example.com:https" })
	void aMalformedTargetIsRefused(String target) {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> HotConnPoolSettings.builder().host(target))
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo("hotconnpool.hosts"));
	}

	@Test
	void aDuplicateHostIsRefused() {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> HotConnPoolSettings.builder().host("a.example.com").host("A.example.com:443"))
			.withMessageContaining("a.example.com:443 is listed twice");
	}

	@Test
	void eachBadValueNamesItsSetting() {
		assertRefused((b) -> b.acquireTimeout(Duration.ZERO), "hotconnpool.acquire-timeout");
		assertRefused((b) -> b.connectTimeout(Duration.ofSeconds(-1)), "hotconnpool.connect-timeout");
		assertRefused((b) -> b.tlsHandshakeTimeout(null), "hotconnpool.tls-handshake-timeout");
		assertRefused((b) -> b.probeTimeout(Duration.ZERO), "hotconnpool.probe-timeout");
		assertRefused((b) -> b.warmUpConcurrency(0), "hotconnpool.warm-up.concurrency");
		assertRefused((b) -> b.maxHosts(0), "hotconnpool.max-hosts");
		assertRefused((b) -> b.host("x.example.com", (h) -> h.connectionsPerIp(0)),
				"hotconnpool.hosts[x.example.com].connections-per-ip");
		assertRefused((b) -> b.host("x.example.com", (h) -> h.maxConnections(-3)),
				"hotconnpool.hosts[x.example.com].max-connections");
		assertRefused((b) -> b.host("x.example.com", (h) -> h.probe("HEAD", "health")),
				"hotconnpool.hosts[x.example.com].probe.path");
		assertRefused((b) -> b.host("x.example.com", (h) -> h.probe("POST", "/")),
				"hotconnpool.hosts[x.example.com].probe.method");
		assertRefused((b) -> b.host("x.example.com", (h) -> h.dnsEnabled(false)),
				"hotconnpool.hosts[x.example.com].dns-enabled");
		assertRefused((b) -> b.host("bad_host.example.com"), "hotconnpool.hosts[bad_host.example.com].host");
	}

	private static void assertRefused(UnaryOperator<HotConnPoolSettings.Builder> change, String setting) {
		assertThatExceptionOfType(InvalidSettingException.class)
			.isThrownBy(() -> change.apply(HotConnPoolSettings.builder()).build())
			.satisfies((ex) -> {
				assertThat(ex.getSetting()).isEqualTo(setting);
				assertThat(ex.getMessage()).contains(setting).contains("expected");
			});
	}

	@Test
	void statusSetsReadClassesRangesAndCodes() {
		StatusSet set = StatusSet.of("2xx", "304", "500-503");
		assertThat(set.contains(200)).isTrue();
		assertThat(set.contains(299)).isTrue();
		assertThat(set.contains(304)).isTrue();
		assertThat(set.contains(301)).isFalse();
		assertThat(set.contains(502)).isTrue();
		assertThat(set.contains(504)).isFalse();
		assertThat(set).hasToString("2xx,304,500-503");
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> StatusSet.of("20x"))
			.withMessageContaining("'20x' is not an HTTP status");
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> StatusSet.of("600"));
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> StatusSet.of("503-500"))
			.withMessageContaining("backwards");
	}

}
