package io.hotconnpool.pool;

import java.util.ArrayList;
import java.util.List;

import lombok.Getter;
import lombok.Setter;

/**
 * One entry of {@code hotconnpool.hosts}: a target host. A value left unset ({@code null}) inherits the pool-wide
 * one; {@link HotConnPoolConfig} resolves the entry into the {@link HostSettings} the pool reads.
 */
@Getter
@Setter
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

}
