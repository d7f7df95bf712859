package io.hotconnpool.sample;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.hotconnpool.pool.BlacklistedIp;
import io.hotconnpool.pool.ConnectionStats;
import io.hotconnpool.pool.HostStats;
import io.hotconnpool.pool.PoolStats;
import io.hotconnpool.sample.demo.DemoOrigin;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard ({@code static/index.html}) in a real headless browser against the live sample app: what it renders
 * must be what {@code pool.stats()} says. Skipped when no chromium is installed, unless
 * {@code HOTCONNPOOL_REQUIRE_BROWSER=true} (as {@code .ci/run} sets it). Screenshots land in
 * {@code sample-app/target/dashboard*.png}.
 */
class DashboardBrowserTests extends SampleAppTestSupport {

	private static HeadlessChromium chromium;

	@TempDir
	Path work;

	@BeforeAll
	static void browser() {
		chromium = HeadlessChromium.find().orElse(null);
		if (chromium == null && HeadlessChromium.required()) {
			fail(HeadlessChromium.REQUIRE + "=true but no chromium was found on the PATH (nor in "
					+ HeadlessChromium.EXECUTABLE + "); on Debian: apt-get install chromium");
		}
	}

	@BeforeEach
	void browserPresent() {
		// Here rather than in @BeforeAll, so that each skipped test shows in the report (the context is shared).
		assumeTrue(chromium != null, "no chromium on the PATH: the dashboard's browser check is skipped");
	}

	@Test
	void rendersHostsIpsAndConnectionsOfTheLiveEndpoint() throws Exception {
		for (int i = 0; i < 3; i++) {
			this.http.get().uri("/demo/lease").retrieve().toBodilessEntity();
		}
		PoolStats stats = this.pool.stats();
		HostStats host = stats.hosts().get(0);

		Document page = render("http://127.0.0.1:" + this.port + "/", "dashboard.png");

		assertThat(page.body().attr("data-status")).isEqualTo("ok");
		assertThat(Integer.parseInt(page.body().attr("data-polls"))).isPositive();
		assertThat(page.getElementById("error").hasAttr("hidden")).isTrue();
		assertThat(counter(page, "totalRequests")).isEqualTo(stats.totalRequests()).isGreaterThanOrEqualTo(3);
		assertThat(counter(page, "hotHits")).isEqualTo(stats.hotHits());
		assertThat(counter(page, "handshakes")).isEqualTo(stats.handshakes());
		assertThat(counter(page, "totalConnections")).isEqualTo(stats.totalConnections());
		assertThat(counter(page, "retries")).isEqualTo(stats.retries());
		assertThat(counter(page, "leaksDetected")).isEqualTo(stats.leaksDetected());

		Elements hosts = page.getElementsByAttribute("data-host");
		assertThat(hosts.eachAttr("data-host")).containsExactly(this.origin.target());
		Element hostSection = hosts.first();
		Map<String, Element> ips = ipSections(hostSection);
		assertThat(ips).containsOnlyKeys(DemoOrigin.ADDRESSES);
		ips.values().forEach((ip) -> assertThat(ip.attr("data-ip-state")).isEqualTo("active"));

		Set<Long> live = host.connections().stream().map(ConnectionStats::id).collect(Collectors.toSet());
		assertThat(hostSection.getElementsByAttribute("data-connection-id").eachAttr("data-connection-id"))
			.map(Long::valueOf)
			.containsExactlyInAnyOrderElementsOf(live);
		for (ConnectionStats connection : host.connections()) {
			// Each connection is listed under its IP, with its slot, streams and request count; a health probe may
			// hold it.
			Element row = ips.get(connection.ip())
				.getElementsByAttributeValue("data-connection-id", String.valueOf(connection.id()))
				.first();
			assertThat(row).as("connection %d under %s", connection.id(), connection.ip()).isNotNull();
			assertThat(row.attr("data-state")).isIn("idle", "reserved");
			List<String> cells = row.select("td").eachText();
			assertThat(cells.get(1)).isEqualTo(String.valueOf(connection.slot()));
			assertThat(cells.get(5)).matches("[01] / " + connection.maxStreams());
			assertThat(cells.get(6)).isEqualTo(String.valueOf(connection.requests()));
		}
	}

	@Test
	void plotsLatencyAndHotRatioOfTheLastMinutes() throws Exception {
		for (int i = 0; i < 3; i++) {
			this.http.get().uri("/demo/lease").retrieve().toBodilessEntity();
		}
		PoolStats stats = this.pool.stats();
		Map<String, Object> timer = get("/actuator/metrics/hotconnpool.request");

		Document page = render("http://127.0.0.1:" + this.port + "/", "dashboard-charts.png");

		// The first point covers everything since start; later polls add none while no request runs.
		Element hotRatio = chart(page, "hotRatio");
		assertThat(Double.parseDouble(hotRatio.attr("data-last")))
			.isCloseTo((double) stats.hotHits() / stats.totalRequests(), within(1e-9));
		Element latency = chart(page, "millis");
		assertThat(Double.parseDouble(latency.attr("data-last")))
			.isCloseTo(statistic(timer, "TOTAL_TIME") * 1000 / statistic(timer, "COUNT"), within(1e-6))
			.isPositive();
		assertThat(latency.getElementsByTag("polyline")).hasSize(1);
		assertThat(latency.getElementsByTag("circle")).hasSize(Integer.parseInt(latency.attr("data-points")));
	}

