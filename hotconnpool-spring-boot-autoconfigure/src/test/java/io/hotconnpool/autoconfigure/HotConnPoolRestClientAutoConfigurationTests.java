package io.hotconnpool.autoconfigure;

import io.hotconnpool.http.HotConnPoolClientHttpRequestFactory;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolConfig;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HotConnPoolRestClientAutoConfiguration}.
 */
class HotConnPoolRestClientAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, HotConnPoolAutoConfiguration.class,
				HotConnPoolRestClientAutoConfiguration.class));

	@Test
	void providesTheRequestFactoryButLeavesBootsRestClientBuilderAloneByDefault() {
		this.runner.run(this::assertOnlyTheRequestFactory);
	}

	@Test
	void leavesBootsClientHttpRequestFactoryInPlace() {
		this.runner
			.withConfiguration(AutoConfigurations.of(HttpClientAutoConfiguration.class,
					ImperativeHttpClientAutoConfiguration.class))
			.withBean(FactoryUser.class)
			.run((context) -> {
				assertThat(context).hasNotFailed().hasBean(HotConnPoolRestClientAutoConfiguration.REQUEST_FACTORY_BEAN_NAME);
				assertThat(context.getBean(FactoryUser.class).factory())
					.as("injected by type: Boot's factory, not the pool's")
					.isNotInstanceOf(HotConnPoolClientHttpRequestFactory.class)
					.isSameAs(context.getBean("clientHttpRequestFactory"));
			});
	}

	@Test
	void isOrderedAfterBootsHttpClientAutoConfiguration() {
		AutoConfiguration annotation = HotConnPoolRestClientAutoConfiguration.class
			.getAnnotation(AutoConfiguration.class);
		assertThat(annotation.afterName()).contains(ImperativeHttpClientAutoConfiguration.class.getName());
	}

	@Test
	void customizesBootsRestClientBuilderWhenEnabled() {
		this.runner.withPropertyValues("hotconnpool.http.rest-client.enabled=true").run((context) -> {
			assertThat(context).hasSingleBean(RestClientCustomizer.class);
			RestClient.Builder builder = RestClient.builder();
			context.getBean(RestClientCustomizer.class).customize(builder);
			builder.apply((configured) -> assertThat(configured).extracting("requestFactory")
				.isSameAs(context.getBean(HotConnPoolRestClientAutoConfiguration.REQUEST_FACTORY_BEAN_NAME)));
		});
	}

	@Test
	void backsOffFromAUserRequestFactory() {
		this.runner.withBean("userFactory", HotConnPoolClientHttpRequestFactory.class,
				() -> new HotConnPoolClientHttpRequestFactory(
						HotConnPool.builder(new HotConnPoolConfig()).build()))
			.run((context) -> assertThat(context).getBean(HotConnPoolClientHttpRequestFactory.class)
				.isSameAs(context.getBean("userFactory")));
	}

	@Test
	void usesAUserPool() {
		this.runner.withUserConfiguration(HotConnPoolAutoConfigurationTests.UserPoolConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(HotConnPoolClientHttpRequestFactory.class)
				.doesNotHaveBean(HotConnPoolConfig.class));
	}

	@Test
	void backsOffWithoutSpringWeb() {
		this.runner.withClassLoader(new FilteredClassLoader(RestClient.class, ClientHttpRequestFactory.class))
			.withPropertyValues("hotconnpool.http.rest-client.enabled=true")
			.run((context) -> assertThat(context).hasSingleBean(HotConnPool.class)
				.doesNotHaveBean(HotConnPoolClientHttpRequestFactory.class));
	}

	@Test
	void withoutBootsRestClientModuleOnlyTheFactory() {
		this.runner.withClassLoader(new FilteredClassLoader(RestClientCustomizer.class))
			.withPropertyValues("hotconnpool.http.rest-client.enabled=true")
			.run(this::assertOnlyTheRequestFactory);
	}

	/** The pool's request factory is a bean, and Boot's {@code RestClient.Builder} is left alone. */
	private void assertOnlyTheRequestFactory(AssertableApplicationContext context) {
		assertThat(context).hasSingleBean(HotConnPoolClientHttpRequestFactory.class)
			.doesNotHaveBean(RestClientCustomizer.class);
	}

	record FactoryUser(ClientHttpRequestFactory factory) {
	}

}
