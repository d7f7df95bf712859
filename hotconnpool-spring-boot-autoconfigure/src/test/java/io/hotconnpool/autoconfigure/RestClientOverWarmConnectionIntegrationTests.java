package io.hotconnpool.autoconfigure;

import java.io.IOException;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.PoolStats;
import io.hotconnpool.test.LoopbackTlsOrigins;
import org.junit.jupiter.api.AfterAll;
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
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
@DirtiesContext
class RestClientOverWarmConnectionIntegrationTests {

	private static final LoopbackTlsOrigins origins = start();

	@Autowired
	private RestClient.Builder restClientBuilder;

	@Autowired
	private HotConnPool pool;

	@DynamicPropertySource
	static void hotconnpool(DynamicPropertyRegistry registry) {
		registry.add("hotconnpool.hosts[0].host", origins::target);
		registry.add("hotconnpool.hosts[0].addresses", origins::addresses);
		registry.add("hotconnpool.hosts[0].dns-enabled", () -> "false");
		registry.add("hotconnpool.hosts[0].tls.bundle", () -> "test-ca");
		registry.add("hotconnpool.http.rest-client.enabled", () -> "true");
		registry.add("spring.ssl.bundle.pem.test-ca.truststore.certificate", LoopbackTlsOrigins::caCertificatePem);
	}

	@AfterAll
	static void stopOrigins() {
		origins.close();
	}

	@Test
	void requestRunsOnAWarmConnection() {
		PoolStats warm = this.pool.stats();
		assertThat(warm.idleConnections()).as("warmed at start-up: 3 IPs x 2 slots").isEqualTo(6);
		int serverConnections = origins.connections();

		String body = this.restClientBuilder.baseUrl(origins.url("")).build().get().uri("/hello").retrieve()
			.body(String.class);

		assertThat(body).isEqualTo("hot");
		PoolStats after = this.pool.stats();
		assertThat(after.handshakes()).as("no new TLS handshake").isEqualTo(warm.handshakes());
		assertThat(after.hotHits()).isEqualTo(warm.hotHits() + 1);
		assertThat(after.activeConnections()).as("lease given back").isZero();
		assertThat(after.idleConnections()).isEqualTo(6);
		assertThat(origins.connections()).as("no new server connection").isEqualTo(serverConnections);
	}

	private static LoopbackTlsOrigins start() {
		try {
			return LoopbackTlsOrigins.start(3);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
