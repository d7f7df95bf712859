package io.hotconnpool.sample.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.hotconnpool.test.TestTls;
import io.hotconnpool.test.TlsOrigins;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;

/**
 * The embedded demo origin: the project's loopback TLS origins (from its test-support module) for {@link #HOST} on
 * 127.0.0.2, 127.0.0.3 and 127.0.0.4, one shared free port ({@code target()} is {@code host:port}, as the pool names
 * the host), with a server certificate signed by a CA generated at start. {@code GET} answers a small JSON naming the
 * IP that served it; {@code HEAD} (the pool's probe) answers 200; {@code GET} {@value #FORBIDDEN_PATH} answers 403, a
 * status the pool blacklists the answering IP for.
 */
public final class DemoOrigin extends TlsOrigins {

	/** The host name the demo origin serves. It resolves only through the pool's static addresses. */
	public static final String HOST = "demo.hotconnpool.test";

	/** The loopback addresses the origin listens on. */
	public static final List<String> ADDRESSES = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");

	/** The path answered with 403, to show the blacklist at work. */
	public static final String FORBIDDEN_PATH = "/forbidden";

	private final TestTls tls;

	private final AtomicLong requests = new AtomicLong();

	private DemoOrigin(TestTls tls, TlsOrigins started) {
		super(started);
		this.tls = tls;
		all().forEach((origin) -> origin.answer((request) -> answer(origin.ip(), request)));
	}

	/**
	 * Generates a CA and a server certificate and starts one server per address on one free port.
	 * @return the running origin
	 * @throws IOException when no common free port was found
	 */
	public static DemoOrigin start() throws IOException {
		TestTls tls = TestTls.create(List.of(HOST), List.of());
		List<InetAddress> addresses = new ArrayList<>();
		for (String address : ADDRESSES) {
			addresses.add(InetAddress.getByName(address));
		}
		// No request history: the demo may run for days.
		return new DemoOrigin(tls, TlsOrigins.builder()
			.host(HOST)
			.serverTls(tls.server())
			.addresses(addresses)
			.recording(false)
			.start());
	}

	/** The generated CA certificate, PEM-encoded: what clients must trust. */
	public String caCertificatePem() {
		return this.tls.caPem();
	}

	/** A client-side trust configuration holding only the demo CA. */
	public HandshakeCertificates clientCertificates() {
		return this.tls.client();
	}

	private MockResponse answer(String address, RecordedRequest request) {
		MockResponse.Builder response = new MockResponse.Builder().code(200)
			.setHeader("Content-Type", "application/json");
		if ("HEAD".equals(request.getMethod())) {
			return response.build();
		}
		long n = this.requests.incrementAndGet();
		if (FORBIDDEN_PATH.equals(request.getUrl().encodedPath())) {
			return response.code(403).body("{\"servedBy\":\"" + address + "\",\"request\":" + n + "}").build();
		}
		return response.body("{\"origin\":\"" + HOST + "\",\"servedBy\":\"" + address + "\",\"request\":" + n
				+ ",\"message\":\"hello from the demo origin\"}")
			.build();
	}

}
