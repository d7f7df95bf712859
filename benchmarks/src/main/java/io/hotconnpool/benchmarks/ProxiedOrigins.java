package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import io.hotconnpool.test.Loopback;
import io.hotconnpool.test.LoopbackProxy;
import io.hotconnpool.test.TestTls;
import io.hotconnpool.test.TlsOrigins;
import okhttp3.Protocol;

/**
 * K hosts × M IPs over a network with a round-trip time: one real TLS origin on 127.0.0.1 behind a
 * {@link LoopbackProxy} that listens on one loopback address per (host, IP), 127.0.0.2 onwards, all on one port.
 * A second proxy without delay, on 127.0.0.1, measures what a request costs besides the round trip: the server,
 * both clients' and the proxy's own work.
 *
 * @param origin the TLS origin
 * @param proxy the proxy that adds the round-trip time
 * @param relay the proxy without delay
 * @param relayAddress where the relay listens
 * @param targets the hosts, each with its proxied IPs
 * @param tls the CA every client trusts and the origin's certificate
 */
public record ProxiedOrigins(TlsOrigins origin, LoopbackProxy proxy, LoopbackProxy relay,
		InetSocketAddress relayAddress, List<Target> targets, TestTls tls) implements AutoCloseable {

	private static final int BIND_ATTEMPTS = 10;

	/**
	 * Starts the origin and the proxy.
	 * @param hosts how many host names ({@code h0.bench.test}, ...)
	 * @param ipsPerHost how many IPs each host has
	 * @param rtt the round-trip time the proxy adds
	 * @param protocols the protocols the origin offers
	 * @return the running set-up
	 * @throws IOException when no common port could be bound on every address
	 */
	public static ProxiedOrigins start(int hosts, int ipsPerHost, Duration rtt, List<Protocol> protocols)
			throws IOException {
		List<String> names = IntStream.range(0, hosts).mapToObj((i) -> "h" + i + ".bench.test").toList();
		List<InetAddress> all = new ArrayList<>();
		for (int i = 0; i < hosts * ipsPerHost; i++) {
			all.add(Loopback.address(2 + i));
		}
		TestTls tls = TestTls.create(names, all);
		TlsOrigins origin = TlsOrigins.serve(tls, List.of(InetAddress.getByName("127.0.0.1")), protocols);
		LoopbackProxy proxy = LoopbackProxy.start(rtt.dividedBy(2));
		LoopbackProxy relay = LoopbackProxy.start(Duration.ZERO);
		try {
			int port = listenOnCommonPort(proxy, all, origin.socketAddress());
			InetSocketAddress relayAddress = relay.listen(new InetSocketAddress(origin.socketAddress().getAddress(), 0),
					origin.socketAddress());
			List<Target> targets = new ArrayList<>();
			for (int h = 0; h < hosts; h++) {
				targets.add(new Target(names.get(h), port, all.subList(h * ipsPerHost, (h + 1) * ipsPerHost)));
			}
			return new ProxiedOrigins(origin, proxy, relay, relayAddress, List.copyOf(targets), tls);
		}
		catch (IOException | RuntimeException ex) {
			relay.close();
			proxy.close();
			origin.close();
			throw ex;
		}
	}

	/** Binds the first address to a free port, then the others to the same; starts over if one is taken there. */
	private static int listenOnCommonPort(LoopbackProxy proxy, List<InetAddress> addresses, InetSocketAddress upstream)
			throws IOException {
		BindException last = null;
		for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
			List<InetSocketAddress> bound = new ArrayList<>();
			try {
				bound.add(proxy.listen(new InetSocketAddress(addresses.get(0), 0), upstream));
				int port = bound.get(0).getPort();
				for (InetAddress address : addresses.subList(1, addresses.size())) {
					bound.add(proxy.listen(new InetSocketAddress(address, port), upstream));
				}
				return port;
			}
			catch (BindException ex) {
				last = ex;
				bound.forEach(proxy::unlisten);
			}
		}
		throw last;
	}

	/** The hosts with no delay: every name on the zero-delay proxy, for the baseline of everything but the RTT. */
	public List<Target> baselineTargets() {
		return this.targets.stream()
			.map((target) -> new Target(target.host(), this.relayAddress.getPort(),
					List.of(this.relayAddress.getAddress())))
			.toList();
	}

	@Override
	public void close() {
		this.relay.close();
		this.proxy.close();
		this.origin.close();
	}

}
