package io.hotconnpool.autoconfigure;

import okhttp3.OkHttpClient;

/**
 * Customizes the OkHttp client every pooled connection is built from: interceptors, event listeners, protocols.
 * Beans of this type are applied in {@link org.springframework.core.annotation.Order order}. The pool applies its
 * TLS context and socket factory afterwards: they cannot be replaced.
 */
@FunctionalInterface
public interface HotConnPoolClientCustomizer {

	/**
	 * Customizes the client builder.
	 * @param builder the builder to change
	 */
	void customize(OkHttpClient.Builder builder);

}
