package io.hotconnpool.sample;

import java.time.Duration;
import java.util.Map;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.sample.demo.DemoOrigin;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import static org.awaitility.Awaitility.await;

/** What the sample app's tests share: a plain HTTP client for the app, and the wait for a fully warm pool. */
final class SampleApp {

	static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	/** Every slot of the demo host: 3 IPs x 2 connections per IP. */
	static final int WARM_CONNECTIONS = DemoOrigin.ADDRESSES.size() * 2;

	private SampleApp() {
	}

	/** A plain client for the app on {@code port} (not Boot's builder, which routes through the pool). */
	static RestClient client(int port) {
		SimpleClientHttpRequestFactory factory = new SimpleClientHttpRequestFactory();
		factory.setConnectTimeout(Duration.ofSeconds(5));
		factory.setReadTimeout(Duration.ofSeconds(30));
		return RestClient.builder().requestFactory(factory).baseUrl("http://127.0.0.1:" + port).build();
	}

	/** Waits until every slot is warm and free. */
	static void awaitWarm(HotConnPool pool) {
		await().atMost(Duration.ofSeconds(30)).until(() -> pool.stats().idleConnections() >= WARM_CONNECTIONS);
	}

}
