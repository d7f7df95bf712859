package io.hotconnpool.benchmarks;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP proxy on loopback that delays every chunk by a fixed one-way delay in both directions, keeping each
 * direction's order, in front of real servers: a network with a round-trip time of twice the delay, without kernel
 * traffic shaping. TLS passes through untouched.
 * <p>
 * Two threads serve every listener and connection: one accepts and reads (non-blocking, so a chunk is stamped the
 * moment it arrives), one delivers chunks when they are due. Each direction buffers at most {@value #MAX_QUEUED}
 * bytes before its reads pause.
 * <p>
 * The TCP handshake is modelled: no client byte reaches the server before one and a half round trips after the
 * client connected, as with SYN, SYN-ACK and the first data segment on a real path. Not modelled: ACKs (they come
 * from the proxy's kernel at once), so a sender's Nagle stall lasts the peer's delayed-ACK timer, not a round
 * trip; and resets, which close both sides at once.
 */
public final class LatencyProxy implements AutoCloseable {

	/** Bytes a direction may hold before reading from its source pauses. */
	static final int MAX_QUEUED = 1 << 20;

	/** How long a direction whose destination cannot take more bytes waits before the next try. */
	private static final long RETRY_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

	private static final int READ_BUFFER = 64 * 1024;

	private final long delayNanos;

	private final Selector selector;

	private final Queue<Runnable> ioTasks = new ConcurrentLinkedQueue<>();

	private final Set<Link> links = ConcurrentHashMap.newKeySet();

	private final Map<InetSocketAddress, ServerSocketChannel> listeners = new ConcurrentHashMap<>();

	/** Guards every flow's queue and the delivery schedule. */
	private final ReentrantLock lock = new ReentrantLock();

	private final Condition scheduleChanged = this.lock.newCondition();

	/** Flows with chunks waiting, earliest due first; a flow is in here at most once, and never while written. */
	private final PriorityQueue<Flow> schedule = new PriorityQueue<>(
			Comparator.comparingLong((Flow flow) -> flow.scheduledAt).thenComparingLong((flow) -> flow.id));

	private final AtomicLong ids = new AtomicLong();

	private final AtomicLong accepted = new AtomicLong();

	private final Thread ioThread;

	private final Thread deliveryThread;

	private volatile boolean closed;

	private LatencyProxy(Duration oneWayDelay) throws IOException {
		this.delayNanos = oneWayDelay.toNanos();
		this.selector = Selector.open();
		this.ioThread = new Thread(this::ioLoop, "latency-proxy-io");
		this.deliveryThread = new Thread(this::deliveryLoop, "latency-proxy-delivery");
		this.ioThread.setDaemon(true);
		this.deliveryThread.setDaemon(true);
		this.ioThread.start();
		this.deliveryThread.start();
	}

	/**
	 * Starts a proxy with no listener yet.
	 * @param oneWayDelay the delay added to each chunk in each direction: half the round-trip time
	 * @return the running proxy
	 * @throws IOException when no selector can be opened
	 */
	public static LatencyProxy start(Duration oneWayDelay) throws IOException {
		if (oneWayDelay.isNegative()) {
			throw new IllegalArgumentException("The delay must not be negative, was " + oneWayDelay);
		}
		return new LatencyProxy(oneWayDelay);
	}

	/**
	 * Listens on a loopback address and forwards each connection to the upstream.
	 * @param bind the loopback address and port to listen on (port 0: any free port)
	 * @param upstream the loopback server to forward to
	 * @return the bound address
	 * @throws IOException when the address cannot be bound (taken port)
	 */
	public InetSocketAddress listen(InetSocketAddress bind, InetSocketAddress upstream) throws IOException {
		if (!bind.getAddress().isLoopbackAddress() || !upstream.getAddress().isLoopbackAddress()) {
			throw new IllegalArgumentException("Loopback only: " + bind + " -> " + upstream);
		}
		ServerSocketChannel listener = ServerSocketChannel.open();
		try {
			listener.bind(bind, 1024);
			listener.configureBlocking(false);
		}
		catch (IOException ex) {
			listener.close();
			throw ex;
		}
		InetSocketAddress bound = (InetSocketAddress) listener.getLocalAddress();
		this.listeners.put(bound, listener);
		runOnIoThread(() -> register(listener, SelectionKey.OP_ACCEPT, upstream));
		return bound;
	}

	/**
	 * Stops listening on an address; connections already accepted go on.
	 * @param bound an address {@link #listen} returned
	 */
	public void unlisten(InetSocketAddress bound) {
		ServerSocketChannel listener = this.listeners.remove(bound);
		if (listener != null) {
			closeQuietly(listener);
		}
	}

	/** The configured one-way delay. */
	public Duration oneWayDelay() {
		return Duration.ofNanos(this.delayNanos);
	}

	/** Connections accepted since start. */
	public long acceptedConnections() {
		return this.accepted.get();
	}

	/** Connections currently carried. */
	public int openConnections() {
		return this.links.size();
	}

	/**
	 * Closes, as the server would, every connection that carried no byte for {@code idleFor} and has nothing in
	 * flight: the upstream side at once, the client side after the one-way delay (it sees the server's FIN).
	 * Anything the client sends meanwhile is lost, as it would be on a closed server socket.
	 * @param idleFor how long a connection must have been quiet
	 * @return the number of connections closed
	 */
	public int closeIdle(Duration idleFor) {
		long now = System.nanoTime();
		int count = 0;
		for (Link link : this.links) {
			if (now - link.lastActivityNanos < idleFor.toNanos()) {
				continue;
			}
			this.lock.lock();
			try {
				if (link.serverClosed || !link.toServer.queue.isEmpty() || !link.toClient.queue.isEmpty()
						|| link.toServer.writing || link.toClient.writing) {
					continue;
				}
				link.serverClosed = true;
				enqueueLocked(link.toClient, null, now);
			}
			finally {
				this.lock.unlock();
			}
			// On the I/O thread, which may be about to read from it.
			runOnIoThread(() -> closeQuietly(link.upstream));
			count++;
		}
		return count;
	}

	private void runOnIoThread(Runnable task) {
		this.ioTasks.add(task);
		this.selector.wakeup();
	}

	private void register(SelectableChannel channel, int ops, Object attachment) {
		try {
			channel.register(this.selector, ops, attachment);
		}
		catch (IOException ex) {
			closeQuietly(channel);
		}
	}

	// ---- reading: the I/O thread ---------------------------------------------------------------------------

	private void ioLoop() {
		ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
		try {
			while (!this.closed) {
				this.selector.select();
				Runnable task;
				while ((task = this.ioTasks.poll()) != null) {
					task.run();
				}
				for (SelectionKey key : this.selector.selectedKeys()) {
					if (!key.isValid()) {
						continue;
					}
					if (key.isAcceptable()) {
						accept((ServerSocketChannel) key.channel(), (InetSocketAddress) key.attachment());
					}
					else if (key.isReadable()) {
						read(key, (Flow) key.attachment(), buffer);
					}
				}
				this.selector.selectedKeys().clear();
			}
		}
		catch (IOException | ClosedSelectorException ex) {
			// closing
		}
	}

	private void accept(ServerSocketChannel listener, InetSocketAddress upstreamAddress) {
		SocketChannel client;
		try {
			client = listener.accept();
		}
		catch (IOException ex) {
			return;
		}
		if (client == null) {
			return;
		}
		SocketChannel upstream = null;
		try {
			// A blocking connect to a loopback listener completes in microseconds: no need for OP_CONNECT.
			upstream = SocketChannel.open(upstreamAddress);
			for (SocketChannel channel : List.of(client, upstream)) {
				channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
				channel.configureBlocking(false);
			}
			Link link = new Link(client, upstream, System.nanoTime());
			this.links.add(link);
			this.accepted.incrementAndGet();
			link.toServer.key = client.register(this.selector, SelectionKey.OP_READ, link.toServer);
			link.toClient.key = upstream.register(this.selector, SelectionKey.OP_READ, link.toClient);
		}
		catch (IOException ex) {
			closeQuietly(client);
			closeQuietly(upstream);
		}
	}

	private void read(SelectionKey key, Flow flow, ByteBuffer buffer) {
		Link link = flow.link;
		int read;
		try {
			buffer.clear();
			read = ((SocketChannel) key.channel()).read(buffer);
		}
		catch (IOException ex) {
			closeLink(link);
			return;
		}
		long now = System.nanoTime();
		link.lastActivityNanos = now;
		if (read == 0) {
			return;
		}
		if (read < 0) {
			key.interestOps(0);
		}
		ByteBuffer chunk = null;
		if (read > 0) {
			buffer.flip();
			chunk = ByteBuffer.allocate(read).put(buffer).flip();
		}
		this.lock.lock();
		try {
			if (flow == link.toServer && link.serverClosed) {
				return; // the server is gone: the client's bytes are lost
			}
			enqueueLocked(flow, chunk, now);
			if (flow.queuedBytes > MAX_QUEUED && read > 0) {
				flow.readPaused = true;
				key.interestOps(0);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Queues a chunk ({@code null}: end of stream), due one delay after it was read and never before the last. */
	private void enqueueLocked(Flow flow, ByteBuffer chunk, long readNanos) {
		long due = Math.max(readNanos + this.delayNanos, flow.lastDueNanos);
		if (flow == flow.link.toServer) {
			// SYN, SYN-ACK, then the data: 1.5 round trips after connect at the earliest.
			due = Math.max(due, flow.link.acceptedNanos + 3 * this.delayNanos);
		}
		flow.lastDueNanos = due;
		flow.queue.addLast(new Chunk(chunk, due));
		flow.queuedBytes += (chunk != null) ? chunk.remaining() : 0;
		if (!flow.scheduled && !flow.writing) {
			scheduleLocked(flow, due);
		}
	}

	private void scheduleLocked(Flow flow, long at) {
		flow.scheduledAt = at;
		flow.scheduled = true;
		this.schedule.add(flow);
		if (this.schedule.peek() == flow) {
			this.scheduleChanged.signal();
		}
	}

	// ---- delivery: the delivery thread ---------------------------------------------------------------------

	private void deliveryLoop() {
		List<Chunk> due = new ArrayList<>();
		while (!this.closed) {
			Flow flow;
			this.lock.lock();
			try {
				flow = this.schedule.peek();
				if (flow == null) {
					this.scheduleChanged.await();
					continue;
				}
				long wait = flow.scheduledAt - System.nanoTime();
				if (wait > 0) {
					this.scheduleChanged.awaitNanos(wait);
					continue;
				}
				this.schedule.poll();
				flow.scheduled = false;
				if (flow.link.closed) {
					continue;
				}
				flow.writing = true;
				long now = System.nanoTime();
				while (!flow.queue.isEmpty() && flow.queue.peekFirst().dueNanos - now <= 0) {
					due.add(flow.queue.pollFirst());
				}
			}
			catch (InterruptedException ex) {
				return;
			}
			finally {
				this.lock.unlock();
			}
			deliver(flow, due);
			due.clear();
		}
	}

	/** Writes the due chunks outside the lock; what the destination cannot take yet goes back to the front. */
	private void deliver(Flow flow, List<Chunk> chunks) {
		int written = 0;
		boolean finished = false;
		try {
			for (Chunk chunk : chunks) {
				if (chunk.data == null) {
					finished = true;
					written++;
					break;
				}
				flow.sink.write(chunk.data);
				if (chunk.data.hasRemaining()) {
					break;
				}
				written++;
			}
			flow.link.lastActivityNanos = System.nanoTime();
			if (finished) {
				finish(flow);
			}
		}
		catch (IOException ex) {
			closeLink(flow.link);
		}
		this.lock.lock();
		try {
			flow.writing = false;
			for (int i = chunks.size() - 1; i >= written; i--) {
				flow.queue.addFirst(chunks.get(i));
			}
			for (int i = 0; i < written; i++) {
				ByteBuffer data = chunks.get(i).data;
				flow.queuedBytes -= (data != null) ? data.capacity() : 0;
			}
			if (flow.readPaused && flow.queuedBytes <= MAX_QUEUED / 2) {
				flow.readPaused = false;
				SelectionKey key = flow.key;
				runOnIoThread(() -> {
					if (key.isValid()) {
						key.interestOps(SelectionKey.OP_READ);
					}
				});
			}
			if (!flow.queue.isEmpty() && !flow.link.closed) {
				long next = flow.queue.peekFirst().dueNanos;
				scheduleLocked(flow, (written < chunks.size()) ? System.nanoTime() + RETRY_NANOS : next);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The end of one direction reached its destination: half-close it, and close the link once both ended. */
	private void finish(Flow flow) throws IOException {
		Link link = flow.link;
		if (link.serverClosed) {
			closeLink(link); // the server's FIN reached the client; further client bytes would meet a reset
			return;
		}
		flow.sink.shutdownOutput();
		flow.finished = true;
		if (link.toServer.finished && link.toClient.finished) {
			closeLink(link);
		}
	}

	private void closeLink(Link link) {
		link.closed = true;
		if (this.links.remove(link)) {
			closeQuietly(link.client);
			closeQuietly(link.upstream);
		}
	}

	private static void closeQuietly(Closeable channel) {
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

	/** Stops both threads and closes every listener and connection. */
	@Override
	public void close() {
		this.closed = true;
		this.selector.wakeup();
		this.deliveryThread.interrupt();
		join(this.ioThread);
		join(this.deliveryThread);
		this.listeners.values().forEach(LatencyProxy::closeQuietly);
		this.links.forEach(this::closeLink);
		closeQuietly(this.selector);
	}

	private static void join(Thread thread) {
		try {
			thread.join(TimeUnit.SECONDS.toMillis(5));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** One proxied connection. */
	private final class Link {

		final SocketChannel client;

		final SocketChannel upstream;

		final long acceptedNanos;

		final Flow toServer;

		final Flow toClient;

		volatile long lastActivityNanos;

		volatile boolean closed;

		/** Set by {@link #closeIdle}; guarded by the proxy's lock. */
		boolean serverClosed;

		Link(SocketChannel client, SocketChannel upstream, long acceptedNanos) {
			this.client = client;
			this.upstream = upstream;
			this.acceptedNanos = acceptedNanos;
			this.lastActivityNanos = acceptedNanos;
			this.toServer = new Flow(this, upstream, LatencyProxy.this.ids.incrementAndGet());
			this.toClient = new Flow(this, client, LatencyProxy.this.ids.incrementAndGet());
		}

	}

	/** One direction of a link. Mutable fields are guarded by the proxy's lock, except where noted. */
	private static final class Flow {

		final Link link;

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

		Flow(Link link, SocketChannel sink, long id) {
			this.link = link;
			this.sink = sink;
			this.id = id;
		}

	}

	/** Bytes to deliver, or {@code null} data for the end of the stream. */
	private record Chunk(ByteBuffer data, long dueNanos) {
	}

}
