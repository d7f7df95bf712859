package io.hotconnpool.pool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;

/**
 * A TCP forwarder on a loopback address that can drop every connection it carries without telling either side
 * in advance, as a server or middlebox does with idle connections, can close each connection once no byte has
 * crossed it for an idle timeout, as servers reap idle keep-alive connections (Node.js after 5 s, nginx after 75 s),
 * and can black-hole them: keep them open and forward nothing, as a peer that went silent or a broken path does.
 * TLS passes through untouched.
 */
final class LoopbackProxy implements AutoCloseable {

	private final ServerSocket listener;

	private final InetSocketAddress upstream;

	private final ExecutorService threads = Executors.newCachedThreadPool((task) -> {
		Thread thread = new Thread(task, "loopback-proxy");
		thread.setDaemon(true);
		return thread;
	});

	private final Set<Socket> open = ConcurrentHashMap.newKeySet();

	private volatile boolean blackHoling;

	/** When a byte last crossed each carried connection, by its client-side socket; with an idle timeout only. */
	private final Map<Socket, Carried> carried = new ConcurrentHashMap<>();

	private final ScheduledExecutorService reaper;

	private final AtomicInteger idleClosed = new AtomicInteger();

	/**
	 * Listens on {@code address:port} and forwards to {@code upstream}.
	 */
	LoopbackProxy(InetAddress address, int port, InetSocketAddress upstream) throws IOException {
		this(address, port, upstream, null);
	}

	/**
	 * Listens on {@code address:port}, forwards to {@code upstream}, and closes a connection (both sides) once no
	 * byte has crossed it in either direction for {@code idleTimeout}.
	 */
	LoopbackProxy(InetAddress address, int port, InetSocketAddress upstream, Duration idleTimeout) throws IOException {
		if (!address.isLoopbackAddress() || !upstream.getAddress().isLoopbackAddress()) {
			throw new IllegalArgumentException("loopback only");
		}
		this.upstream = upstream;
		this.listener = new ServerSocket();
		this.listener.setReuseAddress(true);
		this.listener.bind(new InetSocketAddress(address, port));
		this.threads.execute(this::acceptLoop);
		if (idleTimeout == null) {
			this.reaper = null;
			return;
		}
		long timeout = idleTimeout.toNanos();
		long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(2), timeout / 50);
		this.reaper = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "loopback-proxy-reaper");
			thread.setDaemon(true);
			return thread;
		});
		this.reaper.scheduleWithFixedDelay(() -> {
			long now = System.nanoTime();
			this.carried.values().removeIf((connection) -> {
				if (now - connection.lastActiveNanos >= timeout) {
					this.idleClosed.incrementAndGet();
					closeQuietly(connection.client);
					closeQuietly(connection.server);
					return true;
				}
				return false;
			});
		}, tick, tick, TimeUnit.NANOSECONDS);
	}

	/** Connections closed because they were idle for the idle timeout. */
	int idleClosed() {
		return this.idleClosed.get();
	}

	InetAddress address() {
		return this.listener.getInetAddress();
	}

	private void acceptLoop() {
		while (!this.listener.isClosed()) {
			try {
				Socket client = this.listener.accept();
				Socket server = new Socket();
				server.connect(this.upstream, 5_000);
				this.open.add(client);
				this.open.add(server);
				Carried connection = new Carried(client, server);
				if (this.reaper != null) {
					this.carried.put(client, connection);
				}
				this.threads.execute(() -> pump(client, server, connection));
				this.threads.execute(() -> pump(server, client, connection));
			}
			catch (IOException ex) {
				// listener closed, or the upstream refused: the client sees its connection closed
			}
		}
	}

	private void pump(Socket from, Socket to, Carried connection) {
		byte[] buffer = new byte[16 * 1024];
		try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
			int read;
			while ((read = in.read(buffer)) != -1) {
				if (this.blackHoling) {
					continue; // read and dropped: the sender sees its bytes go out, and nothing ever comes back
				}
				connection.lastActiveNanos = System.nanoTime();
				out.write(buffer, 0, read);
				out.flush();
				connection.lastActiveNanos = System.nanoTime();
			}
		}
		catch (IOException ex) {
			// one side closed: close both below
		}
		finally {
			closeQuietly(from);
			closeQuietly(to);
			this.carried.remove(connection.client);
		}
	}

	/**
	 * Drops every byte from now on, both ways, on every connection, without closing any; or forwards again.
	 * @param on whether to black-hole
	 */
	void blackHole(boolean on) {
		this.blackHoling = on;
	}

	/**
	 * Closes every connection carried so far, both sides; new connections are still accepted, and one accepted
	 * while this runs (a client reconnecting at once) is left alone.
	 */
	void dropAll() {
		List<Socket> carried = List.copyOf(this.open);
		this.open.removeAll(carried);
		carried.forEach(LoopbackProxy::closeQuietly);
	}

	/** One carried connection: its two sockets and when a byte last crossed it. */
	private static final class Carried {

		final Socket client;

		final Socket server;

		volatile long lastActiveNanos = System.nanoTime();

		Carried(Socket client, Socket server) {
			this.client = client;
			this.server = server;
		}

	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// already closed
		}
	}

	@Override
	public void close() throws IOException {
		if (this.reaper != null) {
			this.reaper.shutdownNow();
		}
		this.listener.close();
		dropAll();
		this.threads.shutdownNow();
		try {
			this.threads.awaitTermination(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
