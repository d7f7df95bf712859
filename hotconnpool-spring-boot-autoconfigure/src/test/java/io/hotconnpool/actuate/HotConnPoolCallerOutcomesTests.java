package io.hotconnpool.actuate;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;

import io.hotconnpool.http.HotConnPoolClientHttpRequestFactory;
import io.hotconnpool.pool.PoolStats;
import io.hotconnpool.pool.Reliability;
import io.hotconnpool.test.LoopbackTlsOrigins;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.test.web.servlet.client.EntityExchangeResult;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * What callers got, as the pool reports it over HTTP: a server that resets mid-body fails the request in the
 * statistics, the endpoint and the meters alike; a host whose requests fail degrades the pool's health, fails
 * readiness where the group is told to, and never the application's default health or liveness.
 */
@SpringBootTest(classes = ActuatorTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "test.origins.http1-only=true",
				"management.endpoints.web.exposure.include=health,hotconnpool",
				"management.endpoint.health.show-details=always", "management.endpoint.health.probes.enabled=true",
				"management.endpoint.health.group.readiness.include=readinessState,hotconnpool",
				"management.endpoint.health.group.readiness.status.order=down,out-of-service,degraded,up,unknown",
				"management.endpoint.health.group.readiness.status.http-mapping.degraded=503",
				"hotconnpool.health.window=2s", "hotconnpool.health.minimum-number-of-calls=3",
				"server.address=127.0.0.1" })
@AutoConfigureRestTestClient
class HotConnPoolCallerOutcomesTests extends ActuatorHttpTests {

	private static final Duration WITHIN = Duration.ofSeconds(15);

	@Autowired
	private MeterRegistry registry;

	@AfterEach
	void heal() {
		this.origins.all().forEach((origin) -> origin.answer(LoopbackTlsOrigins.Origin::ok));
	}

	/** Every origin answers so; probes and other paths still get 200. */
	private void answer(String path, Function<RecordedRequest, MockResponse> answer) {
		this.origins.all()
			.forEach((origin) -> origin.answer((request) -> request.getUrl().encodedPath().equals(path)
					? answer.apply(request) : LoopbackTlsOrigins.Origin.ok(request)));
	}

	private String get(String path) throws IOException {
		try (Response response = this.pool.execute(new Request.Builder().url(this.origins.url(path)).build())) {
			return response.code() + " " + response.body().string();
		}
	}

	@Test
	void aResetMidBodyCountsFailedInTheStatisticsTheEndpointAndTheMeters() throws Exception {
		this.origins.all().forEach((origin) -> origin.answer((request) -> switch (request.getUrl().encodedPath()) {
			case "/cut" -> new MockResponse.Builder().body("x".repeat(64 * 1024))
				.onResponseBody(new SocketEffect.CloseSocket())
				.build();
			case "/500" -> LoopbackTlsOrigins.Origin.status(request, 500, "broken");
			default -> LoopbackTlsOrigins.Origin.ok(request);
		}));
		RestClient restClient = RestClient.builder()
			.requestFactory(new HotConnPoolClientHttpRequestFactory(this.pool))
			.build();
		PoolStats before = this.pool.stats();

		for (int i = 0; i < 3; i++) {
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> get("/cut"));
		}
		assertThatExceptionOfType(RestClientException.class)
			.isThrownBy(() -> restClient.get().uri(this.origins.url("/cut")).retrieve().body(String.class))
			.havingRootCause()
			.isInstanceOf(IOException.class);
		assertThat(get("/500")).isEqualTo("500 broken");
		assertThat(get("/ok")).isEqualTo("200 hot");

		PoolStats stats = this.pool.stats();
		assertThat(stats.totalRequests() - before.totalRequests()).isEqualTo(6);
		assertThat(stats.failedRequests() - before.failedRequests()).as("the four resets").isEqualTo(4);
		assertThat(stats.responsesByStatusClass().get("2xx") - before.responsesByStatusClass().get("2xx"))
			.as("a reset response had its 200 status line").isEqualTo(5);
		assertThat(stats.responsesByStatusClass().get("5xx") - before.responsesByStatusClass().get("5xx")).isOne();
		assertThat(stats.successRate()).isEqualTo(1.0 - (double) stats.failedRequests() / stats.totalRequests());

