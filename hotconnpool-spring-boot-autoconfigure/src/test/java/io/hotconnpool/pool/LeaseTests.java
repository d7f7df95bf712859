package io.hotconnpool.pool;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.hotconnpool.test.LoopbackTlsOrigins;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.hotconnpool.test.LoopbackTlsOrigins.sizes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.awaitility.Awaitility.await;

/**
 * Exclusive leases, acquire timeouts, hand-off to waiters, misuse and close, on one real TLS origin with a single
 * connection so that every acquire competes for it.
 */
class LeaseTests {

	private final ExecutorService threads = Executors.newCachedThreadPool();

	private LoopbackTlsOrigins origins;

	private HotConnPool pool;

	@BeforeEach
	void startPool() throws Exception {
		this.origins = LoopbackTlsOrigins.start(1);
		this.pool = this.origins
			.pool(this.origins.config(sizes(1, 1), (config) -> config.setUnknownHosts(UnknownHostPolicy.REFUSE)));
		this.pool.start();
	}

	@AfterEach
	void tearDown() throws InterruptedException {
		this.pool.close();
		this.origins.close();
		this.threads.shutdownNow();
		assertThat(this.threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
	}

	private Request get() {
		return new Request.Builder().url("https://" + this.origins.target() + "/").build();
	}

	private CompletableFuture<Lease> acquireInBackground(Duration timeout) {
		return CompletableFuture.supplyAsync(() -> {
			try {
				return this.pool.acquireExclusive(this.origins.target(), timeout);
			}
			catch (InterruptedException ex) {
				throw new CompletionException(ex);
			}
		}, this.threads);
	}

	@Test
	void acquireTimesOutWithTheHostsNumbersWhenEverythingIsLeased() throws Exception {
		Lease held = this.pool.acquireExclusive(this.origins.target());
		try {
			assertThatExceptionOfType(AcquireTimeoutException.class)
				.isThrownBy(() -> this.pool.acquireExclusive(this.origins.target(), Duration.ofMillis(200)))
				.withMessageContaining("origin.test:" + this.origins.port())
				.withMessageContaining("total=1, idle=0, leased=1")
				.withMessageContaining("max=1")
				.satisfies((ex) -> assertThat(ex.getHostStats().leased()).isEqualTo(1));
		}
		finally {
			held.close();
		}
		assertThat(this.pool.stats().acquireTimeouts()).isEqualTo(1);
		assertThat(this.pool.stats().idleConnections()).isEqualTo(1);
	}

	@Test
	void aReleasedConnectionIsHandedToTheWaiterDirectly() throws Exception {
		Lease held = this.pool.acquireExclusive(this.origins.target());
		long heldId = held.stats().id();
		CompletableFuture<Lease> waiter = acquireInBackground(Duration.ofSeconds(10));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.pool.stats().waitingAcquires() == 1);

		held.close();

		Lease handedOver = waiter.get(5, TimeUnit.SECONDS);
		assertThat(handedOver.stats().id()).isEqualTo(heldId);
		assertThat(handedOver.stats().state()).isEqualTo(ConnectionState.LEASED);
		try (handedOver; Response response = handedOver.execute(get())) {
			assertThat(response.code()).isEqualTo(200);
		}
		assertThat(this.pool.stats().connectionsCreated()).as("no connection opened for the waiter").isEqualTo(1);
	}

