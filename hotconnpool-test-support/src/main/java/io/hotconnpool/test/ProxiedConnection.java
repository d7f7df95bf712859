package io.hotconnpool.test;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.List;

/** One connection a {@link LoopbackProxy} carries: the client's socket, the upstream's, and a flow each way. */
final class ProxiedConnection {

	private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

	final SocketChannel client;

	final SocketChannel upstream;

	final long acceptedNanos;

	final Flow toServer;

	final Flow toClient;

	volatile long lastActivityNanos;

	volatile boolean closed;

	/** Set when the proxy closed the upstream side as an idle server would; guarded by the proxy's lock. */
	boolean serverClosed;

	/**
	 * Connects an accepted client to the upstream and registers both for reading.
	 * @return the connection, or {@code null} when the upstream refused (the client is then closed)
	 */
	static ProxiedConnection open(SocketChannel client, InetSocketAddress upstreamAddress, long firstFlowId,
			Selector selector) {
		SocketChannel upstream = null;
		try {
			// A blocking connect to a loopback listener answers in microseconds: the deadline is for a stuck one.
			upstream = SocketChannel.open();
			upstream.socket().connect(upstreamAddress, CONNECT_TIMEOUT_MILLIS);
			for (SocketChannel channel : List.of(client, upstream)) {
				channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
				channel.configureBlocking(false);
			}
			ProxiedConnection link = new ProxiedConnection(client, upstream, System.nanoTime(), firstFlowId);
			link.toServer.key = client.register(selector, SelectionKey.OP_READ, link.toServer);
			link.toClient.key = upstream.register(selector, SelectionKey.OP_READ, link.toClient);
			return link;
		}
		catch (IOException ex) {
			closeQuietly(client);
			closeQuietly(upstream);
			return null;
		}
	}

	private ProxiedConnection(SocketChannel client, SocketChannel upstream, long acceptedNanos, long firstFlowId) {
		this.client = client;
		this.upstream = upstream;
		this.acceptedNanos = acceptedNanos;
		this.lastActivityNanos = acceptedNanos;
		this.toServer = new Flow(this, upstream, firstFlowId);
		this.toClient = new Flow(this, client, firstFlowId + 1);
	}

	/**
	 * Closes a socket or listener, which may be closing already.
	 * @param channel the channel, or {@code null}
	 */
	static void closeQuietly(Closeable channel) {
		if (channel == null) {
			return;
		}
		try {
			channel.close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	void close() {
		closeQuietly(this.client);
		closeQuietly(this.upstream);
	}

	/**
	 * The end of one direction reached its destination: half-closes it.
	 * @return whether the connection is over: both directions ended, or the server's FIN reached the client after
	 * an idle close (further client bytes would meet a reset)
	 */
	boolean finished(Flow flow) throws IOException {
		if (this.serverClosed) {
			return true;
		}
		flow.sink.shutdownOutput();
		flow.finished = true;
		return this.toServer.finished && this.toClient.finished;
	}

	/** Nothing queued or being written either way; under the proxy's lock. */
	boolean quietLocked() {
		return this.toServer.queue.isEmpty() && this.toClient.queue.isEmpty() && !this.toServer.writing
				&& !this.toClient.writing;
	}

	/** One direction of a connection. Mutable fields are guarded by the proxy's lock, except where noted. */
	static final class Flow {

		final ProxiedConnection connection;

		final SocketChannel sink;

		final long id;

		final ArrayDeque<Chunk> queue = new ArrayDeque<>();

		/** The source's key; set once by the I/O thread before any read. */
		volatile SelectionKey key;

		long queuedBytes;

		long lastDueNanos;

		long scheduledAt;

		boolean scheduled;

		/** Checked out by the delivery thread: not in the schedule, which it rejoins afterwards if needed. */
		boolean writing;

		boolean readPaused;

		/** Written only by the delivery thread. */
		volatile boolean finished;

		Flow(ProxiedConnection connection, SocketChannel sink, long id) {
			this.connection = connection;
			this.sink = sink;
			this.id = id;
		}

		void addLocked(Chunk chunk) {
			this.queue.addLast(chunk);
			this.queuedBytes += (chunk.data != null) ? chunk.data.remaining() : 0;
			this.lastDueNanos = chunk.dueNanos;
		}

		void takeDueLocked(long now, List<Chunk> into) {
			while (!this.queue.isEmpty() && this.queue.peekFirst().dueNanos - now <= 0) {
				into.add(this.queue.pollFirst());
			}
		}

		/** Writes chunks in order until the sink takes no more; returns how many went, an end of stream included. */
		int write(List<Chunk> chunks) throws IOException {
			int written = 0;
			for (Chunk chunk : chunks) {
				if (chunk.data == null) {
					return written + 1;
				}
				this.sink.write(chunk.data);
				if (chunk.data.hasRemaining()) {
					break;
				}
				written++;
			}
			return written;
		}

		/** Puts back at the front what {@link #write} left, and forgets what it wrote. */
		void requeueLocked(List<Chunk> chunks, int written) {
			for (int i = chunks.size() - 1; i >= written; i--) {
				this.queue.addFirst(chunks.get(i));
			}
			for (int i = 0; i < written; i++) {
				ByteBuffer data = chunks.get(i).data;
				this.queuedBytes -= (data != null) ? data.capacity() : 0;
			}
		}

	}

	/** Bytes to deliver, or {@code null} data for the end of the stream. */
	record Chunk(ByteBuffer data, long dueNanos) {
	}

}
