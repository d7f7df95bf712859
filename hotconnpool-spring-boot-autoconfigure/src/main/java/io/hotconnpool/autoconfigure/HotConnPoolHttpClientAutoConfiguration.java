package io.hotconnpool.autoconfigure;

import io.hotconnpool.http.HotConnPoolClientHttpRequestFactoryBuilder;
import io.hotconnpool.pool.HotConnPool;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * {@link AutoConfiguration Auto-configuration} that, when {@code hotconnpool.http.factory-builder.enabled=true},
 * makes the pool's {@link HotConnPoolClientHttpRequestFactoryBuilder} Spring Boot's
 * {@link ClientHttpRequestFactoryBuilder}: {@code RestClient.Builder}, {@code RestTemplateBuilder} and HTTP service
 * groups then send their requests through the pool. Ordered before Boot's own, which backs off. Boot's global
 * {@link HttpClientSettings} are checked at start-up: one the pool cannot honour fails it, naming the property.
 */
@AutoConfiguration(after = HotConnPoolAutoConfiguration.class,
		beforeName = "org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration")
@ConditionalOnClass(ClientHttpRequestFactoryBuilder.class)
@Conditional(OnHotConnPoolEnabledCondition.class)
@ConditionalOnBean(HotConnPool.class)
@ConditionalOnBooleanProperty("hotconnpool.http.factory-builder.enabled")
public final class HotConnPoolHttpClientAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(ClientHttpRequestFactoryBuilder.class)
	HotConnPoolClientHttpRequestFactoryBuilder hotConnPoolClientHttpRequestFactoryBuilder(HotConnPool pool,
			ObjectProvider<HttpClientSettings> settings) {
		HotConnPoolClientHttpRequestFactoryBuilder builder = new HotConnPoolClientHttpRequestFactoryBuilder(pool,
				pool.config().getHttp().getOtherHosts());
		settings.ifAvailable(builder::check);
		return builder;
	}

}
