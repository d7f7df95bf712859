package io.hotconnpool.actuate;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

class HotConnPoolEndpointAutoConfigurationTests extends BackOffTests {

	HotConnPoolEndpointAutoConfigurationTests() {
		super(HotConnPoolEndpoint.class, new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(HotConnPoolEndpointAutoConfiguration.class))
				.withPropertyValues("management.endpoints.web.exposure.include=hotconnpool"));
	}

	@Test
	void endpointWithAPoolWhenExposed() {
		this.runner.withUserConfiguration(PoolWithoutHosts.class)
			.run((context) -> assertThat(context).hasSingleBean(HotConnPoolEndpoint.class));
	}

	static Stream<Arguments> backOffs() {
		// health alone is the default exposure; the runner converts enums strictly, an application also takes "none"
		return Stream.of(withoutAPool(), withProperty("management.endpoints.web.exposure.include=health"),
				withProperty("management.endpoint.hotconnpool.access=NONE"),
				without("the actuator", new FilteredClassLoader(Endpoint.class)));
	}

}
