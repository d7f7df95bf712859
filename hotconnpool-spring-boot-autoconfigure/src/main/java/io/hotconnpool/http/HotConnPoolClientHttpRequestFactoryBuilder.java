package io.hotconnpool.http;

import java.time.Duration;
import java.util.Objects;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.InvalidSettingException;

import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpCookieHandling;
import org.springframework.boot.http.client.HttpRedirects;

/**
 * A Spring Boot {@link ClientHttpRequestFactoryBuilder} that builds {@link HotConnPoolClientHttpRequestFactory}s: as
 * Boot's builder bean it puts {@code RestClient.Builder}, {@code RestTemplateBuilder} and HTTP service groups
 * ({@code @HttpExchange} interfaces) on the pool at once.
 * <p>
 * Boot's {@link HttpClientSettings} ({@code spring.http.clients.*} and a service group's
 * {@code spring.http.serviceclient.<group>.*}) cannot change connections the pool opened and warmed before the
 * client existed: a setting that would change what a request does is refused with an {@link InvalidSettingException}
 * naming it, never ignored. Accepted: timeouts unset or equal to the pool's, redirects not followed
 * ({@code dont-follow} or {@code follow-when-possible}, as the pool never follows them), cookies not kept, no SSL
 * bundle and no address filter (the pool's TLS material and addresses come from {@code hotconnpool.*}).
 */
public final class HotConnPoolClientHttpRequestFactoryBuilder
		implements ClientHttpRequestFactoryBuilder<HotConnPoolClientHttpRequestFactory> {

	private static final String SETTINGS = "spring.http.clients.";

	private static final String GROUP_SETTINGS = " (or a service group's spring.http.serviceclient.<group>.*)";

	private final HotConnPool pool;

	private final OtherHostsPolicy otherHosts;

	/**
	 * Creates a builder.
	 * @param pool the pool
	 * @param otherHosts what the factories do with requests to hosts the pool does not serve
	 */
	public HotConnPoolClientHttpRequestFactoryBuilder(HotConnPool pool, OtherHostsPolicy otherHosts) {
		this.pool = Objects.requireNonNull(pool, "pool");
		this.otherHosts = Objects.requireNonNull(otherHosts, "otherHosts");
	}

	@Override
	public HotConnPoolClientHttpRequestFactory build(HttpClientSettings settings) {
		check(settings);
		return new HotConnPoolClientHttpRequestFactory(this.pool, this.otherHosts);
	}

	/**
	 * Refuses settings the pool cannot apply to its connections.
	 * @param settings Boot's settings, or {@code null} for none
	 * @throws InvalidSettingException naming the first setting the pool cannot honour
	 */
	public void check(HttpClientSettings settings) {
		if (settings == null) {
			return;
		}
		checkTimeout("connect-timeout", settings.connectTimeout(), this.pool.config().getConnectTimeout(),
				"hotconnpool.connect-timeout");
		checkTimeout("read-timeout", settings.readTimeout(), this.pool.config().getReadTimeout(),
				"hotconnpool.read-timeout");
		if (settings.redirects() == HttpRedirects.FOLLOW) {
			throw refused("redirects", "follow",
					"dont-follow or follow-when-possible: the pool does not follow redirects, a caller sees the 3xx");
		}
		if (settings.cookieHandling() == HttpCookieHandling.ENABLE) {
			throw refused("cookie-handling", "enable", "disable or enable-when-possible: the pool keeps no cookies");
		}
		if (settings.sslBundle() != null) {
			throw refused("ssl.bundle", "an SSL bundle",
					"no bundle here: pooled connections take theirs from hotconnpool.tls.bundle or hotconnpool.hosts[i].tls.bundle");
		}
		if (settings.inetAddressFilter() != null) {
			throw new InvalidSettingException("InetAddressFilter bean", settings.inetAddressFilter(),
					"none while hotconnpool.http.factory-builder.enabled=true: the pool connects to the addresses of"
							+ " hotconnpool.hosts, which it resolves itself");
		}
	}

	private static void checkTimeout(String name, Duration requested, Duration pools, String property) {
		if (requested != null && !requested.equals(pools)) {
			throw refused(name, requested, "unset or equal to " + property + " (" + pools.toMillis() + "ms"
					+ "): pooled connections are opened and read with the pool's timeouts; set " + property);
		}
	}

	private static InvalidSettingException refused(String name, Object value, String expected) {
		return new InvalidSettingException(SETTINGS + name, value, expected + GROUP_SETTINGS);
	}

}
