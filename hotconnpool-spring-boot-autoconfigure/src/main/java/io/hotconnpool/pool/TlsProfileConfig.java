package io.hotconnpool.pool;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A TLS profile defined in configuration, under {@code hotconnpool.tls.custom-profiles.<id>}. An unset value takes
 * the okhttp profile's.
 */
public class TlsProfileConfig extends ConfigGroup {

	/**
	 * TLS versions offered, as Java names: TLSv1.3, TLSv1.2. Default both.
	 */
	private List<String> versions;

	/**
	 * Cipher suites offered, as Java names, in the order sent. With TLS 1.3 on Conscrypt, TLS_AES_128_GCM_SHA256,
	 * TLS_AES_256_GCM_SHA384 and TLS_CHACHA20_POLY1305_SHA256 come first in that order. Default OkHttp's.
	 */
	private List<String> cipherSuites;

	/**
	 * Named groups (supported_groups and key shares) in preference order: X25519MLKEM768, X25519, P-256, P-384,
	 * P-521, MLKEM1024. Default Conscrypt's.
	 */
	private List<String> namedGroups;

	/**
	 * ALPN protocols offered, in order: h2 and http/1.1 (OkHttp needs http/1.1). Default both.
	 */
	private List<String> alpn;

	/**
	 * Whether the ClientHello carries the session_ticket extension. Default true.
	 */
	private Boolean sessionTickets;

	/**
	 * User-Agent sent when a request sets none. Default OkHttp's.
	 */
	private String userAgent;

	/**
	 * Headers, other than User-Agent, sent when a request does not set them, in order.
	 */
	private Map<String, String> headers = new LinkedHashMap<>();

	/**
	 * The JA4 the profile is expected to send on this stack: the start-up self-test warns when it sends another.
	 */
	private String expectedJa4;

	/**
	 * One line on what differs between the achieved and the target JA4, and why.
	 */
	private String difference;

	private final Target target = new Target();

	public List<String> getVersions() {
		return this.versions;
	}

	public void setVersions(List<String> versions) {
		checkIfSealed("versions");
		this.versions = versions;
	}

	public List<String> getCipherSuites() {
		return this.cipherSuites;
	}

	public void setCipherSuites(List<String> cipherSuites) {
		checkIfSealed("cipher-suites");
		this.cipherSuites = cipherSuites;
	}

	public List<String> getNamedGroups() {
		return this.namedGroups;
	}

	public void setNamedGroups(List<String> namedGroups) {
		checkIfSealed("named-groups");
		this.namedGroups = namedGroups;
	}

	public List<String> getAlpn() {
		return this.alpn;
	}

	public void setAlpn(List<String> alpn) {
		checkIfSealed("alpn");
		this.alpn = alpn;
	}

	public Boolean getSessionTickets() {
		return this.sessionTickets;
	}

	public void setSessionTickets(Boolean sessionTickets) {
		checkIfSealed("session-tickets");
		this.sessionTickets = sessionTickets;
	}

	public String getUserAgent() {
		return this.userAgent;
	}

	public void setUserAgent(String userAgent) {
		checkIfSealed("user-agent");
		this.userAgent = userAgent;
	}

	public Map<String, String> getHeaders() {
		return this.headers;
	}

	public void setHeaders(Map<String, String> headers) {
		checkIfSealed("headers");
		this.headers = headers;
	}

	public String getExpectedJa4() {
		return this.expectedJa4;
	}

	public void setExpectedJa4(String expectedJa4) {
		checkIfSealed("expected-ja4");
		this.expectedJa4 = expectedJa4;
	}

	public String getDifference() {
		return this.difference;
	}

	public void setDifference(String difference) {
		checkIfSealed("difference");
		this.difference = difference;
	}

	public Target getTarget() {
		return this.target;
	}

	@Override
	void seal(String path) {
		super.seal(path);
		this.target.seal(path + "target.");
	}

	/**
	 * The client a custom TLS profile imitates: all three values, or none.
	 */
	public static class Target extends ConfigGroup {

		/**
		 * The client, such as Chrome desktop.
		 */
		private String client;

		/**
		 * The client's version targeted: targets move with releases.
		 */
		private String version;

		/**
		 * That client's JA4.
		 */
		private String ja4;

		public String getClient() {
			return this.client;
		}

		public void setClient(String client) {
			checkIfSealed("client");
			this.client = client;
		}

		public String getVersion() {
			return this.version;
		}

		public void setVersion(String version) {
			checkIfSealed("version");
			this.version = version;
		}

		public String getJa4() {
			return this.ja4;
		}

		public void setJa4(String ja4) {
			checkIfSealed("ja4");
			this.ja4 = ja4;
		}

	}

}
