package io.hotconnpool.actuate;

import io.hotconnpool.autoconfigure.HotConnPoolLifecycle;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolListener;
import io.hotconnpool.pool.HotConnPoolConfig;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A pool bean serving no host, so it starts without touching the network, built and started as the core
 * auto-configuration will: with every {@link HotConnPoolListener} bean, and a {@link HotConnPoolLifecycle}.
 */
@Configuration(proxyBeanMethods = false)
class PoolWithoutHosts {

	@Bean
	HotConnPool hotConnPool(ObjectProvider<HotConnPoolListener> listeners) {
		HotConnPool.Builder builder = HotConnPool.builder(new HotConnPoolConfig());
		listeners.orderedStream().forEach(builder::listener);
		return builder.build();
	}

	@Bean
	HotConnPoolLifecycle hotConnPoolLifecycle(HotConnPool pool) {
		return new HotConnPoolLifecycle(pool);
	}

}
