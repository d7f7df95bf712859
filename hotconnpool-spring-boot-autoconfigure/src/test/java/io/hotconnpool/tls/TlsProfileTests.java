package io.hotconnpool.tls;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link TlsProfile}: built-in look-up, what each profile records, and strict validation.
 */
class TlsProfileTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private static TlsContext conscrypt;

	private static TlsContext jdk;

	private static TlsContext browser;

	private static TlsContext firefoxEngine;

	@BeforeAll
	static void createContexts() {
		conscrypt = TlsContext.create(null, null, TIMEOUT, false);
		jdk = TlsContext.create(TlsProfile.JDK, null, null, TIMEOUT, false);
		browser = TlsContext.create(TlsProfile.CHROME, null, null, TIMEOUT, false);
		firefoxEngine = TlsContext.create(TlsProfile.FIREFOX, null, null, TIMEOUT, false);
	}

	@Test
	void builtInProfilesAreLookedUpById() {
		assertThat(TlsProfile.builtInIds()).containsExactly("okhttp", "chrome", "firefox", "jdk");
		assertThat(TlsProfile.builtIn("okhttp")).isSameAs(TlsProfile.OKHTTP).isSameAs(TlsProfile.defaultProfile());
		assertThat(TlsProfile.builtIn(" Chrome ")).isSameAs(TlsProfile.CHROME);
		assertThat(TlsProfile.builtIn("firefox")).isSameAs(TlsProfile.FIREFOX);
		assertThat(TlsProfile.builtIn("jdk")).isSameAs(TlsProfile.JDK);
	}

	@Test
	void unknownIdNamesTheValidOnes() {
		assertThatIllegalArgumentException().isThrownBy(() -> TlsProfile.builtIn("safari"))
			.withMessage("Unknown TLS profile 'safari': valid ids are okhttp, chrome, firefox, jdk"
					+ " (or define a custom profile)");
	}

	@Test
	void customProfileCannotTakeABuiltInId() {
		assertThatIllegalArgumentException().isThrownBy(() -> TlsProfile.custom("CHROME"))
			.withMessageContaining("'CHROME' is a built-in TLS profile");
	}

	@Test
	void everyBuiltInProfileRecordsItsTargetAndWhatItAchieves() {
		for (String id : TlsProfile.builtInIds()) {
			TlsProfile profile = TlsProfile.builtIn(id);
			assertThat(profile.target()).as(id).isNotNull();
			assertThat(profile.target().ja4()).as(id).matches("t13d\\d{4}h2_[0-9a-f]{12}_[0-9a-f]{12}");
			assertThat(profile.achievedJa4()).as(id).matches("t13d\\d{4}h2_[0-9a-f]{12}_[0-9a-f]{12}");
			assertThat(profile.difference()).as(id).isNotBlank();
			assertThat(profile.userAgent()).as(id).isNotBlank();
		}
		assertThat(TlsProfile.OKHTTP.userAgent()).isEqualTo("okhttp/5.5.1");
		assertThat(TlsProfile.JDK.requiresConscrypt()).isFalse();
		assertThat(TlsProfile.CHROME.target().version()).isEqualTo("149");
		assertThat(TlsProfile.CHROME.userAgent()).contains("Chrome/149.0.0.0");
		assertThat(TlsProfile.FIREFOX.target().version()).isEqualTo("144");
		assertThat(TlsProfile.FIREFOX.userAgent()).contains("Firefox/144.0");
	}

	@Test
	void everyBuiltInProfilePassesStrictValidationOnItsOwnStack() {
		assertThat(TlsProfile.OKHTTP.validate(conscrypt, true)).isEmpty();
		assertThat(TlsProfile.CHROME.validate(browser, true)).isEmpty();
		assertThat(TlsProfile.FIREFOX.validate(firefoxEngine, true)).isEmpty();
		assertThat(TlsProfile.JDK.validate(jdk, true)).isEmpty();
	}

	static Stream<Arguments> settingsConscryptCannotProduce() {
		return Stream.of(Arguments.of(TlsProfile.custom("greasy").grease(true), "GREASE"),
				Arguments.of(TlsProfile.custom("ordered").extensionOrder(0, 23, 65281, 10),
						"extension order [0, 23, 65281, 10]"),
				Arguments.of(TlsProfile.custom("made-up-suite")
					.cipherSuites("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
							"TLS_MADE_UP_WITH_NOTHING"),
						"cipher suite 'TLS_MADE_UP_WITH_NOTHING' is unknown to Conscrypt"),
				Arguments.of(TlsProfile.custom("ffdhe").namedGroups("X25519", "ffdhe2048"),
						"named group 'ffdhe2048' is not supported by Conscrypt 2.9.0"),
				Arguments.of(TlsProfile.custom("old").tlsVersions("TLSv1.3", "TLSv1.1"),
						"TLS version 'TLSv1.1' is not supported"),
				// Firefox's TLS 1.3 order, which only the browser engine sends
				Arguments.of(TlsProfile.custom("firefox-tls13-order")
					.cipherSuites("TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_256_GCM_SHA384",
							"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
						"BoringSSL always sends exactly"),
				Arguments.of(TlsProfile.custom("h3").alpnProtocols("h3", "h2"), "ALPN protocol 'h3' is not supported"));
	}

	@ParameterizedTest(name = "{1}")
	@MethodSource("settingsConscryptCannotProduce")
	void strictModeRefusesWhatConscryptCannotProduce(TlsProfileBuilder profile, String reason) {
		assertRefused(profile.build(), conscrypt, reason);
	}

	@Test
	void strictModeRefusesConscryptSettingsOnTheJdksTls() {
		assertRefused(TlsProfile.OKHTTP, jdk, "it needs Conscrypt");
		assertRefused(TlsProfile.custom("groups").namedGroups("X25519", "P-256").build(), jdk,
				"named groups [X25519, P-256] cannot be set per connection on the JDK's TLS");
		assertRefused(TlsProfile.JDK, conscrypt, "it needs the JDK's own TLS");
	}

	@Test
	void strictModeRefusesABrowserProfileOffTheBrowserEngineAndAnyOtherProfileOnIt() {
		assertRefused(TlsProfile.CHROME, conscrypt, "it needs the browser engine");
		assertRefused(TlsProfile.CHROME, jdk, "it needs the browser engine");
		assertRefused(TlsProfile.FIREFOX, conscrypt, "it needs the browser engine");
		assertRefused(TlsProfile.OKHTTP, browser, "sends only a browser's hello");
		assertRefused(TlsProfile.FIREFOX, browser, "it sends Firefox 144's hello, but the TLS context runs on"
				+ " BCTLS browser engine: Chrome 149");
		assertThat(browser.usesBrowserEngine()).isTrue();
		assertThat(browser.usesConscrypt()).isFalse();
	}

	@Test
	void nonStrictModeReportsWhatItDrops() {
		TlsProfile profile = TlsProfile.custom("lenient").grease(true).namedGroups("X25519", "ffdhe2048").build();
		List<String> dropped = profile.validate(conscrypt, false);
		assertThat(dropped).hasSize(2);
		assertThat(profile.configure(new OkHttpClient.Builder(), conscrypt, false).build().connectionSpecs())
			.hasSize(1);
	}

	@Test
	void configureSetsExactlyOneConnectionSpecAndTheProfilesProtocols() {
		OkHttpClient client = TlsProfile.FIREFOX.configure(new OkHttpClient.Builder(), firefoxEngine, true).build();
		assertThat(client.connectionSpecs()).singleElement().satisfies((spec) -> {
			assertThat(spec.isTls()).isTrue();
			assertThat(spec.cipherSuites()).hasSize(17);
		});
		assertThat(client.protocols()).extracting(Object::toString).containsExactly("h2", "http/1.1");
		assertThat(client.x509TrustManager()).isSameAs(firefoxEngine.trustManager());
	}

	@Test
	void profilesAreImmutable() {
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> TlsProfile.CHROME.cipherSuites().add("TLS_RSA_WITH_NULL_SHA"));
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> TlsProfile.CHROME.namedGroups().clear());
	}

	@Test
	void builderRefusesAUserAgentHeaderAndEmptyLists() {
		assertThatIllegalArgumentException().isThrownBy(() -> TlsProfile.custom("x").header("user-agent", "a"))
			.withMessageContaining("userAgent()");
		assertThatIllegalArgumentException().isThrownBy(() -> TlsProfile.custom("x").cipherSuites())
			.withMessageContaining("cipherSuites must not be empty");
		assertThatIllegalArgumentException().isThrownBy(() -> TlsProfile.custom(" "))
			.withMessageContaining("must not be blank");
	}

	@Test
	void aHeaderOkHttpCannotSendIsRefusedWithoutShowingItsValue() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> TlsProfile.custom("partner").header("X-Api-Key", "s3cret\n"))
			.withMessageStartingWith("TLS profile 'partner': Unexpected char")
			.withMessageNotContaining("s3cret")
			.withNoCause();
	}

	private static void assertRefused(TlsProfile profile, TlsContext tls, String setting) {
		assertThatExceptionOfType(UnsupportedTlsProfileException.class)
			.isThrownBy(() -> profile.configure(new OkHttpClient.Builder(), tls, true))
			.withMessageContaining("TLS profile '" + profile.id() + "'")
			.withMessageContaining(setting)
			.satisfies((ex) -> assertThat(ex.profileId()).isEqualTo(profile.id()));
	}

}
