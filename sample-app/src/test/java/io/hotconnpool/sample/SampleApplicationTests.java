package io.hotconnpool.sample;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.hotconnpool.pool.PoolStats;
import io.hotconnpool.sample.demo.DemoOrigin;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls every demo endpoint and the actuator (health, hotconnpool, metrics, prometheus) of the live sample app over
 * HTTP: the requests must have been served on connections warmed at start, with no new connection or handshake.
 */
class SampleApplicationTests extends SampleAppTestSupport {

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
	@SuppressWarnings("unchecked")
	void healthIsUpWithThePoolsIndicator() {
		Map<String, Object> body = get("/actuator/health");
		assertThat(body).containsEntry("status", "UP");
		Map<String, Object> hotconnpool = (Map<String, Object>) ((Map<String, Object>) body.get("components"))
			.get("hotconnpool");
		assertThat(hotconnpool).containsEntry("status", "UP");
		Map<String, Object> hosts = (Map<String, Object>) ((Map<String, Object>) hotconnpool.get("details"))
			.get("hosts");
		assertThat((Map<String, Object>) hosts.get(this.origin.target())).containsEntry("status", "UP")
			.containsEntry("healthy", WARM_CONNECTIONS);
		// The pool's indicator gates readiness: no traffic before warm-up.
		assertThat(get("/actuator/health/readiness")).containsEntry("status", "UP");
	}

	@Test
	@SuppressWarnings("unchecked")
	void actuatorShowsThatWarmConnectionsServedTheRequests() {
		Map<String, Object> before = get("/actuator/hotconnpool");
		double hotBefore = requestCount("hot:true");
		double coldBefore = requestCount("hot:false");
		double handshakesBefore = measurement("/actuator/metrics/hotconnpool.handshakes");

		get("/demo/rest-client");
		get("/demo/lease");
		get("/demo/compare"); // one request on the pool, one on a cold client outside it

		Map<String, Object> after = get("/actuator/hotconnpool");
		assertThat(delta(before, after, "totalRequests")).isEqualTo(3);
		assertThat(delta(before, after, "hotHits")).isEqualTo(3);
		assertThat(delta(before, after, "failedRequests")).isZero();
		assertThat(delta(before, after, "handshakes")).isZero();
		assertThat(delta(before, after, "connectionsCreated")).isZero();
		assertThat(requestCount("hot:true") - hotBefore).isEqualTo(3);
		assertThat(requestCount("hot:false") - coldBefore).isZero();
		assertThat(measurement("/actuator/metrics/hotconnpool.handshakes")).isEqualTo(handshakesBefore);

		assertThat(after).containsEntry("running", true).containsEntry("blacklistedIps", 0);
		List<Map<String, Object>> hosts = (List<Map<String, Object>>) after.get("hosts");
		assertThat(hosts).singleElement().satisfies((host) -> {
			assertThat(host).containsEntry("host", this.origin.target())
				.containsEntry("totalConnections", WARM_CONNECTIONS);
			assertThat((List<Map<String, Object>>) host.get("ips")).extracting((ip) -> ip.get("ip"))
				.containsExactlyInAnyOrderElementsOf(DemoOrigin.ADDRESSES);
			assertThat((List<Map<String, Object>>) host.get("connections")).hasSize(WARM_CONNECTIONS)
				.allSatisfy((connection) -> assertThat(connection).containsEntry("protocol", "h2"));
		});
	}

	@Test
	void prometheusScrapeCountsHotRequestsAndNoHandshake() {
		String before = scrape();
		get("/demo/lease");
		String after = scrape();
		assertThat(sum(after, "hotconnpool_requests_total", "hot=\"true\"")
				- sum(before, "hotconnpool_requests_total", "hot=\"true\"")).isEqualTo(1);
		assertThat(sum(after, "hotconnpool_requests_total", "hot=\"false\""))
			.isEqualTo(sum(before, "hotconnpool_requests_total", "hot=\"false\""));
		assertThat(sum(after, "hotconnpool_handshakes_total", "host=\"" + this.origin.target() + "\""))
			.isEqualTo(sum(before, "hotconnpool_handshakes_total", "host=\"" + this.origin.target() + "\""))
			.isPositive();
	}

	@Test
	void everyMetricTheGrafanaDashboardQueriesIsInTheScrape() throws Exception {
		get("/demo/lease");
		String scrape = scrape();
		String dashboard = Files.readString(Path.of("..", "docs", "grafana", "hotconnpool-dashboard.json"));
		Set<String> queried = new TreeSet<>();
		Matcher metric = Pattern.compile("hotconnpool_[a-z_]+").matcher(dashboard);
		while (metric.find()) {
			queried.add(metric.group());
		}
		assertThat(queried).as("the dashboard's queries").hasSizeGreaterThan(10);
		assertThat(queried).as("metrics the dashboard queries but the sample's scrape lacks")
			.allSatisfy((name) -> assertThat(scrape).containsPattern("(?m)^" + name + "[{ ]"));
	}

	@Test
	void forbiddenEndpointShowsTheBlacklist() throws Exception {
		Map<String, Object> body = get("/demo/forbidden");
		String ip = (String) body.get("ip");
		try {
			assertThat(body).containsEntry("status", 403)
				.containsEntry("blacklisted", true)
				.containsEntry("reason", "status 403 on GET");
			assertThat(this.pool.stats().blacklistedIps()).isEqualTo(1);
		}
		finally {
			this.pool.unblacklist(this.origin.target(), InetAddress.getByName(ip));
		}
	}

	@Test
	void demoOriginRunsOnTheConfiguredPort() {
		assertThat(this.pool.stats().hosts()).singleElement().satisfies((host) -> {
			assertThat(host.host()).isEqualTo(DemoOrigin.HOST);
			assertThat(host.port()).isEqualTo(this.origin.port());
			assertThat(host.addresses()).containsExactlyInAnyOrderElementsOf(DemoOrigin.ADDRESSES);
		});
	}

	private static long delta(Map<String, Object> before, Map<String, Object> after, String counter) {
		return ((Number) after.get(counter)).longValue() - ((Number) before.get(counter)).longValue();
	}

	/** {@code hotconnpool.requests} over every IP and outcome, for one {@code hot} tag value. */
	private double requestCount(String hotTag) {
		return measurement("/actuator/metrics/hotconnpool.requests?tag=" + hotTag);
	}

	@SuppressWarnings("unchecked")
	private double measurement(String path) {
		List<Map<String, Object>> measurements = (List<Map<String, Object>>) get(path).get("measurements");
		return measurements.stream()
			.filter((measurement) -> "COUNT".equals(measurement.get("statistic")))
			.mapToDouble((measurement) -> ((Number) measurement.get("value")).doubleValue())
			.sum();
	}

	private String scrape() {
		return this.http.get().uri("/actuator/prometheus").retrieve().body(String.class);
	}

	/** The sum of the samples of {@code name} whose labels contain {@code label}. */
	private static double sum(String scrape, String name, String label) {
		Matcher sample = Pattern.compile("^" + name + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE).matcher(scrape);
		double sum = 0;
		while (sample.find()) {
			if (sample.group(1).contains(label)) {
				sum += Double.parseDouble(sample.group(2));
			}
		}
		return sum;
	}

}
