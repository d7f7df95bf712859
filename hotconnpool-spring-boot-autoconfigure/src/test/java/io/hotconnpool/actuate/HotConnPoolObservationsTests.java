package io.hotconnpool.actuate;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.hotconnpool.autoconfigure.HotConnPoolAutoConfiguration;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.test.LoopbackTlsOrigins;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.SenderContext;
import mockwebserver3.RecordedRequest;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Observations of the lease API over a real pool: the acquire's wait and the request are two observations, and a
 * propagating handler's trace header reaches the server.
 */
class HotConnPoolObservationsTests {

	private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

	@Test
	void executeIsObservedAsAnAcquireThenARequestWhoseTraceHeaderReachesTheServer() throws Exception {
		List<String> events = new CopyOnWriteArrayList<>();
		ObservationRegistry registry = ObservationRegistry.create();
		registry.observationConfig().observationHandler(new Recorder(events)).observationHandler(new Propagator());
		try (LoopbackTlsOrigins origins = LoopbackTlsOrigins.start(1);
				HotConnPool pool = HotConnPool.builder(origins.config((host) -> host.setConnectionsPerIp(1)))
					.resolver(origins.resolver())
					.leaseObserver(new HotConnPoolObservations(registry))
					.build()) {
			pool.start();
			origins.origin(0).takeRequest(Duration.ofSeconds(5)); // the warm-up probe

			try (Response response = pool.execute(new Request.Builder().url(origins.url("/traced")).build())) {
				assertThat(response.code()).isEqualTo(200);
			}

			RecordedRequest received = origins.origin(0).takeRequest(Duration.ofSeconds(5));
			assertThat(received.getUrl().encodedPath()).isEqualTo("/traced");
			assertThat(received.getHeaders().get("traceparent")).isEqualTo(TRACEPARENT);
			String host = origins.target();
			assertThat(events).containsExactly("start hotconnpool.client.acquire",
					"stop hotconnpool.client.acquire host=" + host + " outcome=acquired",
					"start hotconnpool.client.request",
					"stop hotconnpool.client.request host=" + host + " hot=true outcome=success");
		}
	}

	@Test
	void theStarterObservesThePoolWhenThereIsAnObservationRegistry() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(HotConnPoolAutoConfiguration.class,
					HotConnPoolObservationAutoConfiguration.class))
			.withPropertyValues("hotconnpool.tls.self-test=false")
			.withBean(ObservationRegistry.class, ObservationRegistry::create)
			.run((context) -> {
				assertThat(context).hasSingleBean(HotConnPoolObservations.class);
				assertThat(context.getBean(HotConnPool.class)).extracting("leaseObserver")
					.isSameAs(context.getBean(HotConnPoolObservations.class));
			});
	}

	@Test
	void noObservationsWithoutARegistry() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(HotConnPoolAutoConfiguration.class,
					HotConnPoolObservationAutoConfiguration.class))
			.withPropertyValues("hotconnpool.tls.self-test=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(HotConnPoolObservations.class);
				assertThat(context.getBean(HotConnPool.class)).extracting("leaseObserver").isNull();
			});
	}

	/** Records starts and stops with the low-cardinality tags, in order. */
	private record Recorder(List<String> events) implements ObservationHandler<Observation.Context> {

		@Override
		public void onStart(Observation.Context context) {
			this.events.add("start " + context.getName());
		}

		@Override
		public void onStop(Observation.Context context) {
			StringBuilder event = new StringBuilder("stop " + context.getName());
			context.getLowCardinalityKeyValues().forEach((kv) -> event.append(' ').append(kv.getKey()).append('=')
				.append(kv.getValue()));
			this.events.add(event.toString());
		}

		@Override
		public boolean supportsContext(Observation.Context context) {
			return true;
		}

	}

	/** Does what Micrometer Tracing's propagating sender handler does: writes the trace context into the carrier. */
	private static final class Propagator implements ObservationHandler<SenderContext<Object>> {

		@Override
		public void onStart(SenderContext<Object> context) {
			context.getSetter().set(context.getCarrier(), "traceparent", TRACEPARENT);
		}

		@Override
		public boolean supportsContext(Observation.Context context) {
			return context instanceof SenderContext;
		}

	}

}
