package io.hotconnpool.actuate;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;

import io.hotconnpool.pool.RetireReason;
import io.hotconnpool.test.LoopbackTlsOrigins;
import io.hotconnpool.tls.TlsProfile;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.http.HttpStatus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The endpoint, health and Prometheus scrape over HTTP on a real web server, with the endpoint's default
 * (read-only) access: reads work, writes are refused.
 */
@SpringBootTest(classes = ActuatorTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health,hotconnpool,prometheus",
				"management.endpoint.health.show-details=always",
				"management.endpoint.health.probes.enabled=true",
				"management.endpoint.health.group.readiness.include=readinessState,hotconnpool",
				"server.address=127.0.0.1" })
@AutoConfigureRestTestClient
class HotConnPoolActuatorReadOnlyTests extends ActuatorHttpTests {

	private static final Duration WITHIN = Duration.ofSeconds(15);

	@Test
	void endpointReportsThePoolItsHostsIpsAndConnections() {
		JsonNode pool = this.actuator.get("/actuator/hotconnpool");

		assertThat(pool.get("running").asBoolean()).isTrue();
		assertThat(pool.get("tlsProvider").asString()).isEqualTo("Conscrypt");
		assertThat(pool.get("totalConnections").asInt()).isEqualTo(6);
		assertThat(pool.get("healthyConnections").asInt()).isEqualTo(6);
		assertThat(pool.get("blacklistedIps").asInt()).isZero();
		assertThat(pool.get("handshakes").asLong()).isEqualTo(6);
		assertThat(pool.get("successRate").asDouble()).isEqualTo(1.0);
		assertThat(fieldNames(pool)).containsExactly("running", "tlsProvider", "tlsProfiles", "totalConnections",
				"activeConnections", "streamsInFlight", "idleConnections", "warmingConnections", "healthyConnections",
				"waitingAcquires", "blacklistedIps", "totalRequests", "failedRequests", "successRate", "responses",
				"hotHits", "handshakes",
				"connectionsCreated", "newConnectionsFromDns", "acquireTimeouts", "leaksDetected", "retries",
				"retriesSucceeded", "retriesFailed", "retiredConnections", "hosts");
		assertThat(fieldNames(pool.get("retiredConnections"))).containsExactly("broken", "unhealthy", "blacklisted",
				"expired", "idle", "dns-removed", "forced", "closed");
		assertThat(pool.get("hosts")).hasSize(1);
		assertThat(pool.get("tlsProfiles")).singleElement().satisfies((profile) -> {
			assertThat(profile.get("profile").asString()).isEqualTo("okhttp");
			assertThat(profile.get("expectedJa4").asString()).isEqualTo(TlsProfile.OKHTTP.achievedJa4());
			assertThat(profile.get("ja4").asString()).isEqualTo(TlsProfile.OKHTTP.achievedJa4());
			assertThat(profile.get("ja4r").asString()).startsWith("t13d1512h2_");
			assertThat(profile.get("ja3").asString()).matches("[0-9a-f]{32}");
			assertThat(profile.get("matches").asBoolean()).isTrue();
			assertThat(profile.has("failure")).isFalse();
		});

		JsonNode host = pool.get("hosts").get(0);
		assertThat(host.get("host").asString()).isEqualTo(this.origins.target());
		assertThat(host.get("name").asString()).isEqualTo(LoopbackTlsOrigins.HOST);
		assertThat(host.get("warmTarget").asInt()).isEqualTo(6);
		assertThat(host.get("ips")).hasSize(3).allSatisfy((ip) -> {
			assertThat(ip.get("state").asString()).isEqualTo("active");
			assertThat(ip.get("connections").asInt()).isEqualTo(2);
			assertThat(ip.has("blacklisted")).isFalse();
			assertThat(ip.has("failing")).isFalse();
		});
		assertThat(host.has("keepAliveTimeoutMillis")).as("no server announced or showed one").isFalse();
		assertThat(host.get("ips").get(0).get("ip").asString()).isEqualTo(this.origins.origin(0).ip());
		assertThat(host.get("connections")).hasSize(6).allSatisfy((connection) -> {
			assertThat(Set.of("idle", "leased", "reserved")).contains(connection.get("state").asString());
			assertThat(connection.get("healthy").asBoolean()).isTrue();
			assertThat(connection.get("protocol").asString()).isEqualTo("h2");
			// Maintenance runs every 200 ms: an HTTP/2 health probe is a stream of its connection.
			assertThat(connection.get("streams").asInt()).as("no stream but a health probe's").isBetween(0, 1);
			assertThat(connection.get("maxStreams").asInt()).as("the pool's default limit").isEqualTo(100);
			assertThat(connection.get("createdAt").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
		});
	}

	@Test
	void oneHostByHostAndPortOrByNameAloneAndNotFoundForAnUnknownHost() {
		JsonNode byKey = this.actuator.get("/actuator/hotconnpool/" + this.origins.target());
		assertThat(byKey.get("host").asString()).isEqualTo(this.origins.target());
		assertThat(byKey.get("ips")).hasSize(3);

		JsonNode byName = this.actuator.get("/actuator/hotconnpool/" + LoopbackTlsOrigins.HOST);
		assertThat(byName.get("host").asString()).isEqualTo(this.origins.target());

		this.http.get().uri("/actuator/hotconnpool/unknown.test").exchange().expectStatus().isNotFound();
		this.http.get().uri("/actuator/hotconnpool/origin.test:1").exchange().expectStatus().isNotFound();
	}

	@Test
	void healthShowsThePoolWithDetailsAndGatesReadiness() {
		JsonNode health = this.actuator.get("/actuator/health");
		JsonNode pool = health.get("components").get("hotconnpool");

		assertThat(health.get("status").asString()).isEqualTo("UP");
		assertThat(pool.get("status").asString()).isEqualTo("UP");
		assertThat(pool.get("details").get("minHealthyPerHost").asInt()).isEqualTo(1);
		assertThat(pool.get("details").get("successRate").asDouble()).isEqualTo(1.0);
		JsonNode host = pool.get("details").get("hosts").get(this.origins.target());
		assertThat(host.get("status").asString()).isEqualTo("UP");
		assertThat(host.get("healthy").asInt()).isEqualTo(6);
		assertThat(host.get("total").asInt()).isEqualTo(6);
		assertThat(host.get("blacklistedIps")).isEmpty();

		JsonNode readiness = this.actuator.get("/actuator/health/readiness");
		assertThat(readiness.get("status").asString()).isEqualTo("UP");
		assertThat(fieldNames(readiness.get("components"))).containsExactlyInAnyOrder("readinessState",
				"hotconnpool");
	}

	@Test
	void prometheusScrapeCarriesThePoolMetersInValidTextFormat() throws Exception {
		try (Response response = this.pool
			.execute(new Request.Builder().url("https://" + this.origins.target() + "/").build())) {
			assertThat(response.code()).isEqualTo(200);
		}

		String host = this.origins.target();
		// Health probes reserve idle connections for a moment: wait for a scrape that meets all six idle.
		await().atMost(WITHIN)
			.untilAsserted(() -> assertThat(PrometheusText.parse(this.actuator.scrape())
				.value("hotconnpool_connections", "host", host, "state", "idle")).isEqualTo(6));
		String text = this.actuator.scrape();
		PrometheusText metrics = PrometheusText.parse(text);
		assertThat(metrics.value("hotconnpool_connections", "host", host, "state", "leased")).isZero();
		assertThat(metrics.value("hotconnpool_connections", "host", host, "state", "warming")).isZero();
		assertThat(metrics.value("hotconnpool_acquires_pending", "host", host)).isZero();
		assertThat(metrics.value("hotconnpool_ips_blacklisted", "host", host)).isZero();
		assertThat(metrics.value("hotconnpool_handshakes_total", "host", host)).isEqualTo(6);
		assertThat(metrics.value("hotconnpool_requests_total", "host", host, "outcome", "success", "hot", "true"))
			.isGreaterThanOrEqualTo(1);
		assertThat(metrics.value("hotconnpool_requests_hot_total", "host", host)).isGreaterThanOrEqualTo(1);
		assertThat(metrics.value("hotconnpool_acquire_seconds_count", "host", host, "outcome", "acquired"))
			.isGreaterThanOrEqualTo(1);
		assertThat(metrics.value("hotconnpool_acquire_timeouts_total", "host", host)).isZero();
		assertThat(metrics.samples("hotconnpool_connections_retired_total", "host", host)).hasSize(8);
		assertThat(metrics.value("hotconnpool_connections_dns_new_total")).isZero();
		for (int i = 0; i < 3; i++) {
			String ip = this.origins.origin(i).ip();
			assertThat(metrics.value("hotconnpool_connection_connect_seconds_count", "host", host, "ip", ip))
				.isGreaterThanOrEqualTo(2);
			assertThat(metrics.value("hotconnpool_connection_handshake_seconds_count", "host", host, "ip", ip))
				.isGreaterThanOrEqualTo(2);
			assertThat(metrics.value("hotconnpool_probe_seconds_count", "host", host, "ip", ip, "outcome",
					"healthy"))
				.isGreaterThanOrEqualTo(2);
		}
		System.out.println("promtool check metrics " + (PrometheusText.checkWithPromtool(text) ? "passed"
				: "skipped: promtool is not installed"));
	}

	@Test
	void writeOperationsAreRefusedByDefault() {
		String host = "/actuator/hotconnpool/" + this.origins.target();
		for (String path : List.of("/actuator/hotconnpool", host)) {
			this.http.post().uri(path).exchange().expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED);
		}
		// No read operation shares the unblacklist path, so the refused write is simply not mapped.
		this.http.post().uri(host + "/" + this.origins.origin(0).ip()).exchange().expectStatus().isNotFound();
		assertThat(this.pool.stats().retiredByReason().get(RetireReason.FORCED)).isZero();
	}

	private static List<String> fieldNames(JsonNode node) {
		return StreamSupport.stream(node.propertyNames().spliterator(), false).toList();
	}

}
