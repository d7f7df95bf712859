package io.hotconnpool.http;

import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import io.hotconnpool.pool.HotConnPool;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;

/**
 * A {@link ClientHttpRequestFactory} that sends requests over the hot connection pool, for {@code RestClient} and
 * {@code RestTemplate}.
 * <p>
 * A request to a host listed in the pool's settings (https, same host and port) runs on a lease: it acquires a
 * warm connection (on HTTP/2 a stream on a shared one) when executed and gives it back when the response is closed. Any other request is refused or
 * sent over the pool's {@linkplain HotConnPool#plainClient() plain client}, as the {@link OtherHostsPolicy} says.
 * The pool's timeouts apply and redirects are not followed. Pooled requests run through
 * {@link HotConnPool#execute(okhttp3.Request)}: an idempotent one (GET, HEAD, OPTIONS, PUT, DELETE, TRACE, with no
 * body or a repeatable one) whose connection fails is retried once, on a connection checked alive, to another IP
 * where one is idle, unless {@code hotconnpool.retry-on-connection-failure} is off; other requests are never
 * retried. Requests over the plain client are not retried.
 *
 * <pre>{@code
 * RestClient client = RestClient.builder().requestFactory(new HotConnPoolClientHttpRequestFactory(pool)).build();
 * }</pre>
 */
public final class HotConnPoolClientHttpRequestFactory implements ClientHttpRequestFactory {

	private final HotConnPool pool;

	private final OtherHostsPolicy otherHosts;

	/** The configured hosts, as {@code host:port}. */
	private final Set<String> pooledTargets;

	/**
	 * Creates a factory that refuses requests to hosts the pool does not serve.
	 * @param pool the pool
	 */
	public HotConnPoolClientHttpRequestFactory(HotConnPool pool) {
		this(pool, OtherHostsPolicy.REFUSE);
	}

	/**
	 * Creates a factory.
	 * @param pool the pool
	 * @param otherHosts what to do with requests to hosts the pool does not serve
	 */
	public HotConnPoolClientHttpRequestFactory(HotConnPool pool, OtherHostsPolicy otherHosts) {
		this.pool = Objects.requireNonNull(pool, "pool");
		this.otherHosts = Objects.requireNonNull(otherHosts, "otherHosts");
		this.pooledTargets = pool.config()
			.hostSettings()
			.stream()
			.map((host) -> host.host() + ":" + host.port())
			.collect(Collectors.toUnmodifiableSet());
	}

	@Override
	public ClientHttpRequest createRequest(URI uri, HttpMethod httpMethod) throws IOException {
		HttpUrl url = HttpUrl.get(uri);
		if (url == null) {
			throw new IllegalArgumentException("Not an http or https URI: " + uri);
		}
		// HttpUrl has already lower-cased and IDN-encoded the host, as the pool's settings have.
		if (url.isHttps() && this.pooledTargets.contains(url.host() + ":" + url.port())) {
			return new OkHttpClientHttpRequest(uri, httpMethod, url, this.pool::execute);
		}
		if (this.otherHosts == OtherHostsPolicy.PLAIN) {
			OkHttpClient plain = this.pool.plainClient();
			return new OkHttpClientHttpRequest(uri, httpMethod, url, (request) -> plain.newCall(request).execute());
		}
		throw new HostNotPooledException("hotconnpool does not serve " + url.scheme() + "://" + url.host() + ":"
				+ url.port() + ": only https hosts listed under hotconnpool.hosts go through the pool. Add the host"
				+ " there, or set hotconnpool.http.other-hosts=plain to send such requests over a plain client.");
	}

}
