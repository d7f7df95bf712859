package io.hotconnpool.pool;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A host's multiplexed (HTTP/2) connections in service, which take leases stream by stream, and the retired ones
 * that drain their last streams.
 * <p>
 * The connections in service sit in a copy-on-write array: changed under the host's lock, read without it, so that
 * a stream is taken ({@link #pickStream}) with a compare-and-set on one connection's {@link StreamCount} and no
 * lock. The draining set is guarded by the host's lock.
 */
final class SharedConnections {

	private static final PooledConnection[] NONE = {};

	private volatile PooledConnection[] shared = NONE;

	/** Where the next look for a connection to hold whole starts: in turn. */
	private final AtomicInteger nextWhole = new AtomicInteger();

	/** The connection each thread took its last stream on, tried first by its next. */
	private final ThreadLocal<PooledConnection> lastStream = new ThreadLocal<>();

	/** Retired connections whose last streams still run; each is closed when its last stream ends. */
	private final Set<PooledConnection> draining = new HashSet<>();

	/** The connections in service, a snapshot read without the lock. */
	PooledConnection[] all() {
		return this.shared;
	}

	boolean isEmpty() {
		return this.shared.length == 0;
	}

	/** Puts the connection in service, if it is not. Under the host's lock. */
	void add(PooledConnection connection) {
		PooledConnection[] current = this.shared;
		if (!List.of(current).contains(connection)) {
			PooledConnection[] grown = Arrays.copyOf(current, current.length + 1);
			grown[grown.length - 1] = connection;
			this.shared = grown;
		}
	}

	/** Takes the connection out of service. Under the host's lock. */
	void remove(PooledConnection connection) {
		this.shared = Arrays.stream(this.shared).filter((c) -> c != connection).toArray(PooledConnection[]::new);
	}

	/**
	 * Takes a stream on the connection with the fewest streams in flight, to another IP than {@code avoid} if one
	 * has a stream free. A caller first tries the connection it took its last stream on, when that one has none in
	 * flight: as HTTP/1.1's most-recently-used choice, a caller at a time keeps one connection busy (the others are
	 * spares kept warm by maintenance), and no two threads contend for one counter. Concurrent callers spread by
	 * the fewest streams, over every connection and IP; ties go to a random one. No lock.
	 * @return the connection, its stream taken, or {@code null} when none has one free
	 */
	PooledConnection pickStream(InetAddress avoid) {
		PooledConnection last = this.lastStream.get();
		if (last != null && avoid == null && last.state == ConnectionState.IDLE && last.streams.get() == 0
				&& !last.isSocketClosed() && last.tryAcquireStream()) {
			return last;
		}
		for (int attempt = 0; attempt < 3; attempt++) {
			PooledConnection[] all = this.shared;
			int count = all.length;
			if (count == 0) {
				return null;
			}
			int start = (count == 1) ? 0 : ThreadLocalRandom.current().nextInt(count);
			PooledConnection best = null;
			int bestStreams = Integer.MAX_VALUE;
			boolean bestAvoided = true;
			for (int i = 0; i < count; i++) {
				PooledConnection candidate = all[(start + i) % count];
				int streams = candidate.streams.get();
				if (streams >= candidate.streamLimit() || candidate.isSocketClosed()) {
					continue;
				}
				boolean avoided = candidate.ip.equals(avoid);
				if (best == null || (bestAvoided && !avoided) || (avoided == bestAvoided && streams < bestStreams)) {
					best = candidate;
					bestStreams = streams;
					bestAvoided = avoided;
					if (streams == 0 && !avoided) {
						break; // none has fewer: the common case looks at one connection
					}
				}
			}
			if (best == null) {
				return null;
			}
			if (best.tryAcquireStream()) {
				this.lastStream.set(best);
				return best;
			}
			// Another caller took its last free stream: look again.
		}
		return null;
	}

	/**
	 * Holds a connection with no stream in flight whole, for an exclusive lease: to another IP than {@code avoid}
	 * if one is free, in turn. Under the host's lock.
	 * @return the connection held, or {@code null}
	 */
	PooledConnection holdWhole(InetAddress avoid) {
		PooledConnection[] all = this.shared;
		int count = all.length;
		int start = (count <= 1) ? 0 : Math.floorMod(this.nextWhole.getAndIncrement(), count);
		PooledConnection fallback = null;
		for (int i = 0; i < count; i++) {
			PooledConnection connection = all[(start + i) % count];
			if (connection.state == ConnectionState.IDLE && connection.streams.get() == 0
					&& !connection.isSocketClosed()) {
				if (!connection.ip.equals(avoid) && connection.streams.tryHold()) {
					return connection;
				}
				fallback = connection;
			}
		}
		return (fallback != null && fallback.streams.tryHold()) ? fallback : null;
	}

	/**
	 * A retired connection is closed now if no stream is in flight, or else drains: it takes no new stream, and the
	 * last one to end closes it. Under the host's lock.
	 * @return whether to close it now
	 */
	boolean closeOrDrain(PooledConnection connection) {
		if (connection.multiplexed && connection.streams.get() != 0) {
			this.draining.add(connection);
			return false;
		}
		return true;
	}

	/**
	 * A stream of a retired connection ended. Under the host's lock.
	 * @return whether it was the last of a draining connection, which is to be closed now
	 */
	boolean drained(PooledConnection connection) {
		return connection.streams.get() == 0 && this.draining.remove(connection);
	}

	/** The draining connections, a copy. Under the host's lock. */
	Set<PooledConnection> draining() {
		return Set.copyOf(this.draining);
	}

	/** Forgets the draining connections (the pool closes them). Under the host's lock. */
	Set<PooledConnection> takeDraining() {
		Set<PooledConnection> taken = Set.copyOf(this.draining);
		this.draining.clear();
		return taken;
	}

}
