package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.util.Collection;
import java.util.function.UnaryOperator;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolSettings;
import okhttp3.Request;
import okhttp3.Response;

/**
 * hotconnpool as a peer: one host per target with the target's IPs as static addresses (no DNS), started and
 * warm before the first request is measured.
 */
public final class PoolPeer implements HttpPeer {

	private final HotConnPool pool;

	private PoolPeer(HotConnPool pool) {
		this.pool = pool;
	}

	/**
	 * Builds and starts (warms) a pool.
	 * @param tls the trusted CA
	 * @param targets the hosts
	 * @param slots warm connections per IP
	 * @param settings further changes to the settings, for example short health checks
	 * @return the started pool
	 */
	public static PoolPeer start(BenchmarkTls tls, Collection<Target> targets, int slots,
			UnaryOperator<HotConnPoolSettings.Builder> settings) {
		HotConnPoolSettings.Builder builder = HotConnPoolSettings.builder().trustStore(tls.trustStore());
		for (Target target : targets) {
			builder.host(target.hostAndPort(), (host) -> host.staticAddresses(target.addresses())
				.dnsEnabled(false)
				.connectionsPerIp(slots)
				.maxConnections(Math.max(16, target.addresses().size() * slots)));
		}
		HotConnPool pool = HotConnPool.builder(settings.apply(builder).build()).build();
		pool.start();
		return new PoolPeer(pool);
	}

	/** The pool, for its statistics. */
	public HotConnPool pool() {
		return this.pool;
	}

	@Override
	public String name() {
		return Contender.POOL;
	}

	@Override
	public int get(Target target) throws IOException {
		try (Response response = this.pool.execute(new Request.Builder().url(target.url()).build())) {
			response.body().string();
			return response.code();
		}
	}

	@Override
	public void close() {
		this.pool.close();
	}

}
