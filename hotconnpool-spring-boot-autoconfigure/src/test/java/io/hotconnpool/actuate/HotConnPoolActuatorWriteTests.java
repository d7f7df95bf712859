package io.hotconnpool.actuate;

import java.time.Duration;

import io.hotconnpool.test.LoopbackTlsOrigins;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Over HTTP on a real web server with {@code management.endpoint.hotconnpool.access=unrestricted}: an origin
 * turning to 403 shows in the endpoint, the health details and the Prometheus scrape, and the write operations
 * restore it, close every connection and warm a host. Each test leaves the pool fully warm, so their order does not
 * matter; counters are compared before and after.
 */
@SpringBootTest(classes = ActuatorTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health,hotconnpool,prometheus",
				"management.endpoint.health.show-details=always",
				"management.endpoint.hotconnpool.access=unrestricted", "server.address=127.0.0.1" })
@AutoConfigureRestTestClient
class HotConnPoolActuatorWriteTests extends ActuatorHttpTests {

	private static final Duration WITHIN = Duration.ofSeconds(15);

	private JsonNode host() {
		return this.actuator.get("/actuator/hotconnpool/" + this.origins.target());
	}

	private JsonNode ip(JsonNode host, String ip) {
		for (JsonNode entry : host.get("ips")) {
			if (entry.get("ip").asString().equals(ip)) {
				return entry;
			}
		}
		throw new AssertionError("no IP " + ip + " in " + host);
	}

	private JsonNode healthOfHost() {
		return this.actuator.get("/actuator/health").get("components")
			.get("hotconnpool")
			.get("details")
			.get("hosts")
			.get(this.origins.target());
	}

	private double retired(String reason) {
		return PrometheusText.parse(this.actuator.scrape())
			.value("hotconnpool_connections_retired_total", "host", this.origins.target(), "reason", reason);
	}

	private void awaitFullyWarm() {
		await().atMost(WITHIN).untilAsserted(() -> {
			JsonNode host = host();
			assertThat(host.get("healthyConnections").asInt()).isEqualTo(6);
			assertThat(host.get("ips")).allSatisfy((ip) -> assertThat(ip.get("state").asString()).isEqualTo("active"));
		});
	}

	@Test
	void anOriginAnswering403IsBlacklistedEverywhereAndRestoredByUnblacklist() {
		awaitFullyWarm();
		LoopbackTlsOrigins.Origin blocked = this.origins.origin(1);
		double blacklistedBefore = retired("blacklisted");
		assertThat(healthOfHost().get("blacklistedIps")).isEmpty();

		blocked.answer(403);

		await().atMost(WITHIN).untilAsserted(() -> {
			JsonNode ip = ip(host(), blocked.ip());
			assertThat(ip.get("state").asString()).isEqualTo("blacklisted");
			assertThat(ip.get("connections").asInt()).isZero();
			assertThat(ip.get("blacklisted").get("reason").asString()).isEqualTo("status 403 on probe HEAD /");
			assertThat(ip.get("blacklisted").get("until").asString())
				.isGreaterThan(ip.get("blacklisted").get("since").asString());
		});
		JsonNode health = healthOfHost();
		assertThat(health.get("status").asString()).isEqualTo("UP");
		assertThat(health.get("blacklistedIps")).singleElement()
			.satisfies((ip) -> assertThat(ip.asString()).isEqualTo(blocked.ip()));
		assertThat(health.get("total").asInt()).isEqualTo(4);
		assertThat(this.actuator.get("/actuator/hotconnpool").get("blacklistedIps").asInt()).isEqualTo(1);
		await().atMost(WITHIN)
			.untilAsserted(() -> assertThat(retired("blacklisted")).isEqualTo(blacklistedBefore + 2));

		blocked.answer(200);
		String path = "/actuator/hotconnpool/" + this.origins.target() + "/" + blocked.ip();
		JsonNode result = this.actuator.post(path);

		assertThat(result.get("host").asString()).isEqualTo(this.origins.target());
		assertThat(result.get("ip").asString()).isEqualTo(blocked.ip());
		assertThat(result.get("wasBlacklisted").asBoolean()).isTrue();
		awaitFullyWarm();
		assertThat(ip(host(), blocked.ip()).get("connections").asInt()).isEqualTo(2);
		assertThat(healthOfHost().get("blacklistedIps")).isEmpty();
		assertThat(this.actuator.post(path).get("wasBlacklisted").asBoolean()).as("a second time").isFalse();
		this.http.post()
			.uri("/actuator/hotconnpool/" + this.origins.target() + "/10.9.9.9")
			.exchange()
			.expectStatus()
			.isBadRequest();
	}

	@Test
	void forceCleanupClosesEveryConnectionAndTheHostWarmsAgain() {
		awaitFullyWarm();
		double forcedBefore = retired("forced");

		JsonNode cleanup = this.actuator.post("/actuator/hotconnpool");

		assertThat(cleanup.get("connectionsClosed").asInt()).isEqualTo(6);
		assertThat(retired("forced")).isEqualTo(forcedBefore + 6);
		assertThat(this.actuator.get("/actuator/hotconnpool").get("retiredConnections").get("forced").asLong())
			.isEqualTo((long) forcedBefore + 6);
		awaitFullyWarm();

		JsonNode warmUp = this.actuator.post("/actuator/hotconnpool/" + LoopbackTlsOrigins.HOST);
		assertThat(warmUp.get("host").asString()).isEqualTo(this.origins.target());
		assertThat(warmUp.get("completed").asBoolean()).isTrue();
		assertThat(warmUp.get("state").get("totalConnections").asInt()).isEqualTo(6);
		this.http.post().uri("/actuator/hotconnpool/unknown.test").exchange().expectStatus().isBadRequest();
	}

}
