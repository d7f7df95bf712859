package io.hotconnpool.actuate;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.hotconnpool.pool.BlacklistedIp;
import io.hotconnpool.pool.ConnectionStats;
import io.hotconnpool.pool.FailingIp;
import io.hotconnpool.pool.HostStats;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.PoolStats;
import io.hotconnpool.pool.RetireReason;
import io.hotconnpool.tls.TlsFingerprint;
import io.hotconnpool.tls.TlsSelfTest;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code hotconnpool} actuator endpoint: the pool's statistics, the fingerprints its TLS profiles achieved in
 * the start-up self-test, per host its IPs (active, draining or blacklisted) and connections, and three operator
 * actions.
 * <ul>
 * <li>{@code GET /actuator/hotconnpool}: the whole pool;</li>
 * <li>{@code GET /actuator/hotconnpool/{host}}: one host, {@code host} or {@code host:port} (404 when unknown);</li>
 * <li>{@code POST /actuator/hotconnpool}: force cleanup, every connection closed and warmed again;</li>
 * <li>{@code POST /actuator/hotconnpool/{host}}: warm the host's missing connections now;</li>
 * <li>{@code POST /actuator/hotconnpool/{host}/{ip}}: take the IP off the blacklist and warm it.</li>
 * </ul>
 * A write naming a host or IP the pool does not have is refused as a bad request (400).
 * The write operations disrupt traffic, so the endpoint's default access is read-only: they exist only with
 * {@code management.endpoint.hotconnpool.access=unrestricted}.
 * <p>
 * The responses are {@link OperationResponseBody operation response bodies}: the actuator's own JSON mapper writes
 * them, whatever the application's mapper settings, and leaves out absent values.
 */
@Endpoint(id = "hotconnpool", defaultAccess = Access.READ_ONLY)
public final class HotConnPoolEndpoint {

	/** Long enough for a handshake on a sane network, short enough for an HTTP call; warming goes on past it. */
	static final Duration WARM_UP_WAIT = Duration.ofSeconds(5);

	private final HotConnPool pool;

	/**
	 * Creates the endpoint.
	 * @param pool the pool it reports on
	 */
	public HotConnPoolEndpoint(HotConnPool pool) {
		this.pool = pool;
	}

	/**
	 * The pool's statistics and every host.
	 * @return the report
	 */
	@ReadOperation
	public PoolReport pool() {
		PoolStats stats = this.pool.stats();
		Map<String, Long> retired = new LinkedHashMap<>();
		for (RetireReason reason : RetireReason.values()) {
			retired.put(EnumNames.of(reason), stats.retiredByReason().getOrDefault(reason, 0L));
		}
		List<HostReport> hosts = stats.hosts()
			.stream()
			.sorted(Comparator.comparing(HostKeys::of))
			.map(HotConnPoolEndpoint::report)
			.toList();
		List<TlsProfileReport> tlsProfiles = stats.tlsSelfTests().stream().map(HotConnPoolEndpoint::report).toList();
		return new PoolReport(this.pool.isRunning(), this.pool.tlsProvider(), tlsProfiles, stats.totalConnections(),
				stats.activeConnections(), stats.streamsInFlight(), stats.idleConnections(), stats.warmingConnections(),
				stats.healthyConnections(), stats.waitingAcquires(), stats.blacklistedIps(), stats.totalRequests(),
				stats.failedRequests(), stats.successRate(), stats.responsesByStatusClass(), stats.hotHits(), stats.handshakes(),
				stats.connectionsCreated(), stats.newConnectionsFromDns(), stats.acquireTimeouts(), stats.leaksDetected(),
				stats.retries(), stats.retriesSucceeded(), stats.retriesFailed(), retired, hosts);
	}

	/**
	 * One host.
	 * @param host {@code host} or {@code host:port}
	 * @return the host's report, or {@code null} (404) when the pool does not serve it
	 */
	@ReadOperation
	public HostReport host(@Selector String host) {
		HostStats stats = HostKeys.find(this.pool.stats().hosts(), host);
		return (stats != null) ? report(stats) : null;
	}

	/**
	 * Closes every connection, leased ones too, and warms every host again.
	 * @return how many connections were closed
	 */
	@WriteOperation
	public CleanupResult forceCleanup() {
		return new CleanupResult(this.pool.forceCleanup());
	}

