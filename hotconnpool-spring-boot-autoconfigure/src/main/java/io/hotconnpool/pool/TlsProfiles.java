package io.hotconnpool.pool;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.hotconnpool.tls.TlsProfile;
import io.hotconnpool.tls.TlsProfileBuilder;
import io.hotconnpool.tls.UnsupportedTlsSetting;

/**
 * Builds a {@link TlsProfile} from a {@link TlsProfileConfig}, naming the property of a value it refuses.
 */
final class TlsProfiles {

	/** A JA4 of TLS over TCP: part a (10 characters), then parts b and c (12 hex characters each). */
	private static final Pattern JA4 = Pattern
		.compile("t(13|12|11|10|s3)[di]\\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}");

	private static final String JA4_EXAMPLE = "a JA4 such as t13d1516h2_8daaf6152771_d8a2da3f94cd";

	private TlsProfiles() {
	}

	/**
	 * Builds a custom profile.
	 * @param id the profile's id
	 * @param prefix its properties' prefix, {@code hotconnpool.tls.custom-profiles.<id>.}
	 * @param custom the configured values; an unset one takes the okhttp profile's
	 * @return the profile
	 */
	static TlsProfile build(String id, String prefix, TlsProfileConfig custom) {
		TlsProfileBuilder profile = TlsProfile.custom(id);
		if (custom.versions() != null) {
			profile.tlsVersions(values(prefix + "versions", custom.versions(), "TLS versions such as TLSv1.3,TLSv1.2"));
		}
		if (custom.cipherSuites() != null) {
			profile.cipherSuites(values(prefix + "cipher-suites", custom.cipherSuites(),
					"cipher suites as Java names, in the order sent, such as TLS_AES_128_GCM_SHA256"));
		}
		if (custom.namedGroups() != null) {
			profile.namedGroups(values(prefix + "named-groups", custom.namedGroups(),
					"named groups such as X25519MLKEM768,X25519,P-256"));
		}
		if (custom.alpn() != null) {
			profile.alpnProtocols(values(prefix + "alpn", custom.alpn(), "ALPN protocols: h2,http/1.1 or http/1.1"));
		}
		if (custom.sessionTickets() != null) {
			profile.sessionTickets(custom.sessionTickets());
		}
		if (custom.userAgent() != null) {
			profile.userAgent(text(prefix + "user-agent", custom.userAgent(),
					"a User-Agent, or no user-agent property for OkHttp's"));
		}
		Map<String, String> headers = (custom.headers() != null) ? custom.headers() : Map.of();
		// A header value may be a secret (a token, a cookie): no error shows it.
		headers.forEach((name, value) -> {
			String setting = prefix + "headers." + name;
			if ("User-Agent".equalsIgnoreCase(name)) {
				throw InvalidSettingException.hidingValue(setting, "no User-Agent among the headers: set "
						+ prefix + "user-agent");
			}
			try {
				profile.header(name, (value != null) ? value : "");
			}
			catch (IllegalArgumentException ex) { // its message never shows the value
				throw InvalidSettingException.hidingValue(setting,
						"a header name and value OkHttp can send (" + ex.getMessage() + ")");
			}
		});
		TlsProfileConfig.Target target = custom.target();
		if (target != null) {
			profile.target(text(prefix + "target.client", target.client(), "the client imitated, such as Chrome"
					+ " desktop, when any target.* is set"), text(prefix + "target.version", target.version(),
							"the client's version, such as 149, when any target.* is set"),
					ja4(prefix + "target.ja4", target.ja4()));
		}
		if (custom.expectedJa4() != null) {
			profile.achievedJa4(ja4(prefix + "expected-ja4", custom.expectedJa4()));
		}
		if (custom.difference() != null) {
			profile.difference(text(prefix + "difference", custom.difference(),
					"one line on what differs from the target's JA4, or no difference property"));
		}
		return profile.build();
	}

	/**
	 * Names the custom profile's property a setting the TLS stack cannot produce comes from.
	 * @param property the profile's property, {@code hotconnpool.tls.custom-profiles.<id>}
	 * @param profile the profile
	 * @param problem what the stack cannot do
	 * @return the exception to throw
	 */
	static InvalidSettingException unsupported(String property, TlsProfile profile, UnsupportedTlsSetting problem) {
		List<String> values = switch (problem.setting()) {
			case TLS_VERSIONS -> profile.tlsVersions();
			case CIPHER_SUITES -> profile.cipherSuites();
			case NAMED_GROUPS -> profile.namedGroups();
			case ALPN_PROTOCOLS -> profile.alpnProtocols();
			default -> List.of();
		};
		String name = switch (problem.setting()) {
			case TLS_VERSIONS -> ".versions";
			case CIPHER_SUITES -> ".cipher-suites";
			case NAMED_GROUPS -> ".named-groups";
			case ALPN_PROTOCOLS -> ".alpn";
			case SESSION_TICKETS -> ".session-tickets";
			default -> ""; // the TLS stack itself: the profile as a whole
		};
		String setting = property + name;
		Object value = switch (problem.setting()) {
			case SESSION_TICKETS -> profile.sessionTickets();
			case PROVIDER, GREASE, EXTENSION_ORDER -> profile.id();
			default -> String.join(",", values);
		};
		if (problem.index() >= 0) {
			setting += "[" + problem.index() + "]";
			value = values.get(problem.index());
		}
		String expected = problem.unknown() ? "a value the TLS stack knows (" + problem.reason() + ")"
				: "what the TLS stack can send (" + problem.reason() + "), or " + TlsProfile.STRICT_SETTING
						+ "=false to drop it with a warning";
		return new InvalidSettingException(setting, value, expected);
	}

	/** A list a custom profile sets: not empty, no blank value. */
	private static String[] values(String setting, List<String> values, String expected) {
		if (values.isEmpty()) {
			throw new InvalidSettingException(setting, "", expected + " (leave it unset for the default)");
		}
		String[] trimmed = new String[values.size()];
		for (int i = 0; i < values.size(); i++) {
			trimmed[i] = text(setting + "[" + i + "]", values.get(i), expected);
		}
		return trimmed;
	}

	private static String text(String setting, String value, String expected) {
		if (value == null || value.isBlank()) {
			throw new InvalidSettingException(setting, value, expected);
		}
		return value.trim();
	}

	private static String ja4(String setting, String value) {
		String ja4 = text(setting, value, JA4_EXAMPLE);
		if (!JA4.matcher(ja4).matches()) {
			throw new InvalidSettingException(setting, value, JA4_EXAMPLE);
		}
		return ja4;
	}

}
