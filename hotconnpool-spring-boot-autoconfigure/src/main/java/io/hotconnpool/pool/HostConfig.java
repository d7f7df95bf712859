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

	private final ConnectionConfigGroups.Probe probe = ConnectionConfigGroups.Probe.unset();

	private final TlsChoice tls = new TlsChoice();

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

	public ConnectionConfigGroups.Probe getProbe() {
		return this.probe;
	}

	public TlsChoice getTls() {
		return this.tls;
	}

	@Override
	void seal(String path) {
		super.seal(path);
		this.probe.seal(path + "probe.");
		this.tls.seal(path + "tls.");
	}

}
