package io.hotconnpool.test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A real {@code redis-server} of the machine on a free loopback port, without persistence, for one test class or
 * benchmark run: started, stopped and started again on the same port (an outage), and stopped for good by
 * {@link #close()}.
 * <p>
 * The executable is named by {@value #EXECUTABLE}, else found on the PATH. Where there is none, {@link #start()}
 * skips the calling JUnit test with the reason, unless {@value #REQUIRE} is {@code true} (both are read as a system
 * property or an environment variable; CI sets the second): then it fails it.
 */
public final class LoopbackRedis implements AutoCloseable {

	/** Names the executable explicitly (system property or environment variable); else the PATH is searched. */
	public static final String EXECUTABLE = "HOTCONNPOOL_REDIS_SERVER";

	/** {@code true} (system property or environment variable): a missing redis-server fails instead of skipping. */
	public static final String REQUIRE = "HOTCONNPOOL_REQUIRE_REDIS";

	private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

	private final Path executable;

	private final int port;

	private final Path log;

	private Process process;

	private LoopbackRedis(Path executable, int port) throws IOException {
		this.executable = executable;
		this.port = port;
		this.log = Files.createTempFile("hotconnpool-redis-", ".log");
	}

	/**
	 * Starts a server for a JUnit test: {@link #assumeAvailable()}, then {@link #start(Path)}.
	 * @return the running server
	 * @throws IOException when it cannot start
	 */
	public static LoopbackRedis start() throws IOException {
		assumeAvailable();
		return start(executable().orElseThrow());
	}

	/**
	 * Skips the calling JUnit test, with the reason, where the machine has no redis-server; fails it instead where
	 * one is required ({@value #REQUIRE}).
	 */
	public static void assumeAvailable() {
		if (executable().isEmpty()) {
			String reason = "no redis-server on the PATH (Debian package redis-server) nor named by " + EXECUTABLE
					+ ": the fleet's Redis tests are";
			if (Boolean.parseBoolean(setting(REQUIRE))) {
				throw new AssertionError(reason + " required here (" + REQUIRE + "=true)");
			}
			Assumptions.abort(reason + " skipped");
		}
	}

	/**
	 * Starts a server on a free port of 127.0.0.1 and waits until it answers.
	 * @param executable the redis-server executable, from {@link #executable()}
	 * @return the running server
	 * @throws IOException when it does not answer within 20 s
	 */
	public static LoopbackRedis start(Path executable) throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = socket.getLocalPort();
		}
		LoopbackRedis redis = new LoopbackRedis(executable, port);
		redis.restart();
		return redis;
	}

	/**
	 * The redis-server executable of the machine: the one {@value #EXECUTABLE} names, else the first on the PATH.
	 * @return the executable, if there is one
	 */
	public static Optional<Path> executable() {
		String configured = setting(EXECUTABLE);
		Stream<Path> candidates = (configured != null) ? Stream.of(Path.of(configured))
				: Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
					.filter((directory) -> !directory.isEmpty())
					.map((directory) -> Path.of(directory, "redis-server"));
		return candidates.filter(Files::isExecutable).findFirst();
	}

	private static String setting(String name) {
		String value = System.getProperty(name);
		return (value != null && !value.isBlank()) ? value : System.getenv(name);
	}

	/**
	 * Starts the server again on its port, empty (no persistence), and waits until it answers PING.
	 * @throws IOException when it does not answer within 20 s
	 */
	public void restart() throws IOException {
		this.process = new ProcessBuilder(List.of(this.executable.toString(), "--port", Integer.toString(this.port),
				"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel",
				"warning"))
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(this.log.toFile()))
			.start();
		long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
		while (!answersPing()) {
			if (!this.process.isAlive() || System.nanoTime() > deadline) {
				stop();
				throw new IOException("redis-server did not answer on 127.0.0.1:" + this.port + " within "
						+ START_TIMEOUT + ": " + Files.readString(this.log, StandardCharsets.UTF_8));
			}
			try {
				this.process.waitFor(20, TimeUnit.MILLISECONDS); // bounded poll of a process, not a sleep
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException("Interrupted while starting redis-server", ex);
			}
		}
	}

	private boolean answersPing() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), this.port), 200);
			socket.setSoTimeout(500);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] reply = new byte[7];
			int read = in.readNBytes(reply, 0, reply.length);
			return new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** Stops the server (an outage); {@link #restart()} brings it back, empty. */
	public void stop() {
		if (this.process == null) {
			return;
		}
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
		this.process = null;
	}

	/** The port on 127.0.0.1. */
	public int port() {
		return this.port;
	}

	/**
	 * A started Lettuce connection factory for this server, with the given command timeout.
	 * @param commandTimeout the driver's command timeout
	 * @return the factory; stop and destroy it after use
	 */
	public LettuceConnectionFactory connectionFactory(Duration commandTimeout) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", this.port),
				LettuceClientConfiguration.builder().commandTimeout(commandTimeout).build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	@Override
	public void close() {
		stop();
		try {
			Files.deleteIfExists(this.log);
		}
		catch (IOException ex) {
			// a temporary file
		}
	}

}
