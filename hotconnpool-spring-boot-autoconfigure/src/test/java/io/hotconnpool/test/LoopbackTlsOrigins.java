package io.hotconnpool.test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import io.hotconnpool.pool.HostResolver;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HostConfig;
import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.pool.PoolStats;
import io.hotconnpool.pool.TlsMaterial;
import okhttp3.Protocol;
import okhttp3.tls.HeldCertificate;

import org.springframework.test.context.DynamicPropertyRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pool's fixture: {@link TlsOrigins} from the test-support module (real TLS origins for one host name, one per
 * loopback address on one shared port, certificates from the shared test CA) plus what only the pool's own tests can
 * have, because the test-support module must not depend on the pool: the resolver as a {@link HostResolver}, pool
 * settings that trust the test CA, and a pool over the origins. Every test that builds a pool over origins builds it
 * here.
 */
public final class LoopbackTlsOrigins extends TlsOrigins {

	private LoopbackTlsOrigins(TlsOrigins started) {
		super(started);
	}

	/**
	 * Starts origins for {@link #HOST} on 127.0.0.2 and up, speaking HTTP/2 and HTTP/1.1.
	 * @param ips how many addresses
	 * @return the running origins
	 * @throws IOException when no common free port was found
	 */
	public static LoopbackTlsOrigins start(int ips) throws IOException {
		return start(builder().ips(ips));
	}

	/**
	 * Starts origins for {@link #HOST} on 127.0.0.2 and up.
	 * @param ips how many addresses
	 * @param protocols the protocols the servers offer
	 * @return the running origins
	 * @throws IOException when no common free port was found
	 */
	public static LoopbackTlsOrigins start(int ips, List<Protocol> protocols) throws IOException {
		return start(builder().ips(ips).protocols(protocols));
	}

	/**
	 * Starts origins that serve {@link #HOST} on 127.0.0.2 and up with a certificate issued for another name: a
	 * client that verifies host names refuses them.
	 * @param certificateHost the host name the certificate is issued for
	 * @param ips how many addresses
	 * @return the running origins
	 * @throws IOException when no common free port was found
	 */
	public static LoopbackTlsOrigins startWithCertificateFor(String certificateHost, int ips) throws IOException {
		return start(builder().ips(ips).certificateFor(certificateHost));
	}

	/**
	 * Starts origins for {@code host} on the given loopback addresses, speaking HTTP/2 and HTTP/1.1.
	 * @param host the host name they serve and the certificate is issued for
	 * @param addresses loopback addresses such as {@code 127.0.0.1}
	 * @return the running origins
	 * @throws IOException when no common free port was found
	 */
	public static LoopbackTlsOrigins start(String host, String... addresses) throws IOException {
		List<InetAddress> resolved = new ArrayList<>();
		for (String address : addresses) {
			resolved.add(InetAddress.getByName(address));
		}
		return start(builder().host(host).addresses(resolved));
	}

