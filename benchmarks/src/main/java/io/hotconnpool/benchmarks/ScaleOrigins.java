package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import io.hotconnpool.test.TestTls;
import io.hotconnpool.test.TlsOrigins;
import okhttp3.Protocol;

/**
 * Many TLS origins, one per loopback address 127.77.x.y, all on one port, speaking HTTP/1.1: the far side of the
 * scale benchmark, run in its own process so that its heap, threads and CPU stay out of the pool's numbers.
 * <p>
 * {@code java -cp ... io.hotconnpool.benchmarks.ScaleOrigins <count>} prints the CA certificate in PEM, then
 * {@code READY <port>}, and serves until its standard input ends.
 */
public final class ScaleOrigins {

	/** The host name the certificate is issued for. */
	public static final String HOST = "scale.bench.test";

	private ScaleOrigins() {
	}

	/** 127.77.x.y for index 0, 1, ...: 250 per /24, up to 64,000. */
	static InetAddress address(int index) throws UnknownHostException {
		return InetAddress.getByAddress(new byte[] { 127, 77, (byte) (index / 250), (byte) (index % 250 + 1) });
	}

	public static void main(String[] args) throws IOException {
		int count = Integer.parseInt(args[0]);
		List<InetAddress> addresses = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			addresses.add(address(i));
		}
		TestTls tls = TestTls.create(List.of(HOST), List.of());
		try (TlsOrigins origins = TlsOrigins.serve(tls, addresses, List.of(Protocol.HTTP_1_1));
				InputStream in = System.in) {
			System.out.print(tls.caPem());
			System.out.println("READY " + origins.port());
			System.out.flush();
			in.transferTo(OutputStream.nullOutputStream());
		}
	}

}
