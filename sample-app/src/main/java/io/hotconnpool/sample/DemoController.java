package io.hotconnpool.sample;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.hotconnpool.pool.BlacklistedIp;
import io.hotconnpool.pool.ConnectionStats;
import io.hotconnpool.pool.HostStats;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.Lease;
import io.hotconnpool.pool.PoolStats;
import io.hotconnpool.sample.demo.DemoOrigin;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.HandshakeCertificates;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.server.ResponseStatusException;

/**
 * The demo endpoints: the same GET to the demo host through Boot's {@link RestClient} (routed through the pool),
 * through a lease taken directly from the pool, and compared with a cold client; and one that gets an IP
 * blacklisted.
 */
@RestController
@RequestMapping("/demo")
public class DemoController {

	private final HotConnPool pool;

	private final RequestRecorder recorder;

	private final ObjectProvider<DemoOrigin> demoOrigin;

	private final RestClient restClient;

	private final String target;

	private final String host;

	private final String url;

	public DemoController(HotConnPool pool, RequestRecorder recorder, ObjectProvider<DemoOrigin> demoOrigin,
			RestClient.Builder restClientBuilder, @Value("${demo.target}") String target,
			@Value("${demo.path:/}") String path) {
		this.pool = pool;
		this.recorder = recorder;
		this.demoOrigin = demoOrigin;
		this.target = target;
		this.host = target.contains(":") ? target.substring(0, target.indexOf(':')) : target;
		this.url = "https://" + target + path;
		// Boot's builder: with hotconnpool.http.rest-client.enabled=true its request factory is the pool's.
		this.restClient = restClientBuilder.build();
	}

	/** A GET through Boot's RestClient; the pool's counters before and after show it ran on a warm connection. */
	@GetMapping("/rest-client")
	public Map<String, Object> restClient() {
		PoolStats before = this.pool.stats();
		this.recorder.take();
		long start = System.nanoTime();
		String body = this.restClient.get().uri(this.url).retrieve().body(String.class);
		double millis = millisSince(start);
		RequestRecorder.Served served = this.recorder.take();
		PoolStats after = this.pool.stats();
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("url", this.url);
		result.put("client", "RestClient from Boot's RestClient.Builder (hotconnpool.http.rest-client.enabled=true)");
		result.put("servedByIp", (served != null) ? served.ip() : null);
		result.put("hot", (served != null) && served.hot());
		result.put("millis", millis);
		result.put("hotHitsDelta", after.hotHits() - before.hotHits());
		result.put("handshakesDelta", after.handshakes() - before.handshakes());
		result.put("body", body);
		return result;
	}

	/** A GET on a connection leased with {@code pool.acquire}: which IP and slot served it, and whether it was hot. */
	@GetMapping("/lease")
	public Map<String, Object> lease() throws IOException, InterruptedException {
		this.recorder.take();
		Map<String, Object> result = new LinkedHashMap<>();
		try (Lease lease = this.pool.acquire(this.target)) {
			long start = System.nanoTime();
			try (Response response = lease.execute(new Request.Builder().url(this.url).build())) {
				String body = response.body().string();
				double millis = millisSince(start);
				RequestRecorder.Served served = this.recorder.take();
				ConnectionStats connection = lease.stats();
				result.put("url", this.url);
				result.put("ip", lease.ip().getHostAddress());
				result.put("slot", connection.slot());
				result.put("connectionId", connection.id());
				result.put("protocol", connection.protocol());
				result.put("requestsOnConnection", connection.requests());
				result.put("hot", (served != null) && served.hot());
				result.put("status", response.code());
				result.put("millis", millis);
				result.put("body", body);
			}
		}
		return result;
	}