	/**
	 * As {@link #start(int)}, for a static field.
	 * @param ips how many addresses
	 * @return the running origins
	 * @throws UncheckedIOException when no common free port was found
	 */
	public static LoopbackTlsOrigins startUnchecked(int ips) {
		try {
			return start(ips);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Starts what a builder describes.
	 * @param builder from {@link #builder()}
	 * @return the running origins
	 * @throws IOException when no common free port was found
	 */
	public static LoopbackTlsOrigins start(Builder builder) throws IOException {
		return new LoopbackTlsOrigins(builder.start());
	}

	/**
	 * A server certificate for {@code host}, issued by the test CA the trust stores hold: for test servers that are
	 * not mockwebserver3.
	 * @param host the host name the certificate is issued for
	 * @return the certificate with its private key
	 */
	public static HeldCertificate serverCertificate(String host) {
		return TestTls.shared().serverCertificate(host);
	}

	/**
	 * The test CA's certificate in PEM, for an SSL bundle's trust store.
	 * @return the PEM text
	 */
	public static String caCertificatePem() {
		return TestTls.shared().caPem();
	}

	/**
	 * A trust store holding only the test CA.
	 * @return a PKCS12 key store
	 */
	public static KeyStore trustStore() {
		return TestTls.shared().trustStore();
	}

	/**
	 * A trust store holding a CA that signed none of the origins' certificates.
	 * @return a PKCS12 key store
	 */
	public static KeyStore unrelatedTrustStore() {
		return TestTls.create(List.of(), List.of()).trustStore();
	}

	/**
	 * A resolver that answers the host name with these origins' addresses and refuses every other name.
	 * @return the resolver
	 */
	public HostResolver resolver() {
		return this::resolve;
	}

	/**
	 * Configures these origins as the application's first host ({@code hotconnpool.hosts[0]}, addresses given, no
	 * DNS), trusted through an SSL bundle {@code test-ca} that holds the test CA.
	 * @param registry the test's dynamic properties
	 */
	public void registerAsFirstHost(DynamicPropertyRegistry registry) {
		registry.add("hotconnpool.hosts[0].host", this::target);
		registry.add("hotconnpool.hosts[0].addresses", this::addresses);
		registry.add("hotconnpool.hosts[0].dns-enabled", () -> "false");
		registry.add("hotconnpool.hosts[0].tls.bundle", () -> "test-ca");
		registry.add("spring.ssl.bundle.pem.test-ca.truststore.certificate", LoopbackTlsOrigins::caCertificatePem);
	}

	/**
	 * Runs a request and asserts the pool served it hot: no new TLS handshake, one more hot hit, the lease given
	 * back, and no new connection at the origins.
	 * @param pool the pool the request goes through
	 * @param request the request, asserting its own answer
	 */
	public void assertServedHot(HotConnPool pool, Runnable request) {
		PoolStats warm = pool.stats();
		int serverConnections = connections();

		request.run();

		PoolStats after = pool.stats();
		assertThat(after.handshakes()).as("no new TLS handshake").isEqualTo(warm.handshakes());
		assertThat(after.hotHits()).isEqualTo(warm.hotHits() + 1);
		assertThat(after.activeConnections()).as("lease given back").isZero();
		assertThat(connections()).as("no new server connection").isEqualTo(serverConnections);
	}

	/**
	 * A host's sizes, for {@link #config(Consumer)} and its variants.
	 * @param connectionsPerIp the connections kept warm per IP
	 * @param maxConnections the host's maximum, on-demand connections included
	 * @return how to configure the host
	 */
	public static Consumer<HostConfig> sizes(int connectionsPerIp, int maxConnections) {
		return (host) -> {
			host.setConnectionsPerIp(connectionsPerIp);
			host.setMaxConnections(maxConnections);
		};
	}

	/**
	 * A pool configuration for these origins: the test CA trusted, a 5 s acquire timeout, one host.
	 * @param host how to configure the host
	 * @return the configuration
	 */
	public HotConnPoolConfig config(Consumer<HostConfig> host) {
		return config(host, (pool) -> {
		});
	}

	/**
	 * As {@link #config(Consumer)}, then changes to the pool-wide values.
	 * @param host how to configure the host
	 * @param pool how to configure the pool
	 * @return the configuration
	 */
	public HotConnPoolConfig config(Consumer<HostConfig> host, Consumer<HotConnPoolConfig> pool) {
		HotConnPoolConfig config = new HotConnPoolConfig();
		config.getTls().useMaterial(new TlsMaterial(trustStore(), null));
		config.setAcquireTimeout(Duration.ofSeconds(5));
		host.accept(config.addHost(target()));
		pool.accept(config);
		return config;
	}

	/**
	 * As {@link #config(Consumer, Consumer)} with maintenance every 200 ms (health checks of connections idle for
	 * 100 ms, clean-up, blacklist re-probes), for tests that watch it act.
	 * @param host how to configure the host
	 * @param pool further changes to the pool-wide values
	 * @return the configuration
	 */
	public HotConnPoolConfig configWithFastMaintenance(Consumer<HostConfig> host, Consumer<HotConnPoolConfig> pool) {
		return config(host, (config) -> {
			config.setHealthCheckInterval(Duration.ofMillis(200));
			config.setHealthCheckIdleThreshold(Duration.ofMillis(100));
			config.setCleanupInterval(Duration.ofMillis(200));
			config.getBlacklist().setCheckInterval(Duration.ofMillis(200));
			pool.accept(config);
		});
	}

	/**
	 * A pool over these origins, resolved by {@link #resolver()}, not started.
	 * @param config the pool's configuration
	 * @return the pool
	 */
	public HotConnPool pool(HotConnPoolConfig config) {
		return HotConnPool.builder(config).resolver(resolver()).build();
	}

}
