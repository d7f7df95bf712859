package io.hotconnpool.pool;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.hotconnpool.tls.NoDelaySocketFactory;
import io.hotconnpool.tls.TlsContext;
import io.hotconnpool.tls.TlsProfile;
import io.hotconnpool.tls.TlsSelfTest;
import okhttp3.OkHttpClient;

/**
 * The OkHttp clients the pool's connections derive from, one per TLS material and profile, and the start-up
 * self-test of the profiles in use. Lives as long as the pool: a restart reuses them.
 */
final class TlsClients {

	private final HotConnPoolConfig config;

	private final Consumer<OkHttpClient.Builder> customizer;

	private final Map<TlsSetup, OkHttpClient> baseClients = new ConcurrentHashMap<>();

	private final TlsContext defaultTls;

	private volatile List<TlsSelfTest.Result> selfTests = List.of();

	TlsClients(HotConnPoolConfig config, Consumer<OkHttpClient.Builder> customizer) {
		this.config = config;
		this.customizer = customizer;
		this.defaultTls = new TlsSetup(config.defaultTls(), TlsProfile.defaultProfile()).context(config);
		// Built now so that bad trust material, a profile the stack cannot produce (strict mode) or a missing TLS
		// provider fails when the pool is built, not at first use.
		config.defaultTlsProfiles().forEach((profile) -> baseClient(config.defaultTls(), profile));
		config.hostSettings().forEach((host) -> host.tlsProfiles().forEach((profile) -> baseClient(host.tls(), profile)));
	}

	OkHttpClient baseClient(TlsMaterial material, TlsProfile profile) {
		return this.baseClients.computeIfAbsent(new TlsSetup(material, profile),
				(setup) -> newBaseClient(setup, setup.context(this.config), this.customizer));
	}

	String providerName() {
		return this.defaultTls.providerName();
	}

	List<TlsSelfTest.Result> selfTests() {
		return this.selfTests;
	}

	private OkHttpClient newBaseClient(TlsSetup setup, TlsContext tls, Consumer<OkHttpClient.Builder> customizer) {
		OkHttpClient.Builder builder = new OkHttpClient.Builder().connectTimeout(this.config.getConnectTimeout())
			.readTimeout(this.config.getReadTimeout())
			.writeTimeout(this.config.getWriteTimeout())
			.callTimeout(this.config.getCallTimeout())
			// Failures must reach the pool, which retires the connection; a redirect elsewhere is the caller's.
			.retryOnConnectionFailure(false)
			.followRedirects(false)
			.followSslRedirects(false);
		customizer.accept(builder);
		// Applied after the customizer: the profile's one ConnectionSpec, protocols and verifying TLS context,
		// and TCP_NODELAY, are not negotiable.
		return setup.profile().configure(builder, tls, this.config.getTls().isStrict())
			.socketFactory(new NoDelaySocketFactory())
			.build();
	}

	/**
	 * Captures, on loopback, the ClientHello each TLS profile in use sends, and logs its fingerprint; a client built
	 * exactly as the pool builds them, with a fresh TLS context so no session is resumed. Once in the pool's life:
	 * a restart sends the same ClientHellos.
	 */
	void runSelfTestsOnce() {
		if (!this.config.getTls().isSelfTest() || !this.selfTests.isEmpty()) {
			return;
		}
		// Each profile once, whatever trust material it runs with: the ClientHello does not depend on it. The
		// pool-wide profiles come first when hosts warmed on first use take them.
		Set<TlsProfile> profiles = new LinkedHashSet<>();
		if (this.config.getUnknownHosts() == UnknownHostPolicy.WARM_ON_FIRST_USE) {
			profiles.addAll(this.config.defaultTlsProfiles());
		}
		this.config.hostSettings().forEach((host) -> profiles.addAll(host.tlsProfiles()));
		List<TlsSelfTest.Result> results = new ArrayList<>();
		for (TlsProfile profile : profiles) {
			TlsSetup fresh = new TlsSetup(TlsMaterial.SYSTEM, profile);
			// No customizer: the profile is applied after it, so it cannot change the ClientHello.
			OkHttpClient client = newBaseClient(fresh, fresh.context(this.config), (builder) -> {
			});
			results.add(TlsSelfTest.run(profile, client, this.config.getProbeTimeout())); // logs its outcome
		}
		this.selfTests = List.copyOf(results);
	}

	/** The TLS material and profile a base client is built from. */
	private record TlsSetup(TlsMaterial material, TlsProfile profile) {

		TlsContext context(HotConnPoolConfig config) {
			return TlsContext.create(this.profile, this.material.trustStore(), this.material.keyManagers(),
					config.getTlsHandshakeTimeout(), config.getTls().isAllowJdkFallback());
		}

	}

}