	/** One GET on a hot pooled connection against one on a freshly built OkHttp client (connect + TLS handshake). */
	@GetMapping("/compare")
	public Map<String, Object> compare() throws IOException {
		Request request = new Request.Builder().url(this.url).build();
		this.recorder.take();
		long hotStart = System.nanoTime();
		int hotStatus;
		try (Response response = this.pool.execute(request)) {
			response.body().string();
			hotStatus = response.code();
		}
		double hotMillis = millisSince(hotStart);
		RequestRecorder.Served served = this.recorder.take();

		OkHttpClient cold = coldClient();
		long coldStart = System.nanoTime();
		int coldStatus;
		String coldProtocol;
		try (Response response = cold.newCall(request).execute()) {
			response.body().string();
			coldStatus = response.code();
			coldProtocol = response.protocol().toString();
		}
		finally {
			cold.connectionPool().evictAll();
			cold.dispatcher().executorService().shutdown();
		}
		double coldMillis = millisSince(coldStart);

		Map<String, Object> hot = new LinkedHashMap<>();
		hot.put("millis", hotMillis);
		hot.put("status", hotStatus);
		hot.put("servedByIp", (served != null) ? served.ip() : null);
		hot.put("hot", (served != null) && served.hot());
		Map<String, Object> coldResult = new LinkedHashMap<>();
		coldResult.put("millis", coldMillis);
		coldResult.put("status", coldStatus);
		coldResult.put("protocol", coldProtocol);
		coldResult.put("note", "new OkHttpClient: DNS, TCP connect and TLS handshake on the request path");
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("url", this.url);
		result.put("hot", hot);
		result.put("cold", coldResult);
		result.put("coldOverHot", (hotMillis > 0) ? Math.round(coldMillis / hotMillis * 10) / 10.0 : null);
		return result;
	}

	/**
	 * A GET that the demo origin answers 403: the pool blacklists the IP that answered (until
	 * {@code hotconnpool.blacklist.ttl} has passed and a re-probe succeeds) and retires its connections. Only with
	 * the embedded demo origin (404 otherwise): a real host would not answer 403 on purpose.
	 */
	@GetMapping("/forbidden")
	public Map<String, Object> forbidden() throws IOException {
		if (this.demoOrigin.getIfAvailable() == null) {
			throw new ResponseStatusException(HttpStatus.NOT_FOUND, "Only with the embedded demo origin");
		}
		String forbiddenUrl = "https://" + this.target + DemoOrigin.FORBIDDEN_PATH;
		this.recorder.take();
		int status;
		try (Response response = this.pool.execute(new Request.Builder().url(forbiddenUrl).build())) {
			status = response.code();
		}
		RequestRecorder.Served served = this.recorder.take();
		String ip = (served != null) ? served.ip() : null;
		BlacklistedIp entry = this.pool.stats()
			.hosts()
			.stream()
			.flatMap((stats) -> stats.blacklisted().stream())
			.filter((blacklisted) -> blacklisted.ip().equals(ip))
			.findFirst()
			.orElse(null);
		Map<String, Object> result = new LinkedHashMap<>();
		result.put("url", forbiddenUrl);
		result.put("ip", ip);
		result.put("status", status);
		result.put("blacklisted", entry != null);
		if (entry != null) {
			result.put("reason", entry.reason());
			result.put("until", entry.until().toString());
		}
		return result;
	}

	/** A new client with nothing pooled; it trusts the demo CA when the demo origin runs, and pins its addresses. */
	private OkHttpClient coldClient() {
		OkHttpClient.Builder builder = new OkHttpClient.Builder().connectTimeout(5, TimeUnit.SECONDS)
			.readTimeout(10, TimeUnit.SECONDS)
			.callTimeout(30, TimeUnit.SECONDS);
		DemoOrigin origin = this.demoOrigin.getIfAvailable();
		if (origin != null) {
			HandshakeCertificates certificates = origin.clientCertificates();
			builder.sslSocketFactory(certificates.sslSocketFactory(), certificates.trustManager());
		}
		List<String> staticAddresses = this.pool.stats()
			.hosts()
			.stream()
			.filter((stats) -> stats.host().equalsIgnoreCase(this.host))
			.map(HostStats::addresses)
			.findFirst()
			.orElse(List.of());
		if (origin != null && !staticAddresses.isEmpty()) {
			builder.dns(pinned(this.host, staticAddresses));
		}
		return builder.build();
	}

	private static Dns pinned(String host, List<String> addresses) {
		return (hostname) -> {
			if (!hostname.equalsIgnoreCase(host)) {
				return Dns.SYSTEM.lookup(hostname);
			}
			List<InetAddress> resolved = new ArrayList<>();
			for (String address : addresses) {
				resolved.add(InetAddress.getByName(address)); // IP literals: no lookup
			}
			if (resolved.isEmpty()) {
				throw new UnknownHostException(hostname);
			}
			return resolved;
		};
	}

	private static double millisSince(long start) {
		return Math.round((System.nanoTime() - start) / 10_000.0) / 100.0;
	}

}
