package io.hotconnpool.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Captures the ClientHello of one TLS client on a loopback port, so that the
 * fingerprint a client really sends can be checked without any network: in tests,
 * and in a start-up self-test.
 * <p>
 * {@link #start(InetAddress, Duration, Duration) start} binds an ephemeral port on the
 * given loopback address only, then a single daemon thread owned by the capture
 * accepts <em>one</em> connection, reads TLS records until the ClientHello is complete,
 * and closes the connection without answering. The client's handshake therefore
 * fails; that is expected. Both the accept and the read have a deadline, so the
 * capture always ends. {@link #close()} releases the port and stops the thread.
 * <pre class="code">
 * try (ClientHelloCapture capture = ClientHelloCapture.start(InetAddress.getByName("127.0.0.1"), Duration.ofSeconds(5))) {
 * 	// connect a TLS client to capture.port() and start its handshake
 * 	ClientHello hello = capture.await(Duration.ofSeconds(5));
 * }
 * </pre>
 */
public final class ClientHelloCapture implements AutoCloseable {

	private static final String THREAD_NAME_PREFIX = "hotconnpool-clienthello-capture-";

	/** Bound on waiting for the capture thread in {@link #close()}; closing its sockets wakes it at once. */
	private static final Duration THREAD_STOP_TIMEOUT = Duration.ofSeconds(5);

	private final ServerSocket serverSocket;

	private final Duration acceptTimeout;

	private final Duration readTimeout;

	private final CompletableFuture<ClientHello> result = new CompletableFuture<>();

	private final Thread thread;

	private volatile Socket acceptedSocket;

	private volatile boolean closed;

	private ClientHelloCapture(ServerSocket serverSocket, Duration acceptTimeout, Duration readTimeout) {
		this.serverSocket = serverSocket;
		this.acceptTimeout = acceptTimeout;
		this.readTimeout = readTimeout;
		this.thread = new Thread(this::capture, THREAD_NAME_PREFIX + serverSocket.getLocalPort());
		this.thread.setDaemon(true);
	}

	/**
	 * Starts a capture with the same timeout for accepting and for reading.
	 * @param loopbackAddress the loopback address to bind, e.g. {@code 127.0.0.1}
	 * @param timeout the time allowed for a client to connect, and then again for it to
	 * send its complete ClientHello
	 * @return the running capture
	 * @throws IOException if the port cannot be bound
	 * @see #start(InetAddress, Duration, Duration)
	 */
	public static ClientHelloCapture start(InetAddress loopbackAddress, Duration timeout) throws IOException {
		return start(loopbackAddress, timeout, timeout);
	}

	/**
	 * Binds an ephemeral port on {@code loopbackAddress} and starts waiting for one
	 * client.
	 * @param loopbackAddress the loopback address to bind, e.g. {@code 127.0.0.1}; no
	 * other address is ever bound
	 * @param acceptTimeout the time allowed for a client to connect
	 * @param readTimeout the time allowed, once connected, for the client to send its
	 * complete ClientHello
	 * @return the running capture
	 * @throws IllegalArgumentException if the address is not a loopback address or a
	 * timeout is not positive
	 * @throws IOException if the port cannot be bound
	 */
	public static ClientHelloCapture start(InetAddress loopbackAddress, Duration acceptTimeout, Duration readTimeout)
			throws IOException {
		Objects.requireNonNull(loopbackAddress, "loopbackAddress must not be null");
		if (!loopbackAddress.isLoopbackAddress()) {
			// A capture accepts anybody's connection: it must never listen beyond this host.
			throw new IllegalArgumentException("Not a loopback address: " + loopbackAddress);
		}
		requirePositive(acceptTimeout, "acceptTimeout");
		requirePositive(readTimeout, "readTimeout");
		ServerSocket serverSocket = new ServerSocket(0, 1, loopbackAddress);
		try {
			serverSocket.setSoTimeout(toSocketTimeoutMillis(acceptTimeout));
			ClientHelloCapture capture = new ClientHelloCapture(serverSocket, acceptTimeout, readTimeout);
			capture.thread.start();
			return capture;
		}
		catch (IOException | RuntimeException | Error ex) {
			serverSocket.close();
			throw ex;
		}
	}

	/**
	 * The address clients should connect to.
	 * @return the bound loopback address and port
	 */
	public InetSocketAddress address() {
		return new InetSocketAddress(this.serverSocket.getInetAddress(), this.serverSocket.getLocalPort());
	}

	/**
	 * The bound port.
	 * @return the ephemeral port clients should connect to
	 */
	public int port() {
		return this.serverSocket.getLocalPort();
	}

	/**
	 * The outcome of the capture: the ClientHello, or the failure (an
	 * {@link IOException} such as a {@link SocketTimeoutException}, or an
	 * {@link IllegalArgumentException} for bytes that are not a ClientHello).
	 * @return a copy of the result future; completing it does not affect the capture
	 */
	public CompletableFuture<ClientHello> result() {
		return this.result.copy();
	}

	/**
	 * Waits for the captured ClientHello.
	 * @param timeout how long to wait at most
	 * @return the captured ClientHello
	 * @throws IOException if the capture failed: no client within the accept timeout,
	 * no complete ClientHello within the read timeout, a read error, or the capture was
	 * closed
	 * @throws IllegalArgumentException if the client sent something that is not a
	 * well-formed ClientHello
	 * @throws TimeoutException if the capture has not finished within {@code timeout}
	 * @throws InterruptedException if the calling thread is interrupted while waiting
	 */
	public ClientHello await(Duration timeout) throws IOException, TimeoutException, InterruptedException {
		requirePositive(timeout, "timeout");
		try {
			return this.result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			// Wrap rather than rethrow, so the caller's stack is in the trace too.
			Throwable cause = ex.getCause();
			if (cause instanceof IllegalArgumentException) {
				throw new IllegalArgumentException("Captured bytes are not a ClientHello: " + cause.getMessage(), cause);
			}
			throw new IOException("ClientHello capture failed: " + cause.getMessage(), cause);
		}
	}

	/**
	 * Stops the capture: releases the port, drops any accepted connection and waits
	 * (boundedly) for the capture thread to end. A capture that has not finished yet
	 * completes with an {@link IOException}. Idempotent.
	 */
	@Override
	public void close() {
		this.closed = true;
		this.result.completeExceptionally(new IOException("ClientHello capture on " + address() + " was closed"));
		closeQuietly(this.serverSocket);
		closeQuietly(this.acceptedSocket);
		if (Thread.currentThread() != this.thread) {
			try {
				this.thread.join(THREAD_STOP_TIMEOUT.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	private void capture() {
		try (ServerSocket server = this.serverSocket) {
			Socket socket = accept(server);
			try (socket) {
				this.acceptedSocket = socket;
				// close() may have run before the field was set and missed this socket.
				if (this.closed) {
					return;
				}
				long deadline = System.nanoTime() + this.readTimeout.toNanos();
				this.result.complete(ClientHello.read(new DeadlineInputStream(socket, deadline, this.readTimeout)));
			}
		}
		catch (Exception ex) {
			this.result.completeExceptionally(ex);
		}
		catch (Error ex) {
			this.result.completeExceptionally(ex);
			throw ex;
		}
	}

	private Socket accept(ServerSocket server) throws IOException {
		try {
			return server.accept();
		}
		catch (SocketTimeoutException ex) {
			SocketTimeoutException timeout = new SocketTimeoutException(
					"No client connected to " + address() + " within " + this.acceptTimeout);
			timeout.initCause(ex);
			throw timeout;
		}
	}

	private static void closeQuietly(AutoCloseable closeable) {
		if (closeable != null) {
			try {
				closeable.close();
			}
			catch (Exception ex) {
				// Nothing more to release: the capture is over either way.
			}
		}
	}

	private static void requirePositive(Duration duration, String name) {
		Objects.requireNonNull(duration, () -> name + " must not be null");
		if (duration.isNegative() || duration.isZero()) {
			throw new IllegalArgumentException(name + " must be positive, was " + duration);
		}
	}

	private static int toSocketTimeoutMillis(Duration duration) {
		// A socket timeout of 0 means "wait forever": never round a short duration down to it.
		long millis = Math.max(1, duration.toMillis());
		return (int) Math.min(millis, Integer.MAX_VALUE);
	}

	/**
	 * Applies one overall deadline to a socket's reads: SO_TIMEOUT alone bounds each
	 * read, so a client trickling a byte at a time could otherwise hold the capture for
	 * far longer than the read timeout.
	 */
	private static final class DeadlineInputStream extends InputStream {

		private final Socket socket;

		private final InputStream in;

		private final long deadlineNanos;

		private final Duration readTimeout;

		DeadlineInputStream(Socket socket, long deadlineNanos, Duration readTimeout) throws IOException {
			this.socket = socket;
			this.in = socket.getInputStream();
			this.deadlineNanos = deadlineNanos;
			this.readTimeout = readTimeout;
		}

		@Override
		public int read() throws IOException {
			byte[] single = new byte[1];
			int read = read(single, 0, 1);
			return (read == 1) ? single[0] & 0xff : -1;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			long remainingNanos = this.deadlineNanos - System.nanoTime();
			if (remainingNanos <= 0) {
				throw timedOut(null);
			}
			this.socket.setSoTimeout(toSocketTimeoutMillis(Duration.ofNanos(remainingNanos).plusMillis(1)));
			try {
				return this.in.read(buffer, offset, length);
			}
			catch (SocketTimeoutException ex) {
				throw timedOut(ex);
			}
		}

		private SocketTimeoutException timedOut(SocketTimeoutException cause) {
			SocketTimeoutException timeout = new SocketTimeoutException(
					"No complete ClientHello within " + this.readTimeout);
			timeout.initCause(cause);
			return timeout;
		}

	}

}
