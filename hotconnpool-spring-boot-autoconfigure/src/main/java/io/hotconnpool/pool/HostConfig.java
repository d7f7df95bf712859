package io.hotconnpool.pool;

import java.util.ArrayList;
import java.util.List;

/**
 * One entry of {@code hotconnpool.hosts}: a target host. A value left unset ({@code null}) inherits the pool-wide
 * one; {@link HotConnPoolConfig} resolves the entry into the {@link HostSettings} the pool reads.
 */
public class HostConfig extends ConfigGroup {

	/**
	 * Host name, optionally with a port (api.example.com or api.example.com:8443); https is implied.
	 */
	private String host;

	/**
	 * The https port, when not given with the host name. Default 443.
	 */
	private Integer port;

	/**
	 * Static IP addresses always used for this host, in addition to DNS when it is enabled.
	 */
	private List<String> addresses = new ArrayList<>();

	/**
	 * Whether the host name is resolved for more addresses. Default true.
	 */
	private Boolean dnsEnabled;

	/**
	 * Warm connections kept per IP address of this host.
	 */
	private Integer connectionsPerIp;

	/**
	 * Most connections to this host at once.
	 */
	private Integer maxConnections;

	/**
	 * HTTP statuses that set the answering IP aside.
	 */
	private List<String> blacklistStatuses;

	private final Probe probe = new Probe();

	private final Tls tls = new Tls();

	public String getHost() {
		return this.host;
	}

	public void setHost(String host) {
		checkIfSealed("host");
		this.host = host;
	}

	public Integer getPort() {
		return this.port;
	}

	public void setPort(Integer port) {
		checkIfSealed("port");
		this.port = port;
	}

	public List<String> getAddresses() {
		return this.addresses;
	}

	public void setAddresses(List<String> addresses) {
		checkIfSealed("addresses");
		this.addresses = addresses;
	}

	public Boolean getDnsEnabled() {
		return this.dnsEnabled;
	}

	public void setDnsEnabled(Boolean dnsEnabled) {
		checkIfSealed("dns-enabled");
		this.dnsEnabled = dnsEnabled;
	}

	public Integer getConnectionsPerIp() {
		return this.connectionsPerIp;
	}

	public void setConnectionsPerIp(Integer connectionsPerIp) {
		checkIfSealed("connections-per-ip");
		this.connectionsPerIp = connectionsPerIp;
	}

	public Integer getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(Integer maxConnections) {
		checkIfSealed("max-connections");
		this.maxConnections = maxConnections;
	}

	public List<String> getBlacklistStatuses() {
		return this.blacklistStatuses;
	}

	public void setBlacklistStatuses(List<String> blacklistStatuses) {
		checkIfSealed("blacklist-statuses");
		this.blacklistStatuses = blacklistStatuses;
	}

	public Probe getProbe() {
		return this.probe;
	}

	public Tls getTls() {
		return this.tls;
	}

	@Override
	void seal(String path) {
		super.seal(path);
		this.probe.seal(path + "probe.");
		this.tls.seal(path + "tls.");
	}

	/**
	 * A host's probe; a value left unset inherits the pool-wide one.
	 */
	public static class Probe extends ConfigGroup {

		/**
		 * HTTP method of the probe: HEAD, GET or OPTIONS.
		 */
		private String method;

		/**
		 * Path of the probe, starting with '/'.
		 */
		private String path;

		/**
		 * HTTP statuses that prove a connection healthy.
		 */
		private List<String> successStatuses;

		public String getMethod() {
			return this.method;
		}

		public void setMethod(String method) {
			checkIfSealed("method");
			this.method = method;
		}

		public String getPath() {
			return this.path;
		}

		public void setPath(String path) {
			checkIfSealed("path");
			this.path = path;
		}

		public List<String> getSuccessStatuses() {
			return this.successStatuses;
		}

		public void setSuccessStatuses(List<String> successStatuses) {
			checkIfSealed("success-statuses");
			this.successStatuses = successStatuses;
		}

	}

	/**
	 * A host's TLS; a value left unset inherits the pool-wide one.
	 */
	public static class Tls extends ConfigGroup {

		/**
		 * Name of the SSL bundle whose trust store (and key store, for mutual TLS) this host uses.
		 */
		private String bundle;

		/**
		 * TLS client profile of this host: okhttp, chrome, firefox, jdk or the id of a custom profile; several
		 * separated by commas are taken in turn by new connections.
		 */
		private String profile;

		public String getBundle() {
			return this.bundle;
		}

		public void setBundle(String bundle) {
			checkIfSealed("bundle");
			this.bundle = bundle;
		}

		public String getProfile() {
			return this.profile;
		}

		public void setProfile(String profile) {
			checkIfSealed("profile");
			this.profile = profile;
		}

	}

}