	/**
	 * Warms the host's missing connections, waiting up to 5 seconds for them.
	 * @param host {@code host} or {@code host:port}
	 * @return whether the warm-ups this call started ended in that time, and the host's state
	 * @throws InvalidEndpointRequestException when the pool does not serve the host
	 */
	@WriteOperation
	public WarmUpResult warmUp(@Selector String host) {
		HostStats stats = knownHost(host);
		String key = HostKeys.of(stats);
		boolean completed = await(this.pool.warmUp(key));
		return new WarmUpResult(key, completed, host(key));
	}

	/**
	 * Takes an IP off the host's blacklist now and warms its connections.
	 * @param host {@code host} or {@code host:port}
	 * @param ip one of the host's IP addresses, as the reports spell it
	 * @return whether the IP was blacklisted
	 * @throws InvalidEndpointRequestException when the pool does not serve the host or the host has no such IP
	 */
	@WriteOperation
	public UnblacklistResult unblacklist(@Selector String host, @Selector String ip) {
		HostStats stats = knownHost(host);
		String key = HostKeys.of(stats);
		if (!stats.addresses().contains(ip)) {
			throw new InvalidEndpointRequestException("Host " + key + " has no IP address " + ip,
					"unknown IP address");
		}
		return new UnblacklistResult(key, ip, this.pool.unblacklist(key, literal(ip)));
	}

	private HostStats knownHost(String host) {
		HostStats stats = HostKeys.find(this.pool.stats().hosts(), host);
		if (stats == null) {
			throw new InvalidEndpointRequestException("hotconnpool does not serve host " + host, "unknown host");
		}
		return stats;
	}

