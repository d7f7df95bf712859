package io.hotconnpool.tls;

import java.util.List;
import java.util.Objects;

import okhttp3.Headers;

/**
 * Builds a {@link TlsProfile}; {@link TlsProfile#custom(String)} starts from the {@code okhttp} profile's settings:
 * TLS 1.3 and 1.2, OkHttp's cipher suites, the stack's default groups, ALPN h2 and http/1.1, session tickets on,
 * Conscrypt, OkHttp's User-Agent, no default headers.
 */
public final class TlsProfileBuilder {

	final String id;

	List<String> tlsVersions = List.of("TLSv1.3", "TLSv1.2");

	List<String> cipherSuites = List.of();

	List<String> namedGroups = List.of();

	List<String> alpnProtocols = List.of("h2", "http/1.1");

	boolean sessionTickets;

	boolean requiresConscrypt = true;

	BrowserHello browserHello;

	boolean grease;

	List<Integer> extensionOrder = List.of();

	String userAgent;

	final Headers.Builder defaultHeaders = new Headers.Builder();

	TlsProfile.Target target;

	String achievedJa4;

	String difference;

	TlsProfileBuilder(String id) {
		if (id.isBlank()) {
			throw new IllegalArgumentException("A TLS profile id must not be blank");
		}
		this.id = id.trim();
	}

	/**
	 * Sets the TLS versions offered.
	 * @param versions Java names, e.g. {@code TLSv1.3}, {@code TLSv1.2}
	 * @return this builder
	 */
	public TlsProfileBuilder tlsVersions(String... versions) {
		this.tlsVersions = nonEmpty(versions, "tlsVersions");
		return this;
	}

	/**
	 * Sets the cipher suites offered, in order.
	 * @param suites Java names, e.g. {@code TLS_AES_128_GCM_SHA256}
	 * @return this builder
	 */
	public TlsProfileBuilder cipherSuites(String... suites) {
		this.cipherSuites = nonEmpty(suites, "cipherSuites");
		return this;
	}

	/**
	 * Sets the named groups, in preference order; none means the stack's default.
	 * @param groups Conscrypt names: {@code X25519MLKEM768}, {@code X25519}, {@code P-256}, {@code P-384},
	 * {@code P-521}, {@code MLKEM1024}
	 * @return this builder
	 */
	public TlsProfileBuilder namedGroups(String... groups) {
		this.namedGroups = List.of(groups);
		return this;
	}

	/**
	 * Sets the ALPN protocols offered, in order.
	 * @param protocols {@code h2} and/or {@code http/1.1}; OkHttp needs {@code http/1.1}
	 * @return this builder
	 */
	public TlsProfileBuilder alpnProtocols(String... protocols) {
		this.alpnProtocols = nonEmpty(protocols, "alpnProtocols");
		return this;
	}

	/**
	 * Sets whether the session_ticket extension is sent.
	 * @param sessionTickets {@code true} to send it
	 * @return this builder
	 */
	public TlsProfileBuilder sessionTickets(boolean sessionTickets) {
		this.sessionTickets = sessionTickets;
		return this;
	}

	/**
	 * Sets whether the profile runs on Conscrypt ({@code true}, the default) or on the JDK's own TLS.
	 * @param requiresConscrypt {@code false} for the JDK's TLS
	 * @return this builder
	 */
	public TlsProfileBuilder requiresConscrypt(boolean requiresConscrypt) {
		this.requiresConscrypt = requiresConscrypt;
		return this;
	}

	/** Runs the profile on the browser engine with a browser's ClientHello; built-in profiles only. */
	TlsProfileBuilder browserEngine(BrowserHello hello) {
		this.browserHello = hello;
		this.requiresConscrypt = false;
		return this;
	}

	/**
	 * Asks for GREASE values. Recorded so that validation can refuse it: only the browser engine sends GREASE.
	 * @param grease {@code true} to ask for GREASE
	 * @return this builder
	 */
	public TlsProfileBuilder grease(boolean grease) {
		this.grease = grease;
		return this;
	}

	/**
	 * Asks for an extension order. Recorded so that validation can refuse it: the stack orders extensions.
	 * @param extensionTypes extension types in the order asked for
	 * @return this builder
	 */
	public TlsProfileBuilder extensionOrder(Integer... extensionTypes) {
		this.extensionOrder = List.of(extensionTypes);
		return this;
	}

	/**
	 * Sets the User-Agent sent when a request sets none.
	 * @param userAgent the User-Agent
	 * @return this builder
	 */
	public TlsProfileBuilder userAgent(String userAgent) {
		Objects.requireNonNull(userAgent, "userAgent");
		if (userAgent.isBlank()) {
			throw new IllegalArgumentException("TLS profile '" + this.id + "': userAgent must not be blank");
		}
		this.userAgent = userAgent;
		return this;
	}

	/**
	 * Adds a header sent when a request does not set it. Leave Accept-Encoding to OkHttp: setting it turns off
	 * OkHttp's transparent decompression.
	 * @param name the header name (not User-Agent: see {@link #userAgent(String)})
	 * @param value the value
	 * @return this builder
	 * @throws IllegalArgumentException for a name or value OkHttp cannot send, saying why but never showing the
	 * value, which may be a secret
	 */
	public TlsProfileBuilder header(String name, String value) {
		if ("User-Agent".equalsIgnoreCase(name)) {
			throw new IllegalArgumentException("TLS profile '" + this.id + "': set the User-Agent with userAgent()");
		}
		try {
			this.defaultHeaders.add(name, value);
		}
		catch (IllegalArgumentException ex) {
			// Not chained: OkHttp's message ends with the value for most header names.
			String quoted = ": " + value;
			String reason = ex.getMessage().endsWith(quoted)
					? ex.getMessage().substring(0, ex.getMessage().length() - quoted.length()) : ex.getMessage();
			throw new IllegalArgumentException("TLS profile '" + this.id + "': " + reason);
		}
		return this;
	}

	/**
	 * Names the client the profile imitates.
	 * @param client the client, e.g. {@code Chrome desktop}
	 * @param version the version targeted
	 * @param ja4 that client's JA4
	 * @return this builder
	 */
	public TlsProfileBuilder target(String client, String version, String ja4) {
		this.target = new TlsProfile.Target(client, version, ja4);
		return this;
	}

	/**
	 * Records the JA4 the profile achieves on this stack, which the start-up self-test expects.
	 * @param ja4 the measured JA4
	 * @return this builder
	 */
	public TlsProfileBuilder achievedJa4(String ja4) {
		this.achievedJa4 = Objects.requireNonNull(ja4, "ja4");
		return this;
	}

	/**
	 * Records, in one line, what differs between the achieved and the target JA4 and why.
	 * @param difference the explanation
	 * @return this builder
	 */
	public TlsProfileBuilder difference(String difference) {
		this.difference = Objects.requireNonNull(difference, "difference");
		return this;
	}

	/**
	 * Builds the profile.
	 * @return the immutable profile
	 */
	public TlsProfile build() {
		return new TlsProfile(this);
	}

	List<String> nonEmpty(String[] values, String name) {
		if (values.length == 0) {
			throw new IllegalArgumentException("TLS profile '" + this.id + "': " + name + " must not be empty");
		}
		return List.of(values);
	}

}
