package io.hotconnpool.pool;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Finds the IP addresses of a host. The pool keeps warm connections to every address returned.
 * <p>
 * The pool calls it with a deadline ({@code resolve-timeout}) from its own executor, never under a lock, and keeps
 * the last known addresses when it fails. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface HostResolver {

	/**
	 * Returns every address of the host (IPv4 and IPv6).
	 * @param host the host name
	 * @return the addresses, possibly empty
	 * @throws UnknownHostException when the host cannot be resolved
	 */
	List<InetAddress> resolve(String host) throws UnknownHostException;

	/**
	 * The system resolver: every A and AAAA record the JVM's name service returns.
	 * @return the system resolver
	 */
	static HostResolver system() {
		return (host) -> List.of(InetAddress.getAllByName(host));
	}

}
