package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.hotconnpool.http.HotConnPoolClientHttpRequestFactory;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HostConfig;
import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.pool.TlsMaterial;
import io.hotconnpool.test.TestTls;
import okhttp3.Request;
import okhttp3.Response;

import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;

/**
 * hotconnpool as a peer: one host per target with the target's IPs as static addresses (no DNS), started and
 * warm before the first request is measured. Requests go through {@link HotConnPool#execute}, or through the
 * pool's {@link ClientHttpRequestFactory} as {@code RestClient} sends them.
 */
public final class PoolPeer implements HttpPeer {

	/** The pool's name in reports when it runs through its {@code ClientHttpRequestFactory}. */
	public static final String REQUEST_FACTORY = "hotconnpool (ClientHttpRequestFactory)";

	private final HotConnPool pool;

	/** Null: requests go through {@link HotConnPool#execute}. */
	private final ClientHttpRequestFactory requestFactory;

	private final Map<Target, URI> uris = new ConcurrentHashMap<>();

	private PoolPeer(HotConnPool pool, ClientHttpRequestFactory requestFactory) {
		this.pool = pool;
		this.requestFactory = requestFactory;
	}

	/**
	 * Builds and starts (warms) a pool.
	 * @param tls the trusted CA
	 * @param targets the hosts
	 * @param slots warm connections per IP
	 * @param settings further changes to the settings, for example short health checks
	 * @return the started pool
	 */
	public static PoolPeer start(TestTls tls, Collection<Target> targets, int slots,
			Consumer<HotConnPoolConfig> settings) {
		return new PoolPeer(started(tls, targets, (host, target) -> {
			host.setConnectionsPerIp(slots);
			host.setMaxConnections(Math.max(16, target.addresses().size() * slots));
		}, settings), null);
	}

	/**
	 * Builds and starts (warms) a pool with the default settings but its sizes.
	 * @param tls the trusted CA
	 * @param targets the hosts
	 * @param slots warm connections per IP
	 * @return the started pool
	 */
	public static PoolPeer start(TestTls tls, Collection<Target> targets, int slots) {
		return start(tls, targets, slots, (settings) -> {
		});
	}

	/**
	 * Builds and starts (warms) a pool at its default sizes: {@code connections-per-ip} and
	 * {@code max-connections-per-host} as a user who sets neither gets them.
	 * @param tls the trusted CA
	 * @param targets the hosts
	 * @param viaRequestFactory whether requests go through the pool's {@code ClientHttpRequestFactory} rather than
	 * {@link HotConnPool#execute}
	 * @return the started pool
	 */
	public static PoolPeer startWithDefaultSizes(TestTls tls, Collection<Target> targets,
			boolean viaRequestFactory) {
		HotConnPool pool = started(tls, targets, (host, target) -> {
		}, (settings) -> {
		});
		return new PoolPeer(pool, viaRequestFactory ? new HotConnPoolClientHttpRequestFactory(pool) : null);
	}

	private static HotConnPool started(TestTls tls, Collection<Target> targets,
			BiConsumer<HostConfig, Target> sizes, Consumer<HotConnPoolConfig> settings) {
		HotConnPoolConfig config = new HotConnPoolConfig();
		config.getTls().useMaterial(new TlsMaterial(tls.trustStore(), null));
		for (Target target : targets) {
			HostConfig host = config.addHost(target.hostAndPort());
			host.setAddresses(target.addresses().stream().map(InetAddress::getHostAddress).toList());
			host.setDnsEnabled(false);
			sizes.accept(host, target);
		}
		settings.accept(config);
		HotConnPool pool = HotConnPool.builder(config).build();
		pool.start();
		return pool;
	}

	/** The pool, for its statistics. */
	public HotConnPool pool() {
		return this.pool;
	}

	@Override
	public String name() {
		return (this.requestFactory != null) ? REQUEST_FACTORY : Contender.POOL;
	}

	@Override
	public int get(Target target) throws IOException {
		if (this.requestFactory != null) {
			URI uri = this.uris.computeIfAbsent(target, (key) -> key.url().uri());
			try (ClientHttpResponse response = this.requestFactory.createRequest(uri, HttpMethod.GET).execute()) {
				response.getBody().readAllBytes();
				return response.getStatusCode().value();
			}
		}
		try (Response response = execute(target)) {
			response.body().string();
			return response.code();
		}
	}

	/** Over {@link HotConnPool#execute} either way: a {@code ClientHttpResponse} does not tell the protocol. */
	@Override
	public String protocol(Target target) throws IOException {
		try (Response response = execute(target)) {
			response.body().string();
			return response.protocol().toString();
		}
	}

	private Response execute(Target target) throws IOException {
		return this.pool.execute(new Request.Builder().url(target.url()).build());
	}

	@Override
	public void close() {
		this.pool.close();
	}

}
