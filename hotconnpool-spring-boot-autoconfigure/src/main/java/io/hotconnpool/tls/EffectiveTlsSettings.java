package io.hotconnpool.tls;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.hotconnpool.tls.UnsupportedTlsSetting.Setting;
import okhttp3.Protocol;
import okhttp3.TlsVersion;

/**
 * What a TLS stack will really apply of a {@link TlsProfile}, and what it cannot produce.
 * <p>
 * Each list keeps the profile's order with the unproducible entries dropped; an empty version or cipher list means
 * "the stack's enabled defaults", an empty group list "the stack's default groups".
 *
 * @param tlsVersions TLS versions to enable
 * @param cipherSuites cipher suites to enable, in order
 * @param namedGroups named groups to set on each Conscrypt socket; empty to leave the default
 * @param protocols ALPN protocols for OkHttp, always including HTTP/1.1 (OkHttp requires it)
 * @param unsupported the settings the stack cannot produce
 */
record EffectiveTlsSettings(List<String> tlsVersions, List<String> cipherSuites, List<String> namedGroups,
		List<Protocol> protocols, List<UnsupportedTlsSetting> unsupported) {

	/** TLS versions enabled by both Conscrypt 2.9.0 and JDK 17; older ones are disabled there. */
	private static final List<String> SUPPORTED_TLS_VERSIONS = List.of("TLSv1.3", "TLSv1.2");

	/** The TLS 1.3 suites in the order BoringSSL sends them on CPUs with AES instructions. */
	private static final List<String> BORINGSSL_TLS13_CIPHER_SUITES = List.of("TLS_AES_128_GCM_SHA256",
			"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

	/** Every TLS 1.3 suite name, to tell them from TLS 1.2 suites. */
	private static final Set<String> TLS13_CIPHER_SUITES = Set.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
			"TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256");

	/**
	 * The group names {@code Conscrypt.setNamedGroups} maps in 2.9.0 ({@code NativeSsl.toBoringSslGroup}); it drops
	 * any other name silently, so they are checked here.
	 */
	private static final List<String> CONSCRYPT_NAMED_GROUPS = List.of("X25519MLKEM768", "X25519", "P-256", "P-384",
			"P-521", "MLKEM1024", "x25519", "secp256r1", "secp384r1", "secp521r1");

	/** The ALPN protocols OkHttp speaks over TLS. */
	private static final Map<String, Protocol> ALPN_PROTOCOLS = Map.of("h2", Protocol.HTTP_2, "http/1.1",
			Protocol.HTTP_1_1);

	/** The JDK's JVM-wide switch for the session_ticket extension (on by default since JDK 13). */
	private static final String JDK_SESSION_TICKET_PROPERTY = "jdk.tls.client.enableSessionTicketExtension";

	EffectiveTlsSettings {
		tlsVersions = List.copyOf(tlsVersions);
		cipherSuites = List.copyOf(cipherSuites);
		namedGroups = List.copyOf(namedGroups);
		protocols = List.copyOf(protocols);
		unsupported = List.copyOf(unsupported);
	}

	/**
	 * Resolves a profile against a TLS context.
	 * @param profile the profile
	 * @param tls the context it will run on
	 * @return what will be applied and what cannot be
	 */
	static EffectiveTlsSettings of(TlsProfile profile, TlsContext tls) {
		List<UnsupportedTlsSetting> unsupported = new ArrayList<>();
		if (profile.usesBrowserEngine() || tls.usesBrowserEngine()) {
			return browserEngine(profile, tls, unsupported);
		}
		boolean conscrypt = tls.usesConscrypt();
		if (profile.requiresConscrypt() && !conscrypt) {
			unsupported.add(UnsupportedTlsSetting.unsupported(Setting.PROVIDER, "it needs Conscrypt, but the TLS"
					+ " context runs on " + tls.providerName() + " (the JDK fallback): its named groups and session"
					+ " tickets cannot be set and its fingerprint will be the JDK's"));
		}
		if (!profile.requiresConscrypt() && conscrypt) {
			unsupported.add(UnsupportedTlsSetting.unsupported(Setting.PROVIDER, "it needs the JDK's own TLS, but the TLS"
					+ " context runs on Conscrypt: build the context with TlsContext.create(profile, ...)"));
		}
		if (profile.grease()) {
			unsupported.add(UnsupportedTlsSetting.unsupported(Setting.GREASE, "grease=true: GREASE values cannot be"
					+ " sent (Conscrypt 2.9.0 does not expose BoringSSL's GREASE switch, the JDK has none)"));
		}
		if (!profile.extensionOrder().isEmpty()) {
			unsupported.add(UnsupportedTlsSetting.unsupported(Setting.EXTENSION_ORDER, "extension order "
					+ profile.extensionOrder() + ": the TLS stack orders ClientHello extensions itself"));
		}
		List<String> tlsVersions = supportedTlsVersions(profile, unsupported);
		List<String> cipherSuites = enabledCipherSuites(profile, tls, tlsVersions, unsupported);
		List<String> namedGroups = settableNamedGroups(profile, conscrypt, unsupported);
		if (!conscrypt && profile.sessionTickets() != jdkSendsSessionTickets()) {
			unsupported.add(UnsupportedTlsSetting.unsupported(Setting.SESSION_TICKETS, "sessionTickets="
					+ profile.sessionTickets() + ": the JDK's TLS cannot set session tickets per connection, only"
					+ " JVM-wide (" + JDK_SESSION_TICKET_PROPERTY + ")"));
		}
		List<Protocol> protocols = okHttpProtocols(profile, unsupported);
		return new EffectiveTlsSettings(tlsVersions, cipherSuites, namedGroups, protocols, unsupported);
	}

	/**
	 * A browser profile on the browser engine sends its browser's hello as a whole ({@link BrowserHello}): nothing to
	 * drop. Any other pairing is refused: the hello would be another stack's, or another browser's.
	 */
	private static EffectiveTlsSettings browserEngine(TlsProfile profile, TlsContext tls,
			List<UnsupportedTlsSetting> unsupported) {
		if (!profile.usesBrowserEngine()) {
			unsupported.add(UnsupportedTlsSetting.unsupported(Setting.PROVIDER, "the TLS context runs on the browser"
					+ " engine, which sends only a browser's hello: build the context with TlsContext.create(profile,"
					+ " ...)"));
		}
		else if (tls.usesBrowserEngine()
				&& !tls.providerName().equals(TlsContext.browserEngineName(profile.browserHello()))) {
			unsupported.add(UnsupportedTlsSetting.unsupported(Setting.PROVIDER, "it sends "
					+ profile.browserHello().browser() + "'s hello, but the TLS context runs on " + tls.providerName()
					+ ": build the context with TlsContext.create(profile, ...)"));
		}
		else if (!tls.usesBrowserEngine()) {
			unsupported.add(UnsupportedTlsSetting.unsupported(Setting.PROVIDER, "it needs the browser engine, but the"
					+ " TLS context runs on " + tls.providerName() + ": build the context with"
					+ " TlsContext.create(profile, ...); on " + tls.providerName() + " its GREASE, extension order,"
					+ " certificate compression, ALPS and ECH GREASE cannot be sent"));
		}
		List<Protocol> protocols = okHttpProtocols(profile, unsupported);
		return new EffectiveTlsSettings(profile.tlsVersions(), profile.cipherSuites(), List.of(), protocols,
				unsupported);
	}

	private static List<String> supportedTlsVersions(TlsProfile profile, List<UnsupportedTlsSetting> unsupported) {
		return supportedOnly(profile.tlsVersions(), SUPPORTED_TLS_VERSIONS::contains, unsupported,
				(i, version) -> new UnsupportedTlsSetting(Setting.TLS_VERSIONS, i, !isTlsVersion(version),
						"TLS version '" + version + "' is not supported (supported: "
								+ String.join(", ", SUPPORTED_TLS_VERSIONS) + ")"));
	}

	/**
	 * The values {@code supported} accepts, in order; each other one is added to {@code unsupported} as
	 * {@code refusal} makes it of its index and value.
	 */
	private static List<String> supportedOnly(List<String> values, Predicate<String> supported,
			List<UnsupportedTlsSetting> unsupported, BiFunction<Integer, String, UnsupportedTlsSetting> refusal) {
		List<String> kept = new ArrayList<>();
		for (int i = 0; i < values.size(); i++) {
			if (supported.test(values.get(i))) {
				kept.add(values.get(i));
			}
			else {
				unsupported.add(refusal.apply(i, values.get(i)));
			}
		}
		return kept;
	}

	private static boolean isTlsVersion(String name) {
		try {
			TlsVersion.forJavaName(name);
			return true;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	private static List<String> enabledCipherSuites(TlsProfile profile, TlsContext tls, List<String> tlsVersions,
			List<UnsupportedTlsSetting> unsupported) {
		// OkHttp keeps only suites the socket has enabled; signalling values are not suites a profile can choose.
		Set<String> enabled = Arrays.stream(tls.socketFactory().getDefaultCipherSuites())
			.filter((suite) -> !suite.endsWith("_SCSV"))
			.collect(Collectors.toSet());
		Set<String> known = Set.of(tls.socketFactory().getSupportedCipherSuites());
		List<String> suites = supportedOnly(profile.cipherSuites(), enabled::contains, unsupported,
				(i, suite) -> known.contains(suite)
						? UnsupportedTlsSetting.unsupported(Setting.CIPHER_SUITES, i,
								"cipher suite '" + suite + "' is not enabled on " + tls.providerName())
						: UnsupportedTlsSetting.unknown(Setting.CIPHER_SUITES, i,
								"cipher suite '" + suite + "' is unknown to " + tls.providerName()));
		boolean tls13 = tlsVersions.contains("TLSv1.3");
		List<String> tls13Suites = profile.cipherSuites().stream().filter(TLS13_CIPHER_SUITES::contains).toList();
		if (!tls13 && !tls13Suites.isEmpty()) {
			unsupported.add(UnsupportedTlsSetting.unsupported(Setting.CIPHER_SUITES,
					"TLS 1.3 cipher suites " + tls13Suites + " are not sent without TLSv1.3"));
		}
		boolean boringSslOrder = profile.cipherSuites().size() >= BORINGSSL_TLS13_CIPHER_SUITES.size()
				&& profile.cipherSuites()
					.subList(0, BORINGSSL_TLS13_CIPHER_SUITES.size())
					.equals(BORINGSSL_TLS13_CIPHER_SUITES)
				&& tls13Suites.equals(BORINGSSL_TLS13_CIPHER_SUITES);
		if (tls.usesConscrypt() && tls13 && !boringSslOrder) {
			unsupported.add(UnsupportedTlsSetting.unsupported(Setting.CIPHER_SUITES, "TLS 1.3 cipher suites "
					+ tls13Suites + ": BoringSSL always sends exactly " + BORINGSSL_TLS13_CIPHER_SUITES
					+ " first, in that order (ChaCha20 first on CPUs without AES instructions); list them so"));
		}
		return suites;
	}

	private static List<String> settableNamedGroups(TlsProfile profile, boolean conscrypt,
			List<UnsupportedTlsSetting> unsupported) {
		List<String> groups = supportedOnly(profile.namedGroups(), CONSCRYPT_NAMED_GROUPS::contains, unsupported,
				(i, group) -> UnsupportedTlsSetting.unknown(Setting.NAMED_GROUPS, i, "named group '" + group
						+ "' is not supported by Conscrypt 2.9.0 (supported: " + String.join(", ", CONSCRYPT_NAMED_GROUPS)
						+ ")"));
		if (!conscrypt && !profile.namedGroups().isEmpty()) {
			unsupported.add(UnsupportedTlsSetting.unsupported(Setting.NAMED_GROUPS, "named groups "
					+ profile.namedGroups() + " cannot be set per connection on the JDK's TLS (JDK 17 has only the"
					+ " JVM-wide jdk.tls.namedGroups)"));
			return List.of();
		}
		return groups;
	}

	private static List<Protocol> okHttpProtocols(TlsProfile profile, List<UnsupportedTlsSetting> unsupported) {
		List<Protocol> protocols = new ArrayList<>();
		for (int i = 0; i < profile.alpnProtocols().size(); i++) {
			String alpn = profile.alpnProtocols().get(i);
			Protocol protocol = ALPN_PROTOCOLS.get(alpn);
			if (protocol == null) {
				unsupported.add(UnsupportedTlsSetting.unknown(Setting.ALPN_PROTOCOLS, i, "ALPN protocol '" + alpn
						+ "' is not supported by OkHttp over TLS (supported: h2, http/1.1)"));
			}
			else if (!protocols.contains(protocol)) {
				protocols.add(protocol);
			}
		}
		if (!protocols.contains(Protocol.HTTP_1_1)) {
			unsupported.add(UnsupportedTlsSetting.unsupported(Setting.ALPN_PROTOCOLS, "ALPN protocols "
					+ profile.alpnProtocols() + " lack http/1.1, which OkHttp requires; it is added last"));
			protocols.add(Protocol.HTTP_1_1);
		}
		return protocols;
	}

	private static boolean jdkSendsSessionTickets() {
		return Boolean.parseBoolean(System.getProperty(JDK_SESSION_TICKET_PROPERTY, "true"));
	}

}
