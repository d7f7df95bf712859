package io.hotconnpool.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

@Timeout(30)
class LoopbackProxyTests {

	private static final Duration ONE_WAY = Duration.ofMillis(10);

	private final ExecutorService echoThreads = Executors.newFixedThreadPool(4);

	private ServerSocket echo;

	private LoopbackProxy proxy;

	private InetSocketAddress proxied;

	@BeforeEach
	void start() throws IOException {
		this.echo = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
		this.echoThreads.execute(this::serveEcho);
		this.proxy = LoopbackProxy.start(ONE_WAY);
		this.proxied = this.proxy.listen(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0),
				(InetSocketAddress) this.echo.getLocalSocketAddress());
	}

	@AfterEach
	void stop() throws IOException {
		this.proxy.close();
		this.echo.close();
		this.echoThreads.shutdownNow();
	}

	private void serveEcho() {
		while (!this.echo.isClosed()) {
			try {
				Socket socket = this.echo.accept();
				this.echoThreads.execute(() -> {
					try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
						in.transferTo(out);
					}
					catch (IOException ex) {
						// the test closed it
					}
				});
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	@Test
	void delaysEveryRoundTripByAtLeastTheRttAndTheFirstByOneMoreForTheTcpHandshake() throws IOException {
		long rtt = ONE_WAY.multipliedBy(2).toNanos();
		try (Socket client = new Socket()) {
			client.setTcpNoDelay(true);
			long connectStart = System.nanoTime();
			client.connect(this.proxied);
			assertThat(roundTrip(client)).isZero();
			long first = System.nanoTime() - connectStart;
			assertThat(first).as("SYN/SYN-ACK, then the data and its answer").isGreaterThanOrEqualTo(2 * rtt);
			for (int i = 0; i < 5; i++) {
				long start = System.nanoTime();
				assertThat(roundTrip(client)).isZero();
				long elapsed = System.nanoTime() - start;
				assertThat(elapsed).isGreaterThanOrEqualTo(rtt).isLessThan(rtt + TimeUnit.MILLISECONDS.toNanos(500));
			}
		}
	}

	/** A client connected through the proxy, one byte already echoed. */
	private Socket connected() throws IOException {
		Socket client = new Socket();
		client.connect(this.proxied);
		assertThat(roundTrip(client)).isZero();
		return client;
	}

	private static int roundTrip(Socket client) throws IOException {
		client.getOutputStream().write(0);
		return client.getInputStream().read();
	}

	@Test
	void keepsEveryByteInOrderBeyondTheQueueLimit() throws Exception {
		int size = 3 * LoopbackProxy.MAX_QUEUED + 12345;
		try (Socket client = new Socket()) {
			client.connect(this.proxied);
			byte[] sent = new byte[size];
			for (int i = 0; i < size; i++) {
				sent[i] = (byte) (i * 31 + (i >>> 8));
			}
			var writer = this.echoThreads.submit(() -> {
				OutputStream out = client.getOutputStream();
				for (int offset = 0; offset < size; offset += 1000) {
					out.write(sent, offset, Math.min(1000, size - offset));
				}
				out.flush();
				return null;
			});
			byte[] received = client.getInputStream().readNBytes(size);
			writer.get(10, TimeUnit.SECONDS);
			assertThat(received).isEqualTo(sent);
		}
	}

	@Test
	void closesIdleConnectionsAsTheServerWouldTheClientSeesTheEndOneDelayLater() throws IOException {
		try (Socket client = connected()) {
			assertThat(this.proxy.openConnections()).isEqualTo(1);
			assertThat(this.proxy.closeIdle(Duration.ofSeconds(60))).as("not idle long enough").isZero();
			long start = System.nanoTime();
			// The delivery thread may still be finishing the write the client just read.
			await().atMost(Duration.ofSeconds(5)).until(() -> this.proxy.closeIdle(Duration.ZERO) == 1);
			assertThat(client.getInputStream().read()).isEqualTo(-1);
			assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(ONE_WAY.toNanos());
			await().atMost(Duration.ofSeconds(5)).until(() -> this.proxy.openConnections() == 0);
		}
	}

	@Test
	void passesTheEndOfEachDirectionAndClosesOnceBothEnded() throws IOException {
		try (Socket client = connected()) {
			client.shutdownOutput();
			assertThat(client.getInputStream().read()).as("the echo server ends its side in turn").isEqualTo(-1);
			await().atMost(Duration.ofSeconds(5)).until(() -> this.proxy.openConnections() == 0);
		}
	}

	@Test
	void dropAllClosesEveryCarriedConnectionAndStillAcceptsNewOnes() throws IOException {
		try (Socket dropped = connected()) {
			this.proxy.dropAll();
			assertThat(dropped.getInputStream().read()).as("closed without a word").isEqualTo(-1);
			try (Socket next = connected()) {
			}
		}
	}

	@Test
	void aBlackHoleKeepsConnectionsOpenAndForwardsNothingUntilLifted() throws IOException {
		try (Socket client = connected()) {
			this.proxy.blackHole(true);
			client.setSoTimeout(300);
			client.getOutputStream().write(1);
			assertThatExceptionOfType(SocketTimeoutException.class).as("no answer, no close")
				.isThrownBy(() -> client.getInputStream().read());
			this.proxy.blackHole(false);
			client.setSoTimeout(5_000);
			assertThat(roundTrip(client)).as("the byte sent meanwhile is lost; the next one crosses").isZero();
			assertThat(this.proxy.openConnections()).isEqualTo(1);
		}
	}

	@Test
	void withAnIdleTimeoutClosesQuietConnectionsOnItsOwnAndCountsThem() throws IOException {
		InetSocketAddress upstream = (InetSocketAddress) this.echo.getLocalSocketAddress();
		try (LoopbackProxy reaping = new LoopbackProxy(InetAddress.getByName("127.0.0.3"), upstream.getPort(), upstream,
				Duration.ofMillis(200)); Socket client = new Socket()) {
			client.connect(new InetSocketAddress(reaping.address(), upstream.getPort()));
			assertThat(roundTrip(client)).isZero();
			long start = System.nanoTime();
			client.setSoTimeout(5_000);
			assertThat(client.getInputStream().read()).as("closed by the proxy once idle").isEqualTo(-1);
			assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
			// Counted once the reaping round ends, which may be just after the client saw the end.
			await().atMost(Duration.ofSeconds(5)).until(() -> reaping.idleClosed() == 1);
		}
	}

	@Test
	void refusesAddressesOutsideLoopback() throws IOException {
		InetSocketAddress upstream = (InetSocketAddress) this.echo.getLocalSocketAddress();
		assertThatIllegalArgumentException().isThrownBy(() -> this.proxy
			.listen(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0), new InetSocketAddress("192.0.2.1", 443)));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new LoopbackProxy(InetAddress.getByName("192.0.2.1"), 0, upstream));
	}

	@Test
	void closeStopsItsThreads() {
		this.proxy.close();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> Thread.getAllStackTraces().keySet().stream()
				.noneMatch((thread) -> thread.getName().startsWith("loopback-proxy-") && thread.isAlive()));
	}

}
