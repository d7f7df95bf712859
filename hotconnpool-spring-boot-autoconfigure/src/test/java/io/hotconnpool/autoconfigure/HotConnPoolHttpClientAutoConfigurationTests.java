package io.hotconnpool.autoconfigure;

import io.hotconnpool.http.HotConnPoolClientHttpRequestFactory;
import io.hotconnpool.http.HotConnPoolClientHttpRequestFactoryBuilder;
import io.hotconnpool.pool.InvalidSettingException;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.autoconfigure.HttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.ClientHttpRequestFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link HotConnPoolHttpClientAutoConfiguration}.
 */
class HotConnPoolHttpClientAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, HotConnPoolAutoConfiguration.class,
				HotConnPoolHttpClientAutoConfiguration.class, HttpClientAutoConfiguration.class,
				ImperativeHttpClientAutoConfiguration.class))
		.withPropertyValues("hotconnpool.tls.self-test=false");

	@Test
	void offByDefault() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(ClientHttpRequestFactoryBuilder.class)
			.doesNotHaveBean(HotConnPoolClientHttpRequestFactoryBuilder.class));
	}

	@Test
	void whenEnabledBootsBuilderAndFactoryAreThePools() {
		this.runner.withPropertyValues("hotconnpool.http.factory-builder.enabled=true").run((context) -> {
			assertThat(context).getBean(ClientHttpRequestFactoryBuilder.class)
				.isInstanceOf(HotConnPoolClientHttpRequestFactoryBuilder.class);
			assertThat(context).getBean(ClientHttpRequestFactory.class)
				.isInstanceOf(HotConnPoolClientHttpRequestFactory.class);
		});
	}

	@Test
	void isOrderedBeforeBootsHttpClientAutoConfiguration() {
		assertThat(HotConnPoolHttpClientAutoConfiguration.class.getAnnotation(AutoConfiguration.class).beforeName())
			.contains(ImperativeHttpClientAutoConfiguration.class.getName());
	}

	@Test
	void acceptsTimeoutsEqualToThePools() {
		this.runner
			.withPropertyValues("hotconnpool.http.factory-builder.enabled=true", "hotconnpool.read-timeout=7s",
					"spring.http.clients.connect-timeout=5s", "spring.http.clients.read-timeout=7s",
					"spring.http.clients.redirects=dont-follow")
			.run((context) -> assertThat(context).hasNotFailed()
				.getBean(ClientHttpRequestFactoryBuilder.class)
				.isInstanceOf(HotConnPoolClientHttpRequestFactoryBuilder.class));
	}

	@Test
	void refusesAConnectTimeoutThePoolDoesNotHave() {
		assertRefused("spring.http.clients.connect-timeout=1s", "spring.http.clients.connect-timeout");
	}

	@Test
	void refusesAReadTimeoutThePoolDoesNotHave() {
		assertRefused("spring.http.clients.read-timeout=2m", "spring.http.clients.read-timeout");
	}

	@Test
	void refusesFollowingRedirects() {
		assertRefused("spring.http.clients.redirects=follow", "spring.http.clients.redirects");
	}

	@Test
	void refusesAnSslBundle() {
		this.runner
			.withPropertyValues("hotconnpool.http.factory-builder.enabled=true", "spring.http.clients.ssl.bundle=test-ca",
					HotConnPoolAutoConfigurationTests.TEST_CA_BUNDLE)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(InvalidSettingException.class)
				.hasMessageContaining("spring.http.clients.ssl.bundle")
				.hasMessageContaining("hotconnpool.tls.bundle"));
	}

	@Test
	void backsOffFromAUserBuilder() {
		this.runner.withPropertyValues("hotconnpool.http.factory-builder.enabled=true")
			.withBean("userBuilder", ClientHttpRequestFactoryBuilder.class, ClientHttpRequestFactoryBuilder::simple)
			.run((context) -> assertThat(context).doesNotHaveBean(HotConnPoolClientHttpRequestFactoryBuilder.class)
				.getBean(ClientHttpRequestFactoryBuilder.class)
				.isSameAs(context.getBean("userBuilder")));
	}

	@Test
	void backsOffWithoutBootsHttpClientModule() {
		this.runner.withClassLoader(new FilteredClassLoader(ClientHttpRequestFactoryBuilder.class))
			.withPropertyValues("hotconnpool.http.factory-builder.enabled=true")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(HotConnPoolClientHttpRequestFactoryBuilder.class));
	}

	private void assertRefused(String setting, String property) {
		this.runner.withPropertyValues("hotconnpool.http.factory-builder.enabled=true", setting)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOfSatisfying(InvalidSettingException.class,
						(ex) -> assertThat(ex.getSetting()).isEqualTo(property)));
	}

}