	private static boolean await(CompletableFuture<Void> warmUp) {
		try {
			warmUp.get(WARM_UP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
			return true;
		}
		catch (TimeoutException ex) {
			return false;
		}
		catch (ExecutionException ex) {
			return true; // a failed warm-up shows in the host's connections and in the pool's log
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/** The pool's own spelling of one of its addresses: an IP literal, so no DNS look-up happens. */
	private static InetAddress literal(String ip) {
		try {
			return InetAddress.getByName(ip);
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException("Not an IP address: " + ip, ex);
		}
	}

	private static HostReport report(HostStats host) {
		Map<String, BlacklistedIp> blacklisted = new LinkedHashMap<>();
		host.blacklisted().forEach((entry) -> blacklisted.put(entry.ip(), entry));
		Map<String, FailingIp> failing = new LinkedHashMap<>();
		host.failing().forEach((entry) -> failing.put(entry.ip(), entry));
		Set<String> ips = new LinkedHashSet<>(host.addresses());
		ips.addAll(host.draining());
		List<IpReport> ipReports = new ArrayList<>();
		for (String ip : ips) {
			BlacklistedIp entry = blacklisted.get(ip);
			FailingIp failure = failing.get(ip);
			String state = (entry != null) ? "blacklisted" : host.draining().contains(ip) ? "draining"
					: (failure != null) ? "failing" : "active";
			int connections = (int) host.connections().stream().filter((c) -> c.ip().equals(ip)).count();
			ipReports.add(new IpReport(ip, state, connections,
					(entry != null) ? new Blacklisting(entry.reason(), entry.since(), entry.until(), entry.source()) : null,
					(failure != null) ? new Failing(failure.consecutiveFailures(), failure.lastFailure(), failure.since())
							: null));
		}
		List<ConnectionReport> connections = host.connections()
			.stream()
			.sorted(Comparator.comparingLong(ConnectionStats::id))
			.map(HotConnPoolEndpoint::report)
			.toList();
		return new HostReport(HostKeys.of(host), host.host(), host.port(), host.total(), host.idle(), host.leased(),
				host.streams(), host.warming(), host.healthy(), host.waiting(), host.maxConnections(), host.warmTarget(),
				(host.keepAliveTimeout() != null) ? host.keepAliveTimeout().toMillis() : null, ipReports, connections);
	}

	private static TlsProfileReport report(TlsSelfTest.Result result) {
		TlsFingerprint achieved = result.achieved();
		return new TlsProfileReport(result.profileId(), result.expectedJa4(), (achieved != null) ? achieved.ja4() : null,
				(achieved != null) ? achieved.ja4r() : null, (achieved != null) ? achieved.ja3() : null,
				result.matches(), result.failure());
	}

	private static ConnectionReport report(ConnectionStats connection) {
		return new ConnectionReport(connection.id(), connection.ip(), connection.slot(),
				EnumNames.of(connection.state()), connection.healthy(), connection.protocol(), connection.requests(),
				connection.errors(), connection.streams(), connection.maxStreams(), connection.createdAt(),
				connection.lastUsedAt(), connection.expiresAt());
	}

	/**
	 * The whole pool: every field of {@link PoolStats}.
	 *
	 * @param running whether the pool is started and not closed
	 * @param tlsProvider the TLS provider in use
	 * @param tlsProfiles the TLS profiles in use, each with the fingerprints its ClientHello achieved in the start-up
	 * self-test; empty when the self-test is off
	 * @param totalConnections connections not retired
	 * @param activeConnections connections carrying at least one lease
	 * @param streamsInFlight leases in flight: one per HTTP/2 stream, one per leased HTTP/1.1 connection
	 * @param idleConnections connections free to lease
	 * @param warmingConnections connections being opened or validated
	 * @param healthyConnections connections whose last request or probe succeeded
	 * @param waitingAcquires acquires waiting for a connection
	 * @param blacklistedIps IPs currently blacklisted, over all hosts
	 * @param totalRequests requests executed on leases (each attempt of a retried {@code execute} counts)
	 * @param failedRequests requests whose caller got an I/O error, before the response or while reading its body
	 * @param successRate {@code 1 - failedRequests/totalRequests}, 1 without requests
	 * @param responses responses received, by status class ({@code 1xx} to {@code 5xx})
	 * @param hotHits requests served on an already-warm connection
	 * @param handshakes TLS handshakes performed
	 * @param connectionsCreated connections ever created
	 * @param newConnectionsFromDns connections created for IPs that DNS refresh found
	 * @param acquireTimeouts acquires that gave up
	 * @param leaksDetected leases held longer than {@code leak-detection-threshold}
	 * @param retries idempotent requests retried once, on a connection known alive, after a connection failure
	 * @param retriesSucceeded retries that got a response
	 * @param retriesFailed retries that failed too, or found no connection
	 * @param retiredConnections connections retired, per reason ({@code expired}, {@code dns-removed}, ...)
	 * @param hosts every host, by key
	 */
	public record PoolReport(boolean running, String tlsProvider, List<TlsProfileReport> tlsProfiles,
			int totalConnections, int activeConnections, int streamsInFlight,
			int idleConnections, int warmingConnections, int healthyConnections, int waitingAcquires,
			int blacklistedIps, long totalRequests, long failedRequests, double successRate,
			Map<String, Long> responses, long hotHits,
			long handshakes, long connectionsCreated, long newConnectionsFromDns, long acquireTimeouts,
			long leaksDetected, long retries, long retriesSucceeded, long retriesFailed,
			Map<String, Long> retiredConnections, List<HostReport> hosts)
			implements OperationResponseBody {
	}

	/**
	 * One TLS profile in use and what the start-up self-test captured of its ClientHello.
	 *
	 * @param profile the profile's id
	 * @param expectedJa4 the JA4 the profile records for this stack, absent when it records none
	 * @param ja4 the JA4 its ClientHello achieved, absent when the capture failed
	 * @param ja4r the raw JA4 (JA4_r): the cipher suites, extensions and signature algorithms themselves
	 * @param ja3 its JA3
	 * @param matches whether {@code ja4} is {@code expectedJa4}; a mismatch is also logged as a warning
	 * @param failure why the capture failed, absent when it succeeded
	 */
	public record TlsProfileReport(String profile, String expectedJa4, String ja4, String ja4r, String ja3,
			boolean matches, String failure) {
	}

	/**
	 * One host.
	 *
	 * @param host the host key, {@code host:port}
	 * @param name the host name
	 * @param port the port
	 * @param totalConnections connections not retired
	 * @param idleConnections connections free to lease
	 * @param leasedConnections connections carrying at least one lease
	 * @param streamsInFlight leases in flight: one per HTTP/2 stream, one per leased HTTP/1.1 connection
	 * @param warmingConnections connections being opened or validated
	 * @param healthyConnections connections whose last request or probe succeeded
	 * @param waitingAcquires acquires waiting for a connection
	 * @param maxConnections the host's connection limit
	 * @param warmTarget the number of connections kept warm
	 * @param keepAliveTimeoutMillis how long its servers keep an idle connection open, in ms, as learned from a
	 * {@code Keep-Alive} header or an observed idle close; absent when unknown
	 * @param ips its IP addresses, those draining included
	 * @param connections its connections, by id
	 */
	public record HostReport(String host, String name, int port, int totalConnections, int idleConnections,
			int leasedConnections, int streamsInFlight, int warmingConnections, int healthyConnections,
			int waitingAcquires, int maxConnections, int warmTarget, Long keepAliveTimeoutMillis, List<IpReport> ips,
			List<ConnectionReport> connections) implements OperationResponseBody {
	}

	/**
	 * One IP address of a host.
	 *
	 * @param ip the address
	 * @param state {@code active}, {@code failing} (its latest connections or probes failed, for example TLS
	 * handshakes that do not complete; not blacklisted yet), {@code draining} (left the DNS answer, leases still out)
	 * or {@code blacklisted}
	 * @param connections the host's connections pinned to it
	 * @param blacklisted why and until when, present only when blacklisted
	 * @param failing how many failures in a row and the last one, present only when failing
	 */
	public record IpReport(String ip, String state, int connections, Blacklisting blacklisted, Failing failing) {
	}

	/**
	 * A streak of failures on an IP that is not blacklisted (yet).
	 *
	 * @param consecutiveFailures failures in a row, towards {@code blacklist.failure-threshold}
	 * @param lastFailure the latest one
	 * @param since when the streak began
	 */
	public record Failing(int consecutiveFailures, String lastFailure, Instant since) {
	}

	/**
	 * A blacklist entry.
	 *
	 * @param reason why, for example {@code status 403 on probe HEAD /}
	 * @param since when it was blacklisted
	 * @param until when it is re-probed
	 * @param source who reported it: a fleet instance's id, or {@code null} when this pool saw it itself
	 */
	public record Blacklisting(String reason, Instant since, Instant until, String source) {
	}

	/**
	 * One pooled connection.
	 *
	 * @param id its number within the pool
	 * @param ip the IP address it is pinned to
	 * @param slot the slot of that IP it fills
	 * @param state {@code warming}, {@code idle}, {@code leased} (carrying a lease or, on HTTP/2, streams),
	 * {@code reserved} (being probed) or {@code retired} (an HTTP/2 connection draining its last streams)
	 * @param healthy whether its last request or probe succeeded
	 * @param protocol {@code h2} or {@code http/1.1}, absent before the first exchange
	 * @param requests requests served, probes excluded
	 * @param errors requests or probes that failed
	 * @param streams leases in flight on it: HTTP/2 streams, or 0 or 1
	 * @param maxStreams the most it carries at once: on HTTP/2 the lower of the pool's and the server's limit, else 1
	 * @param createdAt when it was created
	 * @param lastUsedAt when it was last leased or probed
	 * @param expiresAt when it reaches its maximum lifetime
	 */
	public record ConnectionReport(long id, String ip, int slot, String state, boolean healthy, String protocol,
			long requests, long errors, int streams, int maxStreams, Instant createdAt, Instant lastUsedAt, Instant expiresAt) {
	}

	/**
	 * The outcome of a force cleanup.
	 *
	 * @param connectionsClosed connections closed, leased ones included
	 */
	public record CleanupResult(int connectionsClosed) implements OperationResponseBody {
	}

	/**
	 * The outcome of a warm-up.
	 *
	 * @param host the host key
	 * @param completed whether the warm-ups this call started ended within the wait (connections that something
	 * else, such as a force cleanup, is warming show as {@code warmingConnections} in {@code state})
	 * @param state the host afterwards
	 */
	public record WarmUpResult(String host, boolean completed,
			HostReport state) implements OperationResponseBody {
	}

	/**
	 * The outcome of taking an IP off the blacklist.
	 *
	 * @param host the host key
	 * @param ip the address
	 * @param wasBlacklisted whether it was blacklisted (if not, nothing changed)
	 */
	public record UnblacklistResult(String host, String ip,
			boolean wasBlacklisted) implements OperationResponseBody {
	}

}
