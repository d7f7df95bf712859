package io.hotconnpool.sample;

import java.time.Duration;
import java.util.Map;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.PoolStats;
import io.hotconnpool.sample.demo.DemoOrigin;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Starts the whole sample app on a random port with the embedded demo origin (loopback only) and calls every demo
 * endpoint and the health endpoint over HTTP.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class SampleApplicationTests {

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	@LocalServerPort
	int port;

	@Autowired
	HotConnPool pool;

	@Autowired
	DemoOrigin origin;

	RestClient http;

	@BeforeEach
	void client() {
		SimpleClientHttpRequestFactory factory = new SimpleClientHttpRequestFactory();
		factory.setConnectTimeout(Duration.ofSeconds(5));
		factory.setReadTimeout(Duration.ofSeconds(30));
		// A plain client for the app itself (not Boot's builder, which routes through the pool).
		this.http = RestClient.builder().requestFactory(factory).baseUrl("http://localhost:" + this.port).build();
		// Every slot warm: 3 IPs x 2 connections per IP.
		await().atMost(Duration.ofSeconds(30)).until(() -> this.pool.stats().idleConnections() >= 6);
	}

	private Map<String, Object> get(String path) {
		return this.http.get().uri(path).retrieve().body(JSON);
	}

	@Test
	void restClientEndpointIsServedOnAWarmConnection() {
		PoolStats before = this.pool.stats();
		Map<String, Object> body = get("/demo/rest-client");
		PoolStats after = this.pool.stats();
		assertThat(body).containsEntry("hot", true).containsEntry("hotHitsDelta", 1).containsEntry("handshakesDelta", 0);
		assertThat((String) body.get("body")).contains("\"origin\":\"" + DemoOrigin.HOST + "\"");
		assertThat(DemoOrigin.ADDRESSES).contains((String) body.get("servedByIp"));
		assertThat(after.hotHits()).isGreaterThan(before.hotHits());
		assertThat(after.handshakes()).isEqualTo(before.handshakes());
	}

	@Test
	void leaseEndpointReportsTheIpSlotAndHot() {
		PoolStats before = this.pool.stats();
		Map<String, Object> body = get("/demo/lease");
		assertThat(body).containsEntry("hot", true).containsEntry("status", 200);
		assertThat(DemoOrigin.ADDRESSES).contains((String) body.get("ip"));
		assertThat((Integer) body.get("slot")).isBetween(0, 1);
		assertThat((String) body.get("body")).contains("\"servedBy\":\"" + body.get("ip") + "\"");
		assertThat(this.pool.stats().hotHits()).isGreaterThan(before.hotHits());
		assertThat(this.pool.stats().handshakes()).isEqualTo(before.handshakes());
	}

	@Test
	@SuppressWarnings("unchecked")
	void compareEndpointTimesAHotAndAColdRequest() {
		Map<String, Object> body = get("/demo/compare");
		Map<String, Object> hot = (Map<String, Object>) body.get("hot");
		Map<String, Object> cold = (Map<String, Object>) body.get("cold");
		assertThat(hot).containsEntry("hot", true).containsEntry("status", 200);
		assertThat(cold).containsEntry("status", 200);
		assertThat(((Number) hot.get("millis")).doubleValue()).isPositive();
		assertThat(((Number) cold.get("millis")).doubleValue()).isPositive();
	}

	@Test
	void healthIsUp() {
		Map<String, Object> body = get("/actuator/health");
		assertThat(body).containsEntry("status", "UP");
	}

	@Test
	void demoOriginRunsOnTheConfiguredPort() {
		assertThat(this.pool.stats().hosts()).singleElement().satisfies((host) -> {
			assertThat(host.host()).isEqualTo(DemoOrigin.HOST);
			assertThat(host.port()).isEqualTo(this.origin.port());
			assertThat(host.addresses()).containsExactlyInAnyOrderElementsOf(DemoOrigin.ADDRESSES);
		});
	}

}
