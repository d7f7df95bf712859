package io.hotconnpool.tls;

import java.io.IOException;

import okhttp3.Headers;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Adds a profile's User-Agent and default headers to each request that does not set them, so that what the server
 * reads in HTTP matches what it saw in the ClientHello. A header the caller sets always wins.
 * <p>
 * An application interceptor: it runs before OkHttp's own, which would otherwise add {@code okhttp/x.y.z}.
 */
final class DefaultHeadersInterceptor implements Interceptor {

	private final Headers headers;

	DefaultHeadersInterceptor(String userAgent, Headers defaultHeaders) {
		this.headers = new Headers.Builder().add("User-Agent", userAgent).addAll(defaultHeaders).build();
	}

	@Override
	public Response intercept(Chain chain) throws IOException {
		Request request = chain.request();
		Request.Builder withDefaults = request.newBuilder();
		for (int i = 0; i < this.headers.size(); i++) {
			String name = this.headers.name(i);
			if (request.header(name) == null) {
				withDefaults.addHeader(name, this.headers.value(i));
			}
		}
		return chain.proceed(withDefaults.build());
	}

}