		JsonNode endpoint = this.actuator.get("/actuator/hotconnpool");
		assertThat(endpoint.get("totalRequests").asLong()).isEqualTo(stats.totalRequests())
			.isEqualTo((long) requests(null));
		assertThat(endpoint.get("failedRequests").asLong()).isEqualTo(stats.failedRequests())
			.isEqualTo((long) requests("failure"));
		assertThat(endpoint.get("successRate").asDouble()).isEqualTo(stats.successRate());
		assertThat((long) requests("server-error")).isEqualTo(stats.responsesByStatusClass().get("5xx"));
		for (Map.Entry<String, Long> statusClass : stats.responsesByStatusClass().entrySet()) {
			assertThat(endpoint.get("responses").get(statusClass.getKey()).asLong()).isEqualTo(statusClass.getValue())
				.isEqualTo((long) this.registry.find("hotconnpool.responses")
					.tag("status", statusClass.getKey())
					.counter()
					.count());
		}
		Reliability.report("a server resets a connection in the middle of a response body",
				"4 of 4 callers got an I/O error (3 through execute, 1 through RestClient); failedRequests +4,"
						+ " requests{outcome=failure} +4, the endpoint the same; successRate " + stats.successRate());
	}

	/** The sum of the {@code hotconnpool.requests} counters with this outcome, or of all when {@code null}. */
	private double requests(String outcome) {
		return this.registry.find("hotconnpool.requests")
			.tags((outcome != null) ? new String[] { "outcome", outcome } : new String[0])
			.counters()
			.stream()
			.mapToDouble(Counter::count)
			.sum();
	}

	@Test
	void aFailingHostDegradesThePoolFailsReadinessAndLeavesTheApplicationUp() throws Exception {
		await().atMost(WITHIN).untilAsserted(() -> assertThat(readiness()).startsWith("200"));
		answer("/api", (request) -> LoopbackTlsOrigins.Origin.status(request, 500, "broken"));

		for (int i = 0; i < 3; i++) {
			assertThat(get("/api")).isEqualTo("500 broken");
		}

		JsonNode health = this.actuator.get("/actuator/health");
		assertThat(health.get("status").asString()).as("the application").isEqualTo("UP");
		JsonNode pool = health.get("components").get("hotconnpool");
		assertThat(pool.get("status").asString()).isEqualTo("DEGRADED");
		JsonNode host = pool.get("details").get("hosts").get(this.origins.target());
		assertThat(host.get("status").asString()).isEqualTo("DOWN");
		assertThat(host.get("recentFailures").asLong()).isGreaterThanOrEqualTo(3);
		assertThat(host.get("reasons").get(0).asString()).contains("calls failed");
		assertThat(readiness()).startsWith("503").contains("\"DEGRADED\"");
		assertThat(this.actuator.get("/actuator/health/liveness").get("status").asString()).isEqualTo("UP");

		answer("/api", LoopbackTlsOrigins.Origin::ok);
		long healed = System.nanoTime();
		await().atMost(WITHIN).untilAsserted(() -> {
			assertThat(get("/api")).isEqualTo("200 hot");
			assertThat(readiness()).startsWith("200");
		});
		Reliability.report("a host's requests fail (500)", "pool DEGRADED, readiness 503, application and liveness"
				+ " UP; readiness 200 again " + Duration.ofNanos(System.nanoTime() - healed).toMillis()
				+ " ms after the host answered 200");
	}

	/** The readiness group's HTTP status and body. */
	private String readiness() {
		EntityExchangeResult<String> result = this.http.get()
			.uri("/actuator/health/readiness")
			.exchange()
			.returnResult(String.class);
		return result.getStatus().value() + " " + result.getResponseBody();
	}

}
