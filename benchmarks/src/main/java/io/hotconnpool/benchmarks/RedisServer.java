package io.hotconnpool.benchmarks;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisURI;

/**
 * A {@code redis-server} of the machine on a free port of 127.0.0.1, without persistence, for one benchmark run.
 * Found on the PATH, or named by {@code HOTCONNPOOL_REDIS_SERVER} (as the fleet's tests find it).
 */
public final class RedisServer implements AutoCloseable {

	private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

	private final Process process;

	private final int port;

	private RedisServer(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	/** The executable, if the machine has one. */
	public static Optional<Path> executable() {
		String configured = System.getenv("HOTCONNPOOL_REDIS_SERVER");
		Stream<Path> candidates = (configured != null && !configured.isBlank()) ? Stream.of(Path.of(configured))
				: Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
					.filter((directory) -> !directory.isEmpty())
					.map((directory) -> Path.of(directory, "redis-server"));
		return candidates.filter(Files::isExecutable).findFirst();
	}

	/**
	 * Starts the server and waits until a client connects.
	 * @param executable the redis-server executable
	 * @return the running server
	 * @throws IOException when it does not answer within 20 s
	 */
	public static RedisServer start(Path executable) throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = socket.getLocalPort();
		}
		Process process = new ProcessBuilder(List.of(executable.toString(), "--port", Integer.toString(port), "--bind",
				"127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "warning"))
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		RedisServer server = new RedisServer(process, port);
		RedisClient client = RedisClient.create(server.uri());
		try {
			long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
			while (true) {
				try {
					client.connect().close();
					return server;
				}
				catch (RedisConnectionException ex) {
					if (!process.isAlive() || System.nanoTime() > deadline) {
						server.close();
						throw new IOException("redis-server did not answer on 127.0.0.1:" + port, ex);
					}
					process.waitFor(20, TimeUnit.MILLISECONDS); // bounded poll of the process
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			server.close();
			throw new IOException("Interrupted while starting redis-server", ex);
		}
		finally {
			client.shutdown();
		}
	}

	/** {@code redis://127.0.0.1:port}. */
	public RedisURI uri() {
		return RedisURI.create("127.0.0.1", this.port);
	}

	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

}
