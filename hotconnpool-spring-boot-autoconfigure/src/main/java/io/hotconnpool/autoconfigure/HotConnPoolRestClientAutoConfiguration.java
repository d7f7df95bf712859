package io.hotconnpool.autoconfigure;

import io.hotconnpool.http.HotConnPoolClientHttpRequestFactory;
import io.hotconnpool.pool.HotConnPool;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

/**
 * {@link AutoConfiguration Auto-configuration} of the pool's {@link HotConnPoolClientHttpRequestFactory} for
 * {@link RestClient} and {@code RestTemplate}, and, when {@code hotconnpool.http.rest-client.enabled=true}, of a
 * {@link RestClientCustomizer} that puts it on Spring Boot's {@code RestClient.Builder}. The factory is not a
 * default candidate: inject it with {@code @Qualifier(REQUEST_FACTORY_BEAN_NAME)}; Boot's own
 * {@code ClientHttpRequestFactory} bean stays in place.
 */
@AutoConfiguration(after = HotConnPoolAutoConfiguration.class,
		afterName = "org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration")
@ConditionalOnClass(RestClient.class)
@Conditional(OnHotConnPoolEnabledCondition.class)
@ConditionalOnBean(HotConnPool.class)
public final class HotConnPoolRestClientAutoConfiguration {

	/** Name of the pool's request factory bean: inject it with {@code @Qualifier(REQUEST_FACTORY_BEAN_NAME)}. */
	public static final String REQUEST_FACTORY_BEAN_NAME = "hotConnPoolClientHttpRequestFactory";

	// Not a default candidate, and after Boot's: a ClientHttpRequestFactory injected by type stays Boot's, which
	// serves every host; the pool's refuses hosts it does not pool.
	@Bean(name = REQUEST_FACTORY_BEAN_NAME, defaultCandidate = false)
	@ConditionalOnMissingBean
	HotConnPoolClientHttpRequestFactory hotConnPoolClientHttpRequestFactory(HotConnPool pool) {
		return new HotConnPoolClientHttpRequestFactory(pool, pool.config().getHttp().getOtherHosts());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RestClientCustomizer.class)
	@ConditionalOnBooleanProperty("hotconnpool.http.rest-client.enabled")
	static class RestClientBuilderConfiguration {

		@Bean
		RestClientCustomizer hotConnPoolRestClientCustomizer(
				@Qualifier(REQUEST_FACTORY_BEAN_NAME) HotConnPoolClientHttpRequestFactory requestFactory) {
			return (builder) -> builder.requestFactory(requestFactory);
		}

	}

}
