package io.hotconnpool.autoconfigure;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.test.LoopbackTlsOrigins;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link RestClient} from Spring Boot's builder reaches a configured host over a connection the pool warmed at
 * start-up: the request performs no TLS handshake and opens no connection.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = "hotconnpool.http.rest-client.enabled=true")
@DirtiesContext
class RestClientOverWarmConnectionIntegrationTests {

	@AutoClose
	private static final LoopbackTlsOrigins origins = LoopbackTlsOrigins.startUnchecked(3);

	@Autowired
	private RestClient.Builder restClientBuilder;

	@Autowired
	private HotConnPool pool;

	@DynamicPropertySource
	static void hotconnpool(DynamicPropertyRegistry registry) {
		origins.registerAsFirstHost(registry);
	}

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

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
