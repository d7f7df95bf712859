package io.hotconnpool.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Start-up check that a client really sends the ClientHello its {@link TlsProfile} records, for example after a
 * Conscrypt or JDK upgrade.
 * <p>
 * It sends one request to {@code https://selftest.hotconnpool.test:<port>/}, resolved to 127.0.0.1 where a
 * {@link ClientHelloCapture} reads the ClientHello and hangs up: the client's handshake fails, as expected, and no
 * byte leaves the host. The capture never completes a handshake, so no session for that host exists to be resumed,
 * and the ClientHello is that of a fresh connection. A mismatch or a failed capture is logged as a warning and
 * reported, never thrown.
 */
public final class TlsSelfTest {

	/** The host name requested: it has a dot, so the client sends SNI as it does for a real host. */
	public static final String HOST = "selftest.hotconnpool.test";

	private static final Log logger = LogFactory.getLog(TlsSelfTest.class);

	private TlsSelfTest() {
	}

	/**
	 * Captures the ClientHello {@code client} sends and compares its JA4 with the profile's recorded one.
	 * @param profile the profile the client was configured with
	 * @param client the client exactly as the pool configures it for {@code profile}; its DNS, proxy, connection pool
	 * and timeouts are replaced for the test, everything TLS and the interceptors are kept
	 * @param timeout the bound on the whole test
	 * @return the outcome; never throws for a mismatch or a failed capture
	 */
	public static Result run(TlsProfile profile, OkHttpClient client, Duration timeout) {
		Objects.requireNonNull(profile, "profile");
		Objects.requireNonNull(client, "client");
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("timeout must be positive, was " + timeout);
		}
		long deadline = System.nanoTime() + timeout.toNanos();
		try {
			// A literal: no resolver is asked, and nothing but 127.0.0.1 is ever used.
			InetAddress loopback = InetAddress.getByAddress("localhost", new byte[] { 127, 0, 0, 1 });
			try (ClientHelloCapture capture = ClientHelloCapture.start(loopback, timeout)) {
				OkHttpClient probe = client.newBuilder()
					.dns((host) -> {
						if (!HOST.equals(host)) {
							throw new UnknownHostException(host + " (the TLS self-test resolves only " + HOST + ")");
						}
						return List.of(loopback);
					})
					.proxy(Proxy.NO_PROXY)
					.connectionPool(new ConnectionPool())
					.retryOnConnectionFailure(false)
					.callTimeout(timeout)
					.build();
				Request request = new Request.Builder().url("https://" + HOST + ":" + capture.port() + "/").build();
				try (Response response = probe.newCall(request).execute()) {
					return failed(profile, "HTTP " + response.code() + " came back although the capture never answers:"
							+ " an interceptor answered instead of the TLS stack");
				}
				catch (IOException expected) {
					// The capture hangs up after the ClientHello: the handshake must fail.
				}
				TlsFingerprint achieved = TlsFingerprint.of(capture.await(remaining(deadline)));
				return matched(profile, achieved);
			}
		}
		catch (TimeoutException ex) {
			return failed(profile, "no ClientHello within " + timeout);
		}
		catch (IOException | IllegalArgumentException ex) {
			return failed(profile, ex.toString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return failed(profile, ex.toString());
		}
	}

	private static Result matched(TlsProfile profile, TlsFingerprint achieved) {
		Result result = new Result(profile.id(), profile.achievedJa4(), achieved, null);
		if (result.matches()) {
			logger.info("TLS profile '" + profile.id() + "' sends JA4 " + achieved.ja4() + " as recorded (JA4_r "
					+ achieved.ja4r() + ", JA3 " + achieved.ja3() + ")");
		}
		else if (profile.achievedJa4() == null) {
			logger.info("TLS profile '" + profile.id() + "' records no JA4; it sends JA4 " + achieved.ja4()
					+ " (JA4_r " + achieved.ja4r() + ", JA3 " + achieved.ja3() + ")");
		}
		else {
			logger.warn("TLS profile '" + profile.id() + "' expected JA4 " + profile.achievedJa4() + " but sends "
					+ achieved.ja4() + " (JA4_r " + achieved.ja4r() + ", JA3 " + achieved.ja3() + "). The ClientHello"
					+ " changed, e.g. after a Conscrypt or JDK upgrade: measure again and update the profile.");
		}
		return result;
	}

	private static Result failed(TlsProfile profile, String failure) {
		logger.warn("TLS profile '" + profile.id() + "' self-test could not capture the ClientHello: " + failure);
		return new Result(profile.id(), profile.achievedJa4(), null, failure);
	}

	private static Duration remaining(long deadlineNanos) {
		// await() needs a positive wait; a capture that is already over answers at once anyway.
		return Duration.ofNanos(Math.max(1, deadlineNanos - System.nanoTime()));
	}

	/**
	 * The outcome of a self-test.
	 *
	 * @param profileId the profile tested
	 * @param expectedJa4 the JA4 the profile records, or {@code null} when it records none
	 * @param achieved the fingerprints of the ClientHello sent (JA4, JA4_r, JA3), or {@code null} when the capture
	 * failed
	 * @param failure why the capture failed, or {@code null} when it succeeded
	 */
	public record Result(String profileId, String expectedJa4, TlsFingerprint achieved, String failure) {

		/**
		 * Whether the ClientHello sent has the recorded JA4.
		 * @return {@code false} on a mismatch, a failed capture or no recorded JA4
		 */
		public boolean matches() {
			return this.achieved != null && this.achieved.ja4().equals(this.expectedJa4);
		}

	}

}