	@Test
	void showsABlacklistedIpWithReasonAndReprobeTime() throws Exception {
		Map<String, Object> forbidden = get("/demo/forbidden");
		String ip = (String) forbidden.get("ip");
		try {
			assertThat(forbidden).containsEntry("status", 403).containsEntry("blacklisted", true);
			BlacklistedIp entry = this.pool.stats()
				.hosts()
				.get(0)
				.blacklisted()
				.stream()
				.filter((blacklisted) -> blacklisted.ip().equals(ip))
				.findFirst()
				.orElseThrow();

			Document page = render("http://127.0.0.1:" + this.port + "/", "dashboard-blacklist.png");

			Element ipSection = ipSections(page.body()).get(ip);
			assertThat(ipSection).as("section of %s", ip).isNotNull();
			assertThat(ipSection.attr("data-ip-state")).isEqualTo("blacklisted");
			assertThat(ipSection.getElementsByAttribute("data-connection-id")).isEmpty();
			Element blacklist = ipSection.getElementsByAttributeValue("data-blacklist", ip).first();
			assertThat(blacklist).isNotNull();
			assertThat(blacklist.text()).contains(entry.reason()).contains("status 403 on GET");
			assertThat(blacklist.select("time").eachAttr("datetime")).map(Instant::parse)
				.containsExactly(entry.since(), entry.until());
			assertThat(blacklist.getElementsByAttribute("data-source").attr("data-source")).isEqualTo("local");
			assertThat(counter(page, "blacklistedIps")).isEqualTo(1);
		}
		finally {
			this.pool.unblacklist(this.origin.target(), InetAddress.getByName(ip));
			awaitWarm(); // the next test finds every slot warm again
		}
	}

	@Test
	void namesTheFleetInstanceThatReportedAnEntry() throws Exception {
		HostStats host = this.pool.stats().hosts().get(0);
		String ip = host.addresses().get(0);
		assertThat(this.pool.blacklist(host.host() + ":" + host.port(), InetAddress.getByName(ip),
				"status 403 on GET", Instant.now().plusSeconds(60), "pod-7")).isTrue();
		try {
			Document page = render("http://127.0.0.1:" + this.port + "/", "dashboard-fleet.png");

			Element blacklist = ipSections(page.body()).get(ip).getElementsByAttributeValue("data-blacklist", ip).first();
			assertThat(blacklist).isNotNull();
			assertThat(blacklist.getElementsByAttribute("data-source").attr("data-source")).isEqualTo("pod-7");
			assertThat(blacklist.text()).contains("Reported by fleet instance pod-7");
		}
		finally {
			this.pool.unblacklist(this.origin.target(), InetAddress.getByName(ip));
			awaitWarm();
		}
	}

	@Test
	void showsAnErrorBannerWhenTheEndpointCannotBeReached() throws Exception {
		// The same page from a file: its relative actuator URL cannot be fetched.
		String file = new ClassPathResource("static/index.html").getFile().toURI().toString();

		Document page = render(file, null);

		assertThat(page.body().attr("data-status")).isEqualTo("error");
		Element banner = page.getElementById("error");
		assertThat(banner.hasAttr("hidden")).isFalse();
		assertThat(banner.attr("role")).isEqualTo("alert");
		assertThat(banner.text()).startsWith("Cannot reach /actuator/hotconnpool: ");
		assertThat(page.getElementsByAttribute("data-host")).isEmpty();
	}

	private Document render(String url, String screenshot) throws Exception {
		return chromium.render(url, (screenshot != null) ? Path.of("target", screenshot) : null, this.work);
	}

	/** The IP sections under {@code parent}, by IP (connection rows carry {@code data-ip} as well). */
	private static Map<String, Element> ipSections(Element parent) {
		return parent.select("section.ip")
			.stream()
			.collect(Collectors.toMap((ip) -> ip.attr("data-ip"), Function.identity()));
	}

	private static Element chart(Document page, String name) {
		Element chart = page.getElementsByAttributeValue("data-chart", name).first();
		assertThat(chart).as("chart %s", name).isNotNull();
		assertThat(Integer.parseInt(chart.attr("data-points"))).as("points of %s", name).isPositive();
		return chart;
	}

	@SuppressWarnings("unchecked")
	private static double statistic(Map<String, Object> metric, String statistic) {
		return ((List<Map<String, Object>>) metric.get("measurements")).stream()
			.filter((measurement) -> statistic.equals(measurement.get("statistic")))
			.mapToDouble((measurement) -> ((Number) measurement.get("value")).doubleValue())
			.sum();
	}

	private static long counter(Document page, String name) {
		Element counter = page.getElementsByAttributeValue("data-counter", name).first();
		assertThat(counter).as("counter %s", name).isNotNull();
		return Long.parseLong(counter.attr("data-value"));
	}

}
