package io.hotconnpool.sample;

import java.time.Duration;
import java.util.Map;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.sample.demo.DemoOrigin;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import static org.awaitility.Awaitility.await;

/**
 * The whole sample app on a random port with the embedded demo origin (loopback only), one context shared by its
 * test classes; each test starts with every slot warm and free, and a plain HTTP client for the app.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
abstract class SampleAppTestSupport {

	static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	/** Every slot of the demo host: 3 IPs x 2 connections per IP. */
	static final int WARM_CONNECTIONS = DemoOrigin.ADDRESSES.size() * 2;

	@LocalServerPort
	int port;

	@Autowired
	HotConnPool pool;

	@Autowired
	DemoOrigin origin;

	/** A plain client for the app (not Boot's builder, which routes through the pool). */
	RestClient http;

	@BeforeEach
	void connect() {
		SimpleClientHttpRequestFactory factory = new SimpleClientHttpRequestFactory();
		factory.setConnectTimeout(Duration.ofSeconds(5));
		factory.setReadTimeout(Duration.ofSeconds(30));
		this.http = RestClient.builder().requestFactory(factory).baseUrl("http://127.0.0.1:" + this.port).build();
		awaitWarm();
	}

	/** Waits until every slot is warm and free. */
	void awaitWarm() {
		await().atMost(Duration.ofSeconds(30)).until(() -> this.pool.stats().idleConnections() >= WARM_CONNECTIONS);
	}

	/** GETs a JSON object from the app. */
	Map<String, Object> get(String path) {
		return this.http.get().uri(path).retrieve().body(JSON);
	}

}