	@Test
	void waitersAreServedInArrivalOrder() throws Exception {
		Lease held = this.pool.acquireExclusive(this.origins.target());
		CompletableFuture<Lease> first = acquireInBackground(Duration.ofSeconds(10));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.pool.stats().waitingAcquires() == 1);
		CompletableFuture<Lease> second = acquireInBackground(Duration.ofSeconds(10));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.pool.stats().waitingAcquires() == 2);

		held.close();
		Lease firstLease = first.get(5, TimeUnit.SECONDS);
		assertThat(second).isNotDone();
		firstLease.close();
		second.get(5, TimeUnit.SECONDS).close();
	}

	@Test
	void aLeaseRefusesMisuseAndLeavesThePoolAsItWas() throws Exception {
		Lease lease = this.pool.acquireExclusive(this.origins.target());
		Request otherHost = new Request.Builder().url("https://other.test:" + this.origins.port() + "/").build();
		Request plainHttp = new Request.Builder().url("http://" + this.origins.target() + "/").build();
		PoolStats leased = this.pool.stats();

		assertThatIllegalArgumentException().isThrownBy(() -> lease.execute(otherHost))
			.withMessageContaining("This lease is for https://origin.test:" + this.origins.port())
			.withMessageContaining("other.test");
		assertThatIllegalArgumentException().isThrownBy(() -> lease.execute(plainHttp));
		assertThat(this.pool.stats()).as("nothing sent, nothing counted").isEqualTo(leased);

		lease.close();
		PoolStats released = this.pool.stats();
		lease.close(); // idempotent
		assertThatIllegalStateException().isThrownBy(() -> lease.execute(get())).withMessageContaining("closed");
		assertThat(this.pool.stats()).isEqualTo(released);
		assertThat(released.idleConnections()).isEqualTo(1);
		assertThat(released.activeConnections()).isZero();
		assertThat(released.totalRequests()).isZero();
	}

	@Test
	void closingALeaseAgainNeverReleasesTheNextHoldersConnection() throws Exception {
		Lease first = this.pool.acquireExclusive(this.origins.target());
		first.close();
		Lease second = this.pool.acquireExclusive(this.origins.target());
		assertThat(second.stats().id()).as("the host's only connection").isEqualTo(first.stats().id());

		first.close();

		assertThat(second.stats().state()).isEqualTo(ConnectionState.LEASED);
		assertThatExceptionOfType(AcquireTimeoutException.class)
			.isThrownBy(() -> this.pool.acquireExclusive(this.origins.target(), Duration.ofMillis(100)));
		try (second; Response response = second.execute(get())) {
			assertThat(response.code()).isEqualTo(200);
		}
	}

	@Test
	void badArgumentsAreRefusedClearlyAndLeaveThePoolAsItWas() {
		PoolStats before = this.pool.stats();

		assertThatIllegalArgumentException().isThrownBy(() -> this.pool.acquire(" "))
			.withMessageContaining("blank");
		assertThatIllegalArgumentException().isThrownBy(() -> this.pool.acquire(null));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.pool.acquire(this.origins.target(), Duration.ofSeconds(-1)))
			.withMessageContaining("negative");
		assertThatNullPointerException().isThrownBy(() -> this.pool.acquire(this.origins.target(), null))
			.withMessage("timeout");
		assertThatIllegalArgumentException().isThrownBy(() -> this.pool.acquire("https://" + this.origins.target()))
			.withMessageContaining("without scheme");
		assertThatExceptionOfType(HostNotConfiguredException.class).isThrownBy(() -> this.pool.acquire("unknown.test"))
			.withMessageContaining("unknown.test:443 is not configured")
			.withMessageContaining("hotconnpool.hosts");

		assertThat(this.pool.stats()).isEqualTo(before);
	}

	@Test
	void anAcquireBeforeStartIsRefused() {
		try (HotConnPool unstarted = this.origins.pool(this.pool.config())) {
			assertThatIllegalStateException().isThrownBy(() -> unstarted.acquire(this.origins.target()))
				.withMessageContaining("call start() first");
			assertThat(unstarted.stats().totalConnections()).isZero();
		}
	}

	@Test
	void closeWakesWaitersAndRefusesLaterAcquires() throws Exception {
		Lease held = this.pool.acquireExclusive(this.origins.target());
		CompletableFuture<Lease> waiter = acquireInBackground(Duration.ofSeconds(30));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.pool.stats().waitingAcquires() == 1);

		this.pool.close();

		assertThat(waiter).failsWithin(Duration.ofSeconds(5))
			.withThrowableOfType(java.util.concurrent.ExecutionException.class)
			.withCauseInstanceOf(PoolClosedException.class);
		assertThatExceptionOfType(PoolClosedException.class).isThrownBy(() -> this.pool.acquireExclusive(this.origins.target()));
		assertThatExceptionOfType(ConnectionRetiredException.class).isThrownBy(() -> held.execute(get()));
		held.close();
		this.pool.close(); // idempotent
		assertThat(this.pool.stats().totalConnections()).isZero();
		assertThat(this.pool.stats().retiredByReason()).containsEntry(RetireReason.CLOSED, 1L);
		assertThat(this.pool.isRunning()).isFalse();
	}

	@Test
	void forceCleanupClosesLeasedConnectionsTooAndWarmsAgain() throws Exception {
		Lease held = this.pool.acquireExclusive(this.origins.target());
		long oldId = held.stats().id();

		assertThat(this.pool.forceCleanup()).isEqualTo(1);

		assertThatExceptionOfType(ConnectionRetiredException.class).isThrownBy(() -> held.execute(get()))
			.withMessageContaining("FORCED");
		held.close();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.pool.stats().idleConnections() == 1);
		try (Lease fresh = this.pool.acquireExclusive(this.origins.target())) {
			assertThat(fresh.stats().id()).isNotEqualTo(oldId);
		}
		assertThat(this.pool.stats().retiredByReason()).containsEntry(RetireReason.FORCED, 1L);
		assertThat(this.origins.connections()).isEqualTo(2);
	}

	@Test
	void anUnknownHostIsWarmedOnFirstUseWhenAllowed() throws Exception {
		this.pool.close();
		HotConnPoolConfig config = new HotConnPoolConfig();
		config.getTls().useMaterial(new TlsMaterial(LoopbackTlsOrigins.trustStore(), null));
		config.setConnectionsPerIp(1);
		this.pool = HotConnPool
			.builder(config)
			.resolver(this.origins.resolver())
			.build();
		this.pool.start();
		assertThat(this.pool.stats().hosts()).isEmpty();

		try (Lease lease = this.pool.acquireExclusive(this.origins.target());
				Response response = lease.execute(get())) {
			assertThat(response.code()).isEqualTo(200);
		}
		assertThat(this.pool.stats().hosts()).singleElement()
			.satisfies((host) -> assertThat(host.addresses()).isEqualTo(List.of("127.0.0.2")));
	}

}
