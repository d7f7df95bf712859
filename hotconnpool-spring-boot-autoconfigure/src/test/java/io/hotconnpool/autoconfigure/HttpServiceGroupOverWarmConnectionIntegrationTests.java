package io.hotconnpool.autoconfigure;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.test.LoopbackTlsOrigins;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.service.registry.ImportHttpServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code hotconnpool.http.factory-builder.enabled=true}, an {@link HttpExchange @HttpExchange} interface of an
 * HTTP service group, and a {@code RestTemplate} from Boot's builder, reach a configured host over connections the
 * pool warmed at start-up: no TLS handshake, no new server connection.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = "hotconnpool.http.factory-builder.enabled=true")
@DirtiesContext
class HttpServiceGroupOverWarmConnectionIntegrationTests {

	@AutoClose
	private static final LoopbackTlsOrigins origins = LoopbackTlsOrigins.startUnchecked(2);

	@Autowired
	private OriginApi originApi;

	@Autowired
	private RestTemplateBuilder restTemplateBuilder;

	@Autowired
	private HotConnPool pool;

	@DynamicPropertySource
	static void hotconnpool(DynamicPropertyRegistry registry) {
		origins.registerAsFirstHost(registry);
		registry.add("spring.http.serviceclient.origin.base-url", () -> origins.url(""));
	}

	@Test
	void anHttpExchangeInterfaceRunsOnAWarmConnection() {
		assertHot(() -> assertThat(this.originApi.hello()).isEqualTo("hot"));
	}

	@Test
	void aRestTemplateFromBootsBuilderRunsOnAWarmConnection() {
		assertHot(() -> assertThat(this.restTemplateBuilder.rootUri(origins.url("")).build()
			.getForObject("/hello", String.class)).isEqualTo("hot"));
	}

	private void assertHot(Runnable request) {
		origins.assertServedHot(this.pool, request);
	}

	@HttpExchange
	interface OriginApi {

		@GetExchange("/hello")
		String hello();

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@ImportHttpServices(group = "origin", types = OriginApi.class)
	static class TestApplication {

	}

}
