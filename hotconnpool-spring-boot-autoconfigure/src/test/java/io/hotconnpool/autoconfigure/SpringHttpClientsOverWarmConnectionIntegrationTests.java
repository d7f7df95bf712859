package io.hotconnpool.autoconfigure;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.test.LoopbackTlsOrigins;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.client.RestClient;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.service.registry.ImportHttpServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring's HTTP clients reach a configured host over connections the pool warmed at start-up: a request performs no
 * TLS handshake and opens no server connection. Each switch that hands the pool to them runs in an application of
 * its own, with the other switch off.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
class SpringHttpClientsOverWarmConnectionIntegrationTests {

	@AutoClose
	private static final LoopbackTlsOrigins origins = LoopbackTlsOrigins.startUnchecked(3);

	@DynamicPropertySource
	static void hotconnpool(DynamicPropertyRegistry registry) {
		origins.registerAsFirstHost(registry);
		registry.add("spring.http.serviceclient.origin.base-url", () -> origins.url(""));
	}

	/** {@code hotconnpool.http.rest-client.enabled=true}: a {@link RestClient} from Spring Boot's builder. */
	@Nested
	@TestPropertySource(properties = "hotconnpool.http.rest-client.enabled=true")
	@DirtiesContext
	class RestClientSwitch {

		@Autowired
		private RestClient.Builder restClientBuilder;

		@Autowired
		private HotConnPool pool;

		@Test
		void requestRunsOnAWarmConnection() {
			assertThat(this.pool.stats().idleConnections()).as("warmed at start-up: 3 IPs x 2 slots").isEqualTo(6);

			origins.assertServedHot(this.pool, () -> assertThat(this.restClientBuilder.baseUrl(origins.url(""))
				.build()
				.get()
				.uri("/hello")
				.retrieve()
				.body(String.class)).isEqualTo("hot"));

			assertThat(this.pool.stats().idleConnections()).isEqualTo(6);
		}

	}

	/**
	 * {@code hotconnpool.http.factory-builder.enabled=true}: an {@link HttpExchange @HttpExchange} interface of an
	 * HTTP service group, and a {@code RestTemplate} from Spring Boot's builder.
	 */
	@Nested
	@TestPropertySource(properties = "hotconnpool.http.factory-builder.enabled=true")
	@DirtiesContext
	class FactoryBuilderSwitch {

		@Autowired
		private OriginApi originApi;

		@Autowired
		private RestTemplateBuilder restTemplateBuilder;

		@Autowired
		private HotConnPool pool;

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
