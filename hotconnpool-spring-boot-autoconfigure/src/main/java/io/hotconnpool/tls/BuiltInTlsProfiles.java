package io.hotconnpool.tls;

import okhttp3.OkHttp;

/**
 * The built-in profiles' definitions: what each targets, sends and achieves. {@link TlsProfile} holds them as
 * constants and looks them up by id.
 */
final class BuiltInTlsProfiles {

	/**
	 * OkHttp 5.5.1's {@code ConnectionSpec.MODERN_TLS} suites in its order, without
	 * {@code SSL_RSA_WITH_3DES_EDE_CBC_SHA}, which neither Conscrypt nor JDK 17 enables (OkHttp drops it). This is
	 * also Chrome's list and order: 1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035.
	 */
	static final String[] OKHTTP_CIPHER_SUITES = ChromeHello.CIPHER_SUITE_NAMES.toArray(String[]::new);

	/** What stock OkHttp sends: its own User-Agent, no other default header. */
	static final String OKHTTP_USER_AGENT = "okhttp/" + OkHttp.VERSION;

	/**
	 * The default profile: exactly what stock OkHttp 5.5.1 sends when Conscrypt 2.9.0 is the JVM's TLS
	 * ({@code ConscryptPlatform}: {@code MODERN_TLS}, session tickets on, Conscrypt's default groups), with OkHttp's
	 * User-Agent. Internally consistent: nothing claims to be something else.
	 */
	static TlsProfile okhttp() {
		return new TlsProfileBuilder("okhttp").cipherSuites(OKHTTP_CIPHER_SUITES)
			.sessionTickets(true)
			.userAgent(OKHTTP_USER_AGENT)
			.target("OkHttp on Conscrypt (ConscryptPlatform)", OkHttp.VERSION + " / Conscrypt 2.9.0",
					"t13d1512h2_8daaf6152771_40271e0a5736")
			.achievedJa4("t13d1512h2_8daaf6152771_40271e0a5736")
			.difference("Nothing: this is the ClientHello stock OkHttp sends on Conscrypt 2.9.0.")
			.build();
	}

	/**
	 * Chrome 149 desktop (Windows): Chrome's hello field by field on the browser engine ({@link ChromeHello}), a Chrome
	 * User-Agent and client hints.
	 */
	static TlsProfile chrome() {
		return new TlsProfileBuilder("chrome").cipherSuites(OKHTTP_CIPHER_SUITES)
			.namedGroups("X25519MLKEM768", "X25519", "P-256", "P-384")
			.sessionTickets(true)
			.grease(true)
			.browserEngine(ChromeHello.HELLO)
			.userAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
					+ " Chrome/149.0.0.0 Safari/537.36")
			// Brand list as Chromium derives it from the major version (GREASE brand "Not)A;Brand";v="24", order 2-1-0).
			.header("sec-ch-ua", "\"Google Chrome\";v=\"149\", \"Chromium\";v=\"149\", \"Not)A;Brand\";v=\"24\"")
			.header("sec-ch-ua-mobile", "?0")
			.header("sec-ch-ua-platform", "\"Windows\"")
			.header("Accept", "*/*")
			.header("Accept-Language", "en-US,en;q=0.9")
			.target("Chrome desktop", "149", "t13d1516h2_8daaf6152771_d8a2da3f94cd")
			.achievedJa4("t13d1516h2_8daaf6152771_d8a2da3f94cd")
			.difference("Nothing in JA4 or JA3N: Chrome's hello field by field on the browser engine (GREASE, permuted"
					+ " extensions, cert compression, ALPS, ECH GREASE). Differs beyond the hello: no TLS 1.3 resumption,"
					+ " ALPS settings without HEADER_TABLE_SIZE, OkHttp's HTTP/2 frames.")
			.build();
	}

	/**
	 * Firefox 144 desktop (Windows): Firefox's hello field by field on the browser engine (its 17 suites and 17
	 * extensions in Firefox's order, ffdhe groups, three key shares, certificate compression, delegated credentials,
	 * record size limit), a Firefox User-Agent and headers.
	 */
	static TlsProfile firefox() {
		return new TlsProfileBuilder("firefox")
			.cipherSuites(FirefoxHello.CIPHER_SUITE_NAMES.toArray(String[]::new))
			.namedGroups("X25519MLKEM768", "X25519", "P-256", "P-384", "P-521", "ffdhe2048", "ffdhe3072")
			.sessionTickets(true)
			.browserEngine(FirefoxHello.HELLO)
			.userAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:144.0) Gecko/20100101 Firefox/144.0")
			.header("Accept", "*/*")
			.header("Accept-Language", "en-US,en;q=0.5")
			.target("Firefox desktop", "144", "t13d1717h2_5b57614c22b0_3cbfd9057e0d")
			.achievedJa4("t13d1717h2_5b57614c22b0_3cbfd9057e0d")
			.difference("Nothing in JA4 or JA3: Firefox's hello field by field on the browser engine, in Firefox's fixed"
					+ " order. Differs beyond the hello: no TLS 1.3 resumption, a server's delegated credential is"
					+ " refused, OkHttp's HTTP/2 frames.")
			.build();
	}

	/**
	 * What stock OkHttp 5.5.1 sends on the JDK's own TLS (SunJSSE, no Conscrypt), with OkHttp's User-Agent. The
	 * recorded JA4 was measured on JDK 17.0.15 and moves with the JDK: the start-up self-test reports a change.
	 */
	static TlsProfile jdk() {
		return new TlsProfileBuilder("jdk").cipherSuites(OKHTTP_CIPHER_SUITES)
			.sessionTickets(true)
			.requiresConscrypt(false)
			.userAgent(OKHTTP_USER_AGENT)
			.target("OkHttp on the JDK's TLS (SunJSSE)", OkHttp.VERSION + " / JDK 17.0.15",
					"t13d1514h2_8daaf6152771_a5b99884f7f5")
			.achievedJa4("t13d1514h2_8daaf6152771_a5b99884f7f5")
			.difference("Nothing on JDK 17.0.15; extensions and sigalgs (a, c) change with the JDK build.")
			.build();
	}

	private BuiltInTlsProfiles() {
	}

}
