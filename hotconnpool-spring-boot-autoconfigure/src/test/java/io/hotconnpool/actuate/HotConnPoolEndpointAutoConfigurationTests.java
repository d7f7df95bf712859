package io.hotconnpool.actuate;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class HotConnPoolEndpointAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(HotConnPoolEndpointAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=hotconnpool");

	@Test
	void endpointWithAPoolWhenExposed() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class)
			.run((context) -> assertThat(context).hasSingleBean(HotConnPoolEndpoint.class));
	}

	@Test
	void noEndpointWithoutAPool() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(HotConnPoolEndpoint.class));
	}

	@Test
	void noEndpointWhenNotExposed() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(HotConnPoolEndpointAutoConfiguration.class))
			.withUserConfiguration(PoolWithoutHosts.class)
			.run((context) -> assertThat(context).doesNotHaveBean(HotConnPoolEndpoint.class));
	}

	@Test
	void noEndpointWhenAccessIsNone() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class)
			// The runner converts enums strictly; an application also takes "none".
			.withPropertyValues("management.endpoint.hotconnpool.access=NONE")
			.run((context) -> assertThat(context).doesNotHaveBean(HotConnPoolEndpoint.class));
	}

	@Test
	void noEndpointWithoutTheActuator() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class)
			.withClassLoader(new FilteredClassLoader(Endpoint.class))
			.run((context) -> assertThat(context).doesNotHaveBean(HotConnPoolEndpoint.class));
	}

}
