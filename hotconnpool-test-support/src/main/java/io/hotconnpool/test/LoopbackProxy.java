package io.hotconnpool.test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import static io.hotconnpool.test.ProxiedConnection.closeQuietly;

import io.hotconnpool.test.ProxiedConnection.Chunk;
import io.hotconnpool.test.ProxiedConnection.Flow;

/**
 * A TCP proxy on loopback, in front of real servers, for what a network and servers do to connections: a fixed
 * one-way delay on every chunk in both directions, keeping each direction's order (a round-trip time of twice the
 * delay, without kernel traffic shaping); closing connections idle for a while, as servers reap keep-alives
 * ({@link #closeIdle}, or on its own with an idle timeout); dropping every connection at once without warning
 * ({@link #dropAll}); and black-holing: connections stay open and nothing crosses ({@link #blackHole}). TLS passes
 * through untouched. Both ends must be loopback addresses.
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
public final class LoopbackProxy implements AutoCloseable {

	/** Bytes a direction may hold before reading from its source pauses. */
	static final int MAX_QUEUED = 1 << 20;

	/** How long a direction whose destination cannot take more bytes waits before the next try. */
	private static final long RETRY_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

	private static final int READ_BUFFER = 64 * 1024;

	private final long delayNanos;

	/** Connections idle this long are closed as a server reaps keep-alives; 0 for never. */
	private final long idleTimeoutNanos;

	private final AtomicInteger idleClosed = new AtomicInteger();

	private volatile boolean blackHoling;

	private final Selector selector;

	private final Queue<Runnable> ioTasks = new ConcurrentLinkedQueue<>();

	private final Set<ProxiedConnection> links = ConcurrentHashMap.newKeySet();

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

	private LoopbackProxy(Duration oneWayDelay, Duration idleTimeout) throws IOException {
		if (oneWayDelay.isNegative() || (idleTimeout != null && (idleTimeout.isNegative() || idleTimeout.isZero()))) {
			throw new IllegalArgumentException("Delay " + oneWayDelay + " must not be negative, idle timeout "
					+ idleTimeout + " must be positive");
		}
		this.delayNanos = oneWayDelay.toNanos();
		this.idleTimeoutNanos = (idleTimeout != null) ? idleTimeout.toNanos() : 0;
		this.selector = Selector.open();
		this.ioThread = new Thread(this::ioLoop, "loopback-proxy-io");
		this.deliveryThread = new Thread(this::deliveryLoop, "loopback-proxy-delivery");
		this.ioThread.setDaemon(true);
		this.deliveryThread.setDaemon(true);
		this.ioThread.start();
		this.deliveryThread.start();
	}

	/**
	 * A proxy without delay on {@code address:port} in front of {@code upstream}, for faults.
	 * @param address the loopback address to listen on
	 * @param port the port, 0 for any
	 * @param upstream the loopback server to forward to
	 * @throws IOException when the address cannot be bound
	 */
	public LoopbackProxy(InetAddress address, int port, InetSocketAddress upstream) throws IOException {
		this(address, port, upstream, null);
	}

	/**
	 * As {@link #LoopbackProxy(InetAddress, int, InetSocketAddress)}, closing each connection (both sides) once no
	 * byte has crossed it either way for {@code idleTimeout}, as servers reap idle keep-alive connections (Node.js
	 * after 5 s, nginx after 75 s).
	 * @param address the loopback address to listen on
	 * @param port the port, 0 for any
	 * @param upstream the loopback server to forward to
	 * @param idleTimeout how long a connection may stay quiet, {@code null} for ever
	 * @throws IOException when the address cannot be bound
	 */
	public LoopbackProxy(InetAddress address, int port, InetSocketAddress upstream, Duration idleTimeout)
			throws IOException {
		this(Duration.ZERO, idleTimeout);
		try {
			listen(new InetSocketAddress(address, port), upstream);
		}
		catch (IOException | RuntimeException ex) {
			close();
			throw ex;
		}
	}

	/**
	 * Starts a proxy with no listener yet.
	 * @param oneWayDelay the delay added to each chunk in each direction: half the round-trip time
	 * @return the running proxy
	 * @throws IOException when no selector can be opened
	 */
	public static LoopbackProxy start(Duration oneWayDelay) throws IOException {
		return new LoopbackProxy(oneWayDelay, null);
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
			listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
			listener.bind(bind, 1024);
			listener.configureBlocking(false);
		}
		catch (IOException ex) {
			listener.close();
			throw ex;
		}
		InetSocketAddress bound = (InetSocketAddress) listener.getLocalAddress();
		this.listeners.put(bound, listener);
		runOnIoThread(() -> {
			try {
				listener.register(this.selector, SelectionKey.OP_ACCEPT, upstream);
			}
			catch (IOException ex) {
				closeQuietly(listener);
			}
		});
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

	/**
	 * The address a proxy made by a constructor listens on.
	 * @return the loopback address
	 */
	public InetAddress address() {
		return this.listeners.keySet().iterator().next().getAddress();
	}

	/**
	 * Drops every byte from now on, both ways, on every connection, without closing any; or forwards again.
	 * @param on whether to black-hole
	 */
	public void blackHole(boolean on) {
		this.blackHoling = on;
	}

	/**
	 * Closes every connection carried so far, both sides, without warning either; new connections are still
	 * accepted, and one accepted while this runs (a client reconnecting at once) is left alone.
	 */
	public void dropAll() {
		List.copyOf(this.links).forEach(this::closeLink);
	}

	/**
	 * Connections closed because they were idle for the idle timeout.
	 * @return the count
	 */
	public int idleClosed() {
		return this.idleClosed.get();
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
		for (ProxiedConnection link : this.links) {
			if (now - link.lastActivityNanos < idleFor.toNanos()) {
				continue;
			}
			this.lock.lock();
			try {
				if (link.serverClosed || !link.quietLocked()) {
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

	private void ioLoop() {
		ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER);
		// With an idle timeout, wake up 50 times per timeout to reap; select(0) waits for I/O only.
		long tickMillis = (this.idleTimeoutNanos > 0) ? Math.max(2, this.idleTimeoutNanos / 50_000_000) : 0;
		long nextReap = System.nanoTime();
		try {
			while (!this.closed) {
				this.selector.select(tickMillis);
				Runnable task;
				while ((task = this.ioTasks.poll()) != null) {
					task.run();
				}
				for (SelectionKey key : this.selector.selectedKeys()) {
					try {
						if (key.isAcceptable()) {
							accept((ServerSocketChannel) key.channel(), (InetSocketAddress) key.attachment());
						}
						else if (key.isReadable()) {
							read(key, (Flow) key.attachment(), buffer);
						}
					}
					catch (CancelledKeyException ex) {
						// its channel was closed meanwhile, by a test's dropAll or blackHole on another thread
					}
				}
				this.selector.selectedKeys().clear();
				// After the reads: a byte that just arrived counts as activity.
				if (tickMillis > 0 && System.nanoTime() - nextReap >= 0) {
					this.idleClosed.addAndGet(closeIdle(Duration.ofNanos(this.idleTimeoutNanos)));
					nextReap = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(tickMillis);
				}
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
		ProxiedConnection link = ProxiedConnection.open(client, upstreamAddress, this.ids.getAndAdd(2), this.selector);
		if (link != null) {
			this.links.add(link);
			this.accepted.incrementAndGet();
		}
	}

	private void read(SelectionKey key, Flow flow, ByteBuffer buffer) {
		ProxiedConnection link = flow.connection;
		int read;
		try {
			buffer.clear();
			read = ((SocketChannel) key.channel()).read(buffer);
		}
		catch (IOException ex) {
			closeLink(link);
			return;
		}
		if (read == 0 || (read > 0 && this.blackHoling)) {
			return; // black-holed: the sender sees its bytes go out, and nothing ever comes back
		}
		long now = System.nanoTime();
		link.lastActivityNanos = now;
		if (read < 0) {
			key.interestOps(0);
		}
		ByteBuffer chunk = (read > 0) ? ByteBuffer.allocate(read).put(buffer.flip()).flip() : null;
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
		if (flow == flow.connection.toServer) {
			// SYN, SYN-ACK, then the data: 1.5 round trips after connect at the earliest.
			due = Math.max(due, flow.connection.acceptedNanos + 3 * this.delayNanos);
		}
		flow.addLocked(new Chunk(chunk, due));
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
				if (flow.connection.closed) {
					continue;
				}
				flow.writing = true;
				flow.takeDueLocked(System.nanoTime(), due);
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
		try {
			written = flow.write(chunks);
			flow.connection.lastActivityNanos = System.nanoTime();
			if (written > 0 && chunks.get(written - 1).data() == null && flow.connection.finished(flow)) {
				closeLink(flow.connection);
			}
		}
		catch (IOException ex) {
			closeLink(flow.connection);
		}
		this.lock.lock();
		try {
			flow.writing = false;
			flow.requeueLocked(chunks, written);
			if (flow.readPaused && flow.queuedBytes <= MAX_QUEUED / 2) {
				flow.readPaused = false;
				SelectionKey key = flow.key;
				runOnIoThread(() -> {
					if (key.isValid()) {
						key.interestOps(SelectionKey.OP_READ);
					}
				});
			}
			if (!flow.queue.isEmpty() && !flow.connection.closed) {
				long next = flow.queue.peekFirst().dueNanos();
				scheduleLocked(flow, (written < chunks.size()) ? System.nanoTime() + RETRY_NANOS : next);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private void closeLink(ProxiedConnection link) {
		link.closed = true;
		if (this.links.remove(link)) {
			link.close();
		}
	}

	/** Stops both threads and closes every listener and connection. */
	@Override
	public void close() {
		this.closed = true;
		this.selector.wakeup();
		this.deliveryThread.interrupt();
		for (Thread thread : List.of(this.ioThread, this.deliveryThread)) {
			try {
				thread.join(TimeUnit.SECONDS.toMillis(5));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.listeners.values().forEach(ProxiedConnection::closeQuietly);
		this.links.forEach(this::closeLink);
		closeQuietly(this.selector);
	}

}
