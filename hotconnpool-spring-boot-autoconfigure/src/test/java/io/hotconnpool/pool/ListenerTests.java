package io.hotconnpool.pool;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CopyOnWriteArrayList;

import io.hotconnpool.pool.HotConnPoolListener.RequestOutcome;
import io.hotconnpool.test.LoopbackTlsOrigins;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Listeners see connects split into TCP and TLS time, probes, acquires, request outcomes and retirements; a
 * listener that throws cannot break the pool.
 */
class ListenerTests {

	@Test
	void listenersSeeTimingsAndOutcomes() throws Exception {
		List<String> events = new CopyOnWriteArrayList<>();
		HotConnPoolListener recorder = new HotConnPoolListener() {

			@Override
			public void acquireEnded(String host, long waitNanos, boolean acquired) {
				events.add("acquire " + acquired + " " + (waitNanos >= 0));
			}

			@Override
			public void connectionOpened(String host, String ip, long connectNanos, long handshakeNanos) {
				events.add("opened " + ip + " " + (connectNanos > 0) + " " + (handshakeNanos > 0));
			}

			@Override
			public void probeEnded(String host, String ip, long nanos, boolean healthy) {
				events.add("probe " + ip + " " + healthy);
			}

			@Override
			public void requestEnded(String host, String ip, RequestOutcome outcome, boolean hot) {
				events.add("request " + outcome + " " + hot);
			}

			@Override
			public void connectionRetired(String host, String ip, RetireReason reason) {
				events.add("retired " + reason);
			}

		};
		HotConnPoolListener broken = new HotConnPoolListener() {

			@Override
			public void requestEnded(String host, String ip, RequestOutcome outcome, boolean hot) {
				throw new IllegalStateException("a faulty listener");
			}

		};
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1)) {
			origins.origin(0)
				.answer((request) -> request.getUrl().encodedPath().equals("/blocked")
						? LoopbackTlsOrigins.Origin.status(request, 403, "no") : LoopbackTlsOrigins.Origin.ok(request));
			try (HotConnPool pool = HotConnPool.builder(origins.config((host) -> host.setConnectionsPerIp(1)))
				.resolver(origins.resolver())
				.listener(broken)
				.listener(recorder)
				.build()) {
				pool.start();
				try (Lease lease = pool.acquire(origins.target());
						Response response = lease.execute(
								new Request.Builder().url("https://" + origins.target() + "/blocked").build())) {
					assertThat(response.code()).isEqualTo(403);
				}
			}
		}

		assertThat(events).containsSubsequence("opened 127.0.0.2 true true", "probe 127.0.0.2 true",
				"acquire true true", "request BLACKLIST_STATUS true", "retired BLACKLISTED");
	}

	@Test
	void eventListenersFromTheClientCustomizerSeeEveryCall() throws Exception {
		AtomicInteger callStarts = new AtomicInteger();
		AtomicInteger factoryCallStarts = new AtomicInteger();
		EventListener listener = new EventListener() {

			@Override
			public void callStart(Call call) {
				callStarts.incrementAndGet();
			}

		};
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1)) {
			HotConnPoolConfig settings = origins.config((host) -> host.setConnectionsPerIp(1));
			try (HotConnPool withListener = HotConnPool.builder(settings)
				.resolver(origins.resolver())
				.clientCustomizer((builder) -> builder.eventListener(listener))
				.build();
					HotConnPool withFactory = HotConnPool.builder(settings)
						.resolver(origins.resolver())
						.clientCustomizer((builder) -> builder.eventListenerFactory((call) -> new EventListener() {

							@Override
							public void callStart(Call started) {
								factoryCallStarts.incrementAndGet();
							}

						}))
						.build()) {
				withListener.start();
				withFactory.start();
				int warmUpCalls = callStarts.get();
				for (int i = 0; i < 3; i++) {
					try (Response response = withListener
						.execute(new Request.Builder().url("https://" + origins.target() + "/").build())) {
						assertThat(response.code()).isEqualTo(200);
					}
				}
				try (Response response = withFactory
					.execute(new Request.Builder().url("https://" + origins.target() + "/").build())) {
					assertThat(response.code()).isEqualTo(200);
				}
				assertThat(callStarts.get() - warmUpCalls).as("the customizer's listener saw each call").isEqualTo(3);
				assertThat(withListener.stats().hotHits()).as("the pool's own listener still counts").isEqualTo(3);
				assertThat(factoryCallStarts.get()).as("a listener factory too, warm-up probe included").isGreaterThan(1);
			}
		}
	}

}
