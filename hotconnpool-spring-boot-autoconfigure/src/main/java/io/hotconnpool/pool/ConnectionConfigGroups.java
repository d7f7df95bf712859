package io.hotconnpool.pool;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.hotconnpool.tls.TlsProfile;
import lombok.AccessLevel;
import lombok.Getter;
import lombok.Setter;

/**
 * The groups of {@link HotConnPoolConfig} about each connection: TLS, probe, keep-alive, HTTP/2 and warm-up. A
 * superclass of it, not a file of its own per group, because Spring Boot's configuration processor documents a
 * group only when its class is nested in the configuration class or one of its superclasses.
 */
@Getter
public abstract class ConnectionConfigGroups extends ConfigGroup {

	private final Tls tls = new Tls();

	private final Probe probe = new Probe();

	private final KeepAlive keepAlive = new KeepAlive();

	private final Http2 http2 = new Http2();

	private final WarmUp warmUp = new WarmUp();

	/**
	 * TLS of the pool's connections: the SSL bundle and profile of hosts that name none, and the pool-wide switches.
	 */
	@Getter
	@Setter
	public static class Tls extends TlsChoice {

		/**
		 * Whether to use the JDK's TLS where Conscrypt cannot load on this platform, instead of failing start-up.
		 * The TLS fingerprint is then the JDK's.
		 */
		private boolean allowJdkFallback = false;

		/**
		 * Custom TLS profiles by id, usable in tls.profile and hosts[].tls.profile like the built-in ones. Keys of a
		 * profile: versions, cipher-suites (in order), named-groups, alpn, session-tickets, user-agent, headers.*
		 * and, to document and check it, target.client, target.version, target.ja4, expected-ja4 and difference.
		 * An unset key takes the okhttp profile's value.
		 */
		private Map<String, TlsProfileConfig> customProfiles = new LinkedHashMap<>();

		/**
		 * Whether a profile setting the TLS stack cannot produce fails start-up instead of being dropped with a
		 * warning.
		 */
		private boolean strict = false;

		/**
		 * Whether start captures the pool's own ClientHello per profile in use on loopback, logs its JA4, JA4_r and
		 * JA3, warns when the JA4 is not the one the profile records, and reports them with the pool's statistics.
		 */
		private boolean selfTest = true;

		/** Profiles built in code, usable by id like the built-in ones; not a property. */
		@Getter(AccessLevel.NONE)
		@Setter(AccessLevel.NONE)
		private List<TlsProfile> builtProfiles = new ArrayList<>();

		/** Trust and key material used where no bundle is named; not a property. */
		@Getter(AccessLevel.NONE)
		@Setter(AccessLevel.NONE)
		private TlsMaterial material = TlsMaterial.SYSTEM;

		/**
		 * Adds a profile built in code ({@link TlsProfile#custom(String)}), named by its id in {@code profile}
		 * values like the built-in ones.
		 * @param profile the profile
		 */
		public void addProfile(TlsProfile profile) {
			this.builtProfiles.add(Objects.requireNonNull(profile, "profile"));
		}

		List<TlsProfile> builtProfiles() {
			return this.builtProfiles;
		}

		/**
		 * Sets the trust and key material of hosts that name no SSL bundle, for a pool configured in code.
		 * @param material the material (default {@link TlsMaterial#SYSTEM})
		 */
		public void useMaterial(TlsMaterial material) {
			this.material = Objects.requireNonNull(material, "material");
		}

		TlsMaterial material() {
			return this.material;
		}

	}

	/**
	 * The request that warms and checks a connection. In a host entry every value starts unset and inherits the
	 * pool-wide one.
	 */
	@Getter
	@Setter
	public static class Probe extends ConfigGroup {

		/**
		 * HTTP method of the probe: HEAD, GET or OPTIONS.
		 */
		private String method = "HEAD";

		/**
		 * Path of the probe, starting with '/'.
		 */
		private String path = "/";

		/**
		 * HTTP statuses that prove a connection healthy, such as 2xx, 204 or 200-399.
		 */
		private List<String> successStatuses = new ArrayList<>(List.of("2xx", "3xx"));

		/** A host entry's probe: every value unset. */
		static Probe unset() {
			Probe probe = new Probe();
			probe.method = null;
			probe.path = null;
			probe.successStatuses = null;
			return probe;
		}

	}

	/**
	 * Liveness of idle connections and the servers' keep-alive timeouts.
	 */
	@Getter
	@Setter
	public static class KeepAlive extends ConfigGroup {

		/**
		 * How long an HTTP/1.1 connection may have been idle and still be leased without a liveness check (a read
		 * of at most 1ms for a close by the server); 0 checks every idle connection.
		 */
		private Duration aliveBypassWindow = Duration.ofMillis(500);

		/**
		 * How often idle connections are re-probed before their servers' keep-alive timeout, once it is known from
		 * a Keep-Alive header or an observed idle close: a connection idle for half of it is probed.
		 */
		private Duration checkInterval = Duration.ofSeconds(1);

	}

	/**
	 * HTTP/2 connections: each carries many leases at once, one stream each.
	 */
	@Getter
	@Setter
	public static class Http2 extends ConfigGroup {

		/**
		 * Most leases (streams) one HTTP/2 connection carries at once; the server's SETTINGS_MAX_CONCURRENT_STREAMS
		 * lowers it further. 1 leases a whole HTTP/2 connection as an HTTP/1.1 one.
		 */
		private int maxStreamsPerConnection = 100;

		/**
		 * How often each HTTP/2 connection sends a PING; one not answered before the next is due closes the
		 * connection, which is then retired and replaced in the background. 0 turns pings off, else at least 100ms.
		 */
		private Duration pingInterval = Duration.ofSeconds(30);

	}

	/**
	 * Warming the hosts when the pool starts.
	 */
	@Getter
	@Setter
	public static class WarmUp extends ConfigGroup {

		/**
		 * Whether start waits for warm-up (blocking) or returns at once (background).
		 */
		private WarmUpMode mode = WarmUpMode.BLOCKING;

		/**
		 * How long start-up waits for every host to be warm; warming goes on in the background past it.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		/**
		 * Most connections opened and probed at once.
		 */
		private int concurrency = 8;

	}

}
