package io.hotconnpool.actuate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;
import org.springframework.test.web.servlet.client.RestTestClient.RequestHeadersSpec;

/**
 * The actuator of a test application over HTTP: an operation's JSON answer, expecting 200, and the Prometheus
 * scrape.
 */
final class ActuatorClient {

	private static final JsonMapper json = JsonMapper.builder().build();

	private final RestTestClient http;

	ActuatorClient(RestTestClient http) {
		this.http = http;
	}

	/** Calls a read operation and reads its JSON answer, expecting 200. */
	JsonNode get(String path) {
		return json.readTree(ok(this.http.get().uri(path)));
	}

	/** Calls a write operation and reads its JSON answer, expecting 200. */
	JsonNode post(String path) {
		return json.readTree(ok(this.http.post().uri(path)));
	}

	/** The Prometheus scrape in its text format, expecting 200. */
	String scrape() {
		return ok(this.http.get().uri("/actuator/prometheus").accept(MediaType.TEXT_PLAIN));
	}

	private static String ok(RequestHeadersSpec<?> request) {
		return request.exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
	}

}
