package io.hotconnpool.benchmarks;

import java.util.List;
import java.util.function.Function;
import java.util.function.Consumer;

import io.hotconnpool.pool.HotConnPoolConfig;

/**
 * A client under test and how to start it afresh against a set-up.
 *
 * @param name the name in reports
 * @param start starts the client (the pool is started and warm when this returns)
 */
public record Contender(String name, Function<ProxiedOrigins, HttpPeer> start) {

	/** The pool name in reports. */
	public static final String POOL = "hotconnpool (warm)";

	/**
	 * The pool and its three peers.
	 * @param slots the pool's warm connections per IP
	 * @param poolSettings changes to the pool's settings
	 * @return pool first, then OkHttp, Apache HttpClient 5 and the JDK client
	 */
	public static List<Contender> all(int slots, Consumer<HotConnPoolConfig> poolSettings) {
		return List.of(
				new Contender(POOL, (env) -> PoolPeer.start(env.tls(), env.targets(), slots, poolSettings)),
				new Contender("OkHttp (as shipped)", (env) -> Peers.okHttp(env.tls(), env.targets())),
				new Contender("Apache HttpClient 5 (pooling)", (env) -> Peers.apache(env.tls(), env.targets())),
				new Contender("JDK HttpClient", (env) -> Peers.jdk(env.tls())));
	}

}
