package io.hotconnpool.actuate;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolListener;
import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.test.LoopbackTlsOrigins;
import okhttp3.Protocol;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * An application with the actuator, Prometheus and a pool over three real TLS origins, its maintenance on short
 * intervals. The pool is built here as the core auto-configuration will build it: with every
 * {@link HotConnPoolListener} bean, which brings in {@link HotConnPoolMetrics}.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
class ActuatorTestApplication {

	/** Three origins; HTTP/1.1 only with {@code test.origins.http1-only=true}, where socket effects apply. */
	@Bean(destroyMethod = "close")
	LoopbackTlsOrigins testOrigins(@Value("${test.origins.http1-only:false}") boolean http1Only) throws IOException {
		return http1Only ? LoopbackTlsOrigins.start(3, List.of(Protocol.HTTP_1_1)) : LoopbackTlsOrigins.start(3);
	}

	@Bean
	HotConnPool hotConnPool(LoopbackTlsOrigins origins, ObjectProvider<HotConnPoolListener> listeners) {
		HotConnPool.Builder builder = HotConnPool.builder(config(origins)).resolver(origins.resolver());
		listeners.orderedStream().forEach(builder::listener);
		return builder.build();
	}

	/** The actuator tests' configuration: two connections per IP, maintenance every 200 ms. */
	static HotConnPoolConfig config(LoopbackTlsOrigins origins) {
		return config(origins, (pool) -> {
		});
	}

	/** As {@link #config(LoopbackTlsOrigins)}, then changes to the pool-wide values. */
	static HotConnPoolConfig config(LoopbackTlsOrigins origins, Consumer<HotConnPoolConfig> pool) {
		return origins.configWithFastMaintenance((host) -> host.setConnectionsPerIp(2), pool);
	}

}
