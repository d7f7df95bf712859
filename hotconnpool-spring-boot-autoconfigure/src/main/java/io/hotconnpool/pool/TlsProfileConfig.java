package io.hotconnpool.pool;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A TLS profile defined in configuration, under {@code hotconnpool.tls.custom-profiles.<id>}: a value left unset
 * ({@code null}) takes the okhttp profile's. Immutable, so copies of the configuration share it; {@link TlsProfiles}
 * checks each value when the configuration is validated, naming its property.
 *
 * @param versions TLS versions offered, as Java names: TLSv1.3, TLSv1.2. Default both.
 * @param cipherSuites cipher suites offered, as Java names, in the order sent. With TLS 1.3 on Conscrypt,
 * TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 and TLS_CHACHA20_POLY1305_SHA256 come first in that order. Default
 * OkHttp's.
 * @param namedGroups named groups (supported_groups and key shares) in preference order: X25519MLKEM768, X25519,
 * P-256, P-384, P-521, MLKEM1024. Default Conscrypt's.
 * @param alpn ALPN protocols offered, in order: h2 and http/1.1 (OkHttp needs http/1.1). Default both.
 * @param sessionTickets whether the ClientHello carries the session_ticket extension. Default true.
 * @param userAgent User-Agent sent when a request sets none. Default OkHttp's.
 * @param headers headers, other than User-Agent, sent when a request does not set them, in order
 * @param expectedJa4 the JA4 the profile is expected to send on this stack: the start-up self-test warns when it
 * sends another
 * @param difference one line on what differs between the achieved and the target JA4, and why
 * @param target the client the profile imitates
 */
public record TlsProfileConfig(List<String> versions, List<String> cipherSuites, List<String> namedGroups,
		List<String> alpn, Boolean sessionTickets, String userAgent, Map<String, String> headers, String expectedJa4,
		String difference, Target target) {

	/** Takes unmodifiable copies of the lists and the headers, in their order. */
	public TlsProfileConfig {
		versions = unmodifiable(versions);
		cipherSuites = unmodifiable(cipherSuites);
		namedGroups = unmodifiable(namedGroups);
		alpn = unmodifiable(alpn);
		headers = (headers != null) ? Collections.unmodifiableMap(new LinkedHashMap<>(headers)) : null;
	}

	private static List<String> unmodifiable(List<String> values) {
		return (values != null) ? Collections.unmodifiableList(new ArrayList<>(values)) : null;
	}

	/**
	 * The client a custom TLS profile imitates: all three values, or none.
	 *
	 * @param client the client, such as Chrome desktop
	 * @param version the client's version targeted: targets move with releases
	 * @param ja4 that client's JA4
	 */
	public record Target(String client, String version, String ja4) {

	}

}
