package io.hotconnpool.pool;

import java.time.Duration;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.aop.framework.ProxyFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The configuration: hosts inherit the pool-wide values, each bad value is named by its property path, and a pool
 * runs on a copy that later changes do not reach.
 */
class HotConnPoolConfigTests {

	@Test
	void hostsInheritThePoolWideValuesAndKeepTheirOwn() {
		HotConnPoolConfig config = new HotConnPoolConfig();
		config.setConnectionsPerIp(3);
		config.addHost("API.Example.com");
		HostConfig cdn = config.addHost("cdn.example.com:8443");
		cdn.setConnectionsPerIp(1);
		cdn.setMaxConnections(4);
		cdn.getProbe().setMethod("get");
		cdn.getProbe().setPath("/health");
		config.validate();

		HostSettings api = config.hostSettings().get(0);
		assertThat(api.host()).isEqualTo("api.example.com");
		assertThat(api.port()).isEqualTo(443);
		assertThat(api.connectionsPerIp()).isEqualTo(3);
		assertThat(api.maxConnections()).isEqualTo(16);
		assertThat(api.probeMethod()).isEqualTo("HEAD");
		assertThat(api.probeSuccessStatuses().contains(204)).isTrue();
		assertThat(api.probeSuccessStatuses().contains(404)).isFalse();
		assertThat(api.blacklistStatuses()).isEqualTo(StatusSet.of("403", "429"));
		HostSettings resolved = config.hostSettings().get(1);
		assertThat(resolved.port()).isEqualTo(8443);
		assertThat(resolved.connectionsPerIp()).isEqualTo(1);
		assertThat(resolved.warmTarget(6)).as("warm target capped by the maximum").isEqualTo(4);
		assertThat(resolved.probeMethod()).isEqualTo("GET");
		assertThat(resolved.probePath()).isEqualTo("/health");
		assertThat(config.getAcquireTimeout()).isEqualTo(Duration.ofSeconds(5));
	}

	@ParameterizedTest
	@ValueSource(strings = { "https://api.example.com", "api.example.com/path", "user@api.example.com", "",
			"api.example.com:https", "bad_host.example.com", "api.example.com:70000" })
	void aMalformedTargetIsRefusedOnItsEntry(String target) {
		assertRefused((config) -> {
			config.addHost("a.example.com");
			config.addHost(target);
		}, "hotconnpool.hosts[1].host");
	}

	@Test
	void aDuplicateHostIsRefused() {
		assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(() -> {
			HotConnPoolConfig config = new HotConnPoolConfig();
			config.addHost("a.example.com");
			config.addHost("A.example.com:443");
			config.validate();
		}).withMessageContaining("hotconnpool.hosts[1].host").withMessageContaining("is hotconnpool.hosts[0] already");
	}

	@Test
	void eachBadValueNamesItsProperty() {
		assertRefused((c) -> c.setAcquireTimeout(Duration.ZERO), "hotconnpool.acquire-timeout");
		assertRefused((c) -> c.setConnectTimeout(Duration.ofSeconds(-1)), "hotconnpool.connect-timeout");
		assertRefused((c) -> c.setTlsHandshakeTimeout(null), "hotconnpool.tls-handshake-timeout");
		assertRefused((c) -> c.setProbeTimeout(Duration.ZERO), "hotconnpool.probe-timeout");
		assertRefused((c) -> c.getWarmUp().setConcurrency(0), "hotconnpool.warm-up.concurrency");
		assertRefused((c) -> c.setMaxHosts(0), "hotconnpool.max-hosts");
		assertRefused((c) -> c.addHost("x.example.com").setConnectionsPerIp(0),
				"hotconnpool.hosts[0].connections-per-ip");
		assertRefused((c) -> c.addHost("x.example.com").setMaxConnections(-3), "hotconnpool.hosts[0].max-connections");
		assertRefused((c) -> c.addHost("x.example.com").getProbe().setPath("health"),
				"hotconnpool.hosts[0].probe.path");
		assertRefused((c) -> c.addHost("x.example.com").getProbe().setMethod("POST"),
				"hotconnpool.hosts[0].probe.method");
		assertRefused((c) -> c.addHost("x.example.com").setDnsEnabled(false), "hotconnpool.hosts[0].dns-enabled");
		assertRefused((c) -> c.getTls().setProfile("safari"), "hotconnpool.tls.profile");
		assertRefused((c) -> c.getTls().setBundle("partner"), "hotconnpool.tls.bundle");
	}

	@Test
	void aPoolRunsOnACopyThatLaterChangesDoNotReach() {
		HotConnPoolConfig config = new HotConnPoolConfig();
		HostConfig host = config.addHost("api.example.com");
		try (HotConnPool pool = HotConnPool.builder(config).build()) {
			config.setAcquireTimeout(Duration.ofSeconds(1));
			config.getHttp2().setPingInterval(Duration.ZERO);
			host.setConnectionsPerIp(4);
			host.getTls().setProfile("chrome");
			config.addHost("cdn.example.com");

			HotConnPoolConfig running = pool.config();
			assertThat(running.getAcquireTimeout()).isEqualTo(Duration.ofSeconds(5));
			assertThat(running.getHttp2().getPingInterval()).isEqualTo(Duration.ofSeconds(30));
			assertThat(running.getHosts()).singleElement().satisfies((copy) -> {
				assertThat(copy.getConnectionsPerIp()).isNull();
				assertThat(copy.getTls().getProfile()).isNull();
			});
			assertThat(running.hostSettings()).singleElement()
				.satisfies((settings) -> assertThat(settings.connectionsPerIp()).isEqualTo(2));

			running.setAcquireTimeout(Duration.ofSeconds(1));
			running.addHost("other.example.com");
			assertThat(pool.config().getAcquireTimeout()).as("each call a fresh copy").isEqualTo(Duration.ofSeconds(5));
			assertThat(pool.config().getHosts()).hasSize(1);
			assertThat(running.validatedCopy().hostSettings()).as("a template for another pool").hasSize(2);
		}
		assertThatIllegalStateException().as("the original is not validated by the build")
			.isThrownBy(config::hostSettings)
			.withMessageContaining("pool.config()");
	}

	@Test
	void aPoolBuiltFromAClassProxyOfTheConfigurationRunsOnItsTargetsValues() {
		HotConnPoolConfig target = new HotConnPoolConfig();
		target.addHost("api.example.com").setConnectionsPerIp(3);
		ProxyFactory proxies = new ProxyFactory(target);
		proxies.setProxyTargetClass(true); // as a scoped or refreshable bean is proxied: fields of its own unset
		try (HotConnPool pool = HotConnPool.builder((HotConnPoolConfig) proxies.getProxy()).build()) {
			assertThat(pool.config().hostSettings()).singleElement()
				.satisfies((host) -> assertThat(host.connectionsPerIp()).isEqualTo(3));
		}
	}

	private static void assertRefused(Consumer<HotConnPoolConfig> change, String property) {
		HotConnPoolConfig config = new HotConnPoolConfig();
		change.accept(config);
		assertThatExceptionOfType(InvalidSettingException.class).isThrownBy(config::validate).satisfies((ex) -> {
			assertThat(ex.getSetting()).isEqualTo(property);
			assertThat(ex.getMessage()).contains(property).contains("expected");
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
