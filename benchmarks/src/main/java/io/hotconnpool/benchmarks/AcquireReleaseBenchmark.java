package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.util.ConcurrentBag;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.Lease;
import io.hotconnpool.test.TestTls;
import io.hotconnpool.test.TlsOrigins;
import okhttp3.Protocol;
import org.apache.commons.pool2.BaseKeyedPooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericKeyedObjectPool;
import org.apache.commons.pool2.impl.GenericKeyedObjectPoolConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Acquire and release with no I/O on the path: a started pool whose {@value #CONNECTIONS} warm connections to one
 * host sit idle, against HikariCP's {@link ConcurrentBag} (borrow, requite) and commons-pool2's
 * {@link GenericKeyedObjectPool} (borrow, return) holding as many entries. The runner's {@code -t} sets the threads
 * (one by default); one and eight threads, one run each:
 * {@code for threads in 1 8; do java -jar benchmarks/target/benchmarks.jar AcquireReleaseBenchmark -t $threads; done}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "-Xmx1g")
public class AcquireReleaseBenchmark {

	/** Warm connections, bag entries and pooled objects: more than the threads, so that nobody waits. */
	static final int CONNECTIONS = 16;

	/** A started pool with every connection warm and idle, over a local origin. */
	@State(Scope.Benchmark)
	public static class PoolState {

		TlsOrigins origin;

		HotConnPool pool;

		String target;

		@Setup(Level.Trial)
		public void start() throws IOException {
			TestTls tls = TestTls.create(List.of("acquire.bench.test"), List.of());
			this.origin = TlsOrigins.serve(tls, List.of(InetAddress.getByName("127.0.0.1")), List.of(Protocol.HTTP_2,
					Protocol.HTTP_1_1));
			Target host = new Target("acquire.bench.test", this.origin.socketAddress().getPort(),
					List.of(this.origin.socketAddress().getAddress()));
			this.pool = PoolPeer.start(tls, List.of(host), CONNECTIONS).pool();
			this.target = host.hostAndPort();
			if (this.pool.stats().idleConnections() != CONNECTIONS) {
				throw new IllegalStateException("Not warm: " + this.pool.stats());
			}
		}

		@TearDown(Level.Trial)
		public void stop() {
			this.pool.close();
			this.origin.close();
		}

	}

	/** A {@link ConcurrentBag} holding {@value #CONNECTIONS} entries. */
	@State(Scope.Benchmark)
	public static class BagState {

		ConcurrentBag<BagEntry> bag;

		@Setup(Level.Trial)
		public void start() {
			this.bag = new ConcurrentBag<>((waiting) -> {
				// never asked to grow: there are more entries than threads
			});
			for (int i = 0; i < CONNECTIONS; i++) {
				this.bag.add(new BagEntry());
			}
		}

		@TearDown(Level.Trial)
		public void stop() {
			this.bag.close();
		}

	}

	/** A {@link GenericKeyedObjectPool} holding {@value #CONNECTIONS} idle objects under one key. */
	@State(Scope.Benchmark)
	public static class CommonsState {

		static final String KEY = "acquire.bench.test:443";

		GenericKeyedObjectPool<String, Object> pool;

		@Setup(Level.Trial)
		public void start() throws Exception {
			GenericKeyedObjectPoolConfig<Object> config = new GenericKeyedObjectPoolConfig<>();
			config.setMaxTotalPerKey(CONNECTIONS);
			config.setMaxIdlePerKey(CONNECTIONS);
			config.setJmxEnabled(false);
			this.pool = new GenericKeyedObjectPool<>(new BaseKeyedPooledObjectFactory<String, Object>() {
				@Override
				public Object create(String key) {
					return new Object();
				}

				@Override
				public PooledObject<Object> wrap(Object value) {
					return new DefaultPooledObject<>(value);
				}
			}, config);
			for (int i = 0; i < CONNECTIONS; i++) {
				this.pool.addObject(KEY);
			}
		}

		@TearDown(Level.Trial)
		public void stop() {
			this.pool.close();
		}

	}

	/** A bag entry: only its state. */
	static final class BagEntry implements ConcurrentBag.IConcurrentBagEntry {

		private final AtomicInteger state = new AtomicInteger();

		@Override
		public boolean compareAndSet(int expect, int update) {
			return this.state.compareAndSet(expect, update);
		}

		@Override
		public void setState(int update) {
			this.state.set(update);
		}

		@Override
		public int getState() {
			return this.state.get();
		}

	}

	@Benchmark
	public Lease hotconnpool(PoolState state) throws InterruptedException {
		Lease connection = state.pool.acquire(state.target);
		connection.close();
		return connection;
	}

	@Benchmark
	public BagEntry concurrentBag(BagState state) throws InterruptedException {
		BagEntry entry = state.bag.borrow(5, TimeUnit.SECONDS);
		state.bag.requite(entry);
		return entry;
	}

	@Benchmark
	public Object commonsPool(CommonsState state) throws Exception {
		Object object = state.pool.borrowObject(CommonsState.KEY);
		state.pool.returnObject(CommonsState.KEY, object);
		return object;
	}

}
