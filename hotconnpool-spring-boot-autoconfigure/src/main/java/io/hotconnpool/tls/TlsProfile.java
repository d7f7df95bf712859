package io.hotconnpool.tls;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import javax.net.ssl.SSLSocketFactory;

import lombok.AccessLevel;
import lombok.Getter;
import lombok.experimental.Accessors;
import okhttp3.ConnectionSpec;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.internal.tls.OkHostnameVerifier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * What a pool's connections look like to the server: the TLS ClientHello (versions, cipher suites, named groups,
 * ALPN, session tickets) and the User-Agent and default headers that go with it, so that the two tell one story.
 * <p>
 * Four profiles are built in ({@link #builtIn(String)}): {@code okhttp} (the default), {@code chrome},
 * {@code firefox} and {@code jdk} ({@code chrome} and {@code firefox} on the browser engine). Each records the client it
 * targets with that client's JA4, the JA4 it achieves on the pinned stack (measured on loopback) and what differs and
 * why. {@link #custom(String)} builds other profiles; the Spring Boot starter builds them from
 * {@code hotconnpool.tls.custom-profiles}.
 * <p>
 * {@link #configure(OkHttpClient.Builder, TlsContext, boolean)} is the one way to apply a profile to a client.
 * Settings the TLS stack cannot produce (GREASE, an extension order, unknown names, old TLS versions) are refused in
 * strict mode and dropped with a warning otherwise; {@link #unsupportedSettings(TlsContext)} lists them setting by
 * setting. {@link TlsSelfTest} checks at start-up that the ClientHello really sent still has the recorded JA4.
 * <p>
 * Instances are immutable. Each field's accessor (Lombok's) has the field's name: {@code profile.alpnProtocols()}.
 */
@Getter
@Accessors(fluent = true)
public final class TlsProfile {

	/** Name of the setting that turns strict mode on, quoted in messages. */
	public static final String STRICT_SETTING = "hotconnpool.tls.strict";

	/**
	 * The default profile: exactly what stock OkHttp 5.5.1 sends when Conscrypt 2.9.0 is the JVM's TLS, with OkHttp's
	 * User-Agent. Internally consistent: nothing claims to be something else.
	 */
	public static final TlsProfile OKHTTP = BuiltInTlsProfiles.okhttp();

	/** Chrome 149 desktop (Windows): Chrome's hello field by field on the browser engine, Chrome's headers. */
	public static final TlsProfile CHROME = BuiltInTlsProfiles.chrome();

	/** Firefox 144 desktop (Windows): Firefox's hello field by field on the browser engine, Firefox's headers. */
	public static final TlsProfile FIREFOX = BuiltInTlsProfiles.firefox();

	/** What stock OkHttp 5.5.1 sends on the JDK's own TLS (SunJSSE), with OkHttp's User-Agent. */
	public static final TlsProfile JDK = BuiltInTlsProfiles.jdk();

	private static final Map<String, TlsProfile> BUILT_IN = Map.of(OKHTTP.id, OKHTTP, CHROME.id, CHROME, FIREFOX.id,
			FIREFOX, JDK.id, JDK);

	private static final Log logger = LogFactory.getLog(TlsProfile.class);

	/** The profile's id, such as {@code chrome}. */
	private final String id;

	/** TLS versions offered, as Java names, such as {@code [TLSv1.3, TLSv1.2]}. */
	private final List<String> tlsVersions;

	/** Cipher suites offered, as Java names, in the order asked for. */
	private final List<String> cipherSuites;

	/**
	 * Named groups (supported_groups and key shares) in preference order, as Conscrypt names such as
	 * {@code X25519MLKEM768}, {@code X25519}, {@code P-256}; empty for the TLS stack's default.
	 */
	private final List<String> namedGroups;

	/** ALPN protocols offered, in order, such as {@code [h2, http/1.1]}. */
	private final List<String> alpnProtocols;

	/** Whether the ClientHello carries the session_ticket extension. */
	private final boolean sessionTickets;

	/** Whether the profile runs on Conscrypt; {@code false} for the JDK's own TLS. */
	private final boolean requiresConscrypt;

	/** The browser hello the browser engine sends for this profile; {@code null} off the engine. */
	@Getter(AccessLevel.PACKAGE)
	private final BrowserHello browserHello;

	/** Whether GREASE values were asked for. Only the browser engine sends them: elsewhere validation refuses it. */
	private final boolean grease;

	/**
	 * Extension types in an order asked for; empty when none. No supported stack can apply one: validation refuses a
	 * non-empty order.
	 */
	private final List<Integer> extensionOrder;

	/** The User-Agent sent when a request sets none. */
	private final String userAgent;

	/** Headers, other than User-Agent, sent in order when a request does not set them. */
	private final Headers defaultHeaders;

	/** The client this profile imitates and that client's JA4; {@code null} for a custom profile that names none. */
	private final Target target;

	/**
	 * The JA4 this profile achieves on the pinned OkHttp + Conscrypt (the browser engine for {@code chrome} and
	 * {@code firefox}, the JDK for {@code jdk}), as measured on loopback; the start-up self-test compares against it.
	 * {@code null} for a custom profile that records none.
	 */
	private final String achievedJa4;

	/**
	 * One line on what differs between the achieved and the target JA4, and why; {@code null} for a custom profile
	 * that records none.
	 */
	private final String difference;

	TlsProfile(TlsProfileBuilder builder) {
		this.id = builder.id;
		this.tlsVersions = List.copyOf(builder.tlsVersions);
		this.cipherSuites = List.copyOf(builder.cipherSuites);
		this.namedGroups = List.copyOf(builder.namedGroups);
		this.alpnProtocols = List.copyOf(builder.alpnProtocols);
		this.sessionTickets = builder.sessionTickets;
		this.requiresConscrypt = builder.requiresConscrypt;
		this.browserHello = builder.browserHello;
		this.grease = builder.grease;
		this.extensionOrder = List.copyOf(builder.extensionOrder);
		this.userAgent = builder.userAgent;
		this.defaultHeaders = builder.defaultHeaders.build();
		this.target = builder.target;
		this.achievedJa4 = builder.achievedJa4;
		this.difference = builder.difference;
	}

	/**
	 * The built-in profile with the given id (case-insensitive).
	 * @param id {@code okhttp}, {@code chrome}, {@code firefox} or {@code jdk}
	 * @return the profile
	 * @throws IllegalArgumentException for any other id, listing the valid ones
	 */
	public static TlsProfile builtIn(String id) {
		Objects.requireNonNull(id, "id");
		TlsProfile profile = BUILT_IN.get(id.trim().toLowerCase(Locale.ROOT));
		if (profile == null) {
			throw new IllegalArgumentException("Unknown TLS profile '" + id + "': valid ids are "
					+ String.join(", ", builtInIds()) + " (or define a custom profile)");
		}
		return profile;
	}

	/**
	 * The ids of the built-in profiles, the default first.
	 * @return {@code okhttp, chrome, firefox, jdk}
	 */
	public static List<String> builtInIds() {
		return List.of(OKHTTP.id, CHROME.id, FIREFOX.id, JDK.id);
	}

	/**
	 * The default profile, {@link #OKHTTP}.
	 * @return the default profile
	 */
	public static TlsProfile defaultProfile() {
		return OKHTTP;
	}

	/**
	 * Starts a custom profile. It starts from the {@code okhttp} profile's settings, targets nothing and records no
	 * JA4 until told to.
	 * @param id the profile's id, used in logs and messages; not a built-in id
	 * @return a builder
	 * @throws IllegalArgumentException when {@code id} is blank or a built-in id
	 */
	public static TlsProfileBuilder custom(String id) {
		Objects.requireNonNull(id, "id");
		if (BUILT_IN.containsKey(id.trim().toLowerCase(Locale.ROOT))) {
			throw new IllegalArgumentException("'" + id + "' is a built-in TLS profile: give the custom profile"
					+ " another id");
		}
		return new TlsProfileBuilder(id).cipherSuites(BuiltInTlsProfiles.OKHTTP_CIPHER_SUITES)
			.sessionTickets(true)
			.userAgent(BuiltInTlsProfiles.OKHTTP_USER_AGENT);
	}

	/**
	 * Applies the profile to an OkHttp client: exactly one {@link ConnectionSpec} (a fallback spec would add
	 * {@code TLS_FALLBACK_SCSV}) with the profile's TLS versions and cipher suites, the ALPN protocols, an
	 * {@link SSLSocketFactory} that applies named groups and session tickets to each socket (on
	 * Conscrypt) over the context's handshake deadline, the context's trust manager, OkHttp's own host-name verifier
	 * (in place of any other set before), and an interceptor that adds the User-Agent and default headers a request
	 * does not set (none when they are OkHttp's own). Certificate and host-name verification stay on.
	 * <p>
	 * Call it once per builder, after any customisation that touches the same settings.
	 * @param client the client builder
	 * @param tls the TLS context, from {@link TlsContext#create(TlsProfile, java.security.KeyStore,
	 * javax.net.ssl.KeyManagerFactory, java.time.Duration, boolean)}
	 * @param strict whether settings the stack cannot produce are refused rather than dropped with a warning
	 * @return {@code client}
	 * @throws UnsupportedTlsProfileException in strict mode, when the stack cannot produce a setting
	 */
	public OkHttpClient.Builder configure(OkHttpClient.Builder client, TlsContext tls, boolean strict) {
		EffectiveTlsSettings settings = check(tls, strict);
		// Copying MODERN_TLS keeps its "supports TLS extensions" flag: without it OkHttp sends no ALPN.
		ConnectionSpec.Builder spec = new ConnectionSpec.Builder(ConnectionSpec.MODERN_TLS);
		if (settings.tlsVersions().isEmpty()) {
			spec.allEnabledTlsVersions();
		}
		else {
			spec.tlsVersions(settings.tlsVersions().toArray(String[]::new));
		}
		if (settings.cipherSuites().isEmpty()) {
			spec.allEnabledCipherSuites();
		}
		else {
			spec.cipherSuites(settings.cipherSuites().toArray(String[]::new));
		}
		SSLSocketFactory socketFactory = tls.usesConscrypt()
				? new ProfiledSocketFactory(tls.socketFactory(), this.sessionTickets, settings.namedGroups())
				: tls.socketFactory();
		client.connectionSpecs(List.of(spec.build()))
			.protocols(settings.protocols())
			.sslSocketFactory(socketFactory, tls.trustManager())
			// For the okhttp and jdk profiles the only check of the host name: a customizer must not relax it.
			.hostnameVerifier(OkHostnameVerifier.INSTANCE);
		if (this.userAgent.equals(BuiltInTlsProfiles.OKHTTP_USER_AGENT) && this.defaultHeaders.size() == 0) {
			return client; // OkHttp sends exactly this by itself: no need to rebuild every request
		}
		return client.addInterceptor(new DefaultHeadersInterceptor(this.userAgent, this.defaultHeaders));
	}

	/**
	 * Checks the profile against a TLS stack: in strict mode refuses any setting the stack cannot produce, otherwise
	 * logs one warning per such setting. {@link #configure(OkHttpClient.Builder, TlsContext, boolean) configure}
	 * validates too; call this to check a profile without building a client.
	 * @param tls the TLS context the profile will run on
	 * @param strict whether to refuse rather than warn
	 * @return the settings the stack cannot produce (dropped when applied), one sentence each; empty when it produces
	 * the profile as specified
	 * @throws UnsupportedTlsProfileException in strict mode, naming the profile and every offending setting
	 */
	public List<String> validate(TlsContext tls, boolean strict) {
		return reasons(check(tls, strict).unsupported());
	}

	/**
	 * What a TLS stack cannot produce of this profile, setting by setting, without refusing or logging anything: for
	 * callers that report each setting in their own terms, such as configuration properties.
	 * @param tls the TLS context the profile will run on
	 * @return the settings the stack cannot produce, in the profile's order; empty when it produces the profile as
	 * specified
	 */
	public List<UnsupportedTlsSetting> unsupportedSettings(TlsContext tls) {
		return EffectiveTlsSettings.of(this, tls).unsupported();
	}

	private EffectiveTlsSettings check(TlsContext tls, boolean strict) {
		EffectiveTlsSettings settings = EffectiveTlsSettings.of(this, tls);
		if (settings.unsupported().isEmpty()) {
			return settings;
		}
		if (strict) {
			throw new UnsupportedTlsProfileException(this.id, tls.providerName(), reasons(settings.unsupported()));
		}
		for (UnsupportedTlsSetting problem : settings.unsupported()) {
			logger.warn("TLS profile '" + this.id + "' on " + tls.providerName() + ": " + problem.reason()
					+ "; dropped because " + STRICT_SETTING + "=false");
		}
		return settings;
	}

	private static List<String> reasons(List<UnsupportedTlsSetting> unsupported) {
		return unsupported.stream().map(UnsupportedTlsSetting::reason).toList();
	}

	/**
	 * Whether the profile runs on the browser engine (Bouncy Castle's TLS API under hotconnpool's ClientHello), which
	 * sends a browser's hello field by field: GREASE, the extension order, certificate compression, ALPS, ECH GREASE.
	 * @return {@code true} for {@code chrome} and {@code firefox}
	 */
	public boolean usesBrowserEngine() {
		return this.browserHello != null;
	}

	/**
	 * Returns the id.
	 */
	@Override
	public String toString() {
		return this.id;
	}

	/**
	 * The client a profile imitates.
	 *
	 * @param client the client, e.g. {@code Chrome desktop}
	 * @param version the version targeted, e.g. {@code 149}: targets move with browser releases
	 * @param ja4 that client's JA4
	 */
	public record Target(String client, String version, String ja4) {

		/**
		 * Creates a target.
		 * @param client the client
		 * @param version the version targeted
		 * @param ja4 that client's JA4
		 */
		public Target {
			Objects.requireNonNull(client, "client");
			Objects.requireNonNull(version, "version");
			Objects.requireNonNull(ja4, "ja4");
		}

	}

}
