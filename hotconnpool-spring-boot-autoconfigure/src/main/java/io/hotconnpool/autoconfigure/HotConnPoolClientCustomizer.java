package io.hotconnpool.autoconfigure;

import okhttp3.OkHttpClient;

/**
 * Customizes the OkHttp client every pooled connection is built from: interceptors, event listeners, protocols.
 * Beans of this type are applied in {@link org.springframework.core.annotation.Order order}. The pool applies its
 * TLS context, host-name verifier and socket factory afterwards: they cannot be replaced, so verification cannot be
 * switched off here. An event listener (or listener factory) set here is chained after the pool's own, so it sees
 * every call, warm-up and health probes included; Micrometer's {@code OkHttpMetricsEventListener} works as it does on
 * a plain client.
 */
@FunctionalInterface
public interface HotConnPoolClientCustomizer {

	/**
	 * Customizes the client builder.
	 * @param builder the builder to change
	 */
	void customize(OkHttpClient.Builder builder);

}
