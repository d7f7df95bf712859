package io.hotconnpool.actuate;

import java.io.IOException;

import io.hotconnpool.pool.LeaseObserver;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.RequestReplySenderContext;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Micrometer observations of the pool's lease API: {@code hotconnpool.client.acquire} around each acquire's wait
 * (tags {@code host}, {@code outcome}: {@code acquired}, {@code timeout}), and {@code hotconnpool.client.request}
 * around each request on a lease (tags {@code host}, {@code outcome}: {@code success}, {@code failure}, {@code hot};
 * {@code ip} and {@code status} as high-cardinality values). A request is a sender observation: with Micrometer
 * Tracing, the trace context ({@code traceparent}, or B3) goes out in its headers. For {@link io.hotconnpool.pool.HotConnPool#execute}
 * the acquire and the request are two observations one after the other, so that a trace shows the pool's wait apart
 * from the server's time.
 */
public final class HotConnPoolObservations implements LeaseObserver {

	/** Name of the observation of an acquire's wait. */
	public static final String ACQUIRE = "hotconnpool.client.acquire";

	/** Name of the observation of a request on a lease. */
	public static final String REQUEST = "hotconnpool.client.request";

	private final ObservationRegistry registry;

	/**
	 * Creates the observations.
	 * @param registry the registry the observations go to
	 */
	public HotConnPoolObservations(ObservationRegistry registry) {
		this.registry = registry;
	}

	@Override
	public Acquire acquireStarted(String host) {
		Observation observation = Observation.createNotStarted(ACQUIRE, this.registry)
			.contextualName("hotconnpool acquire")
			.lowCardinalityKeyValue("host", host)
			.start();
		return (acquired) -> observation.lowCardinalityKeyValue("outcome", acquired ? "acquired" : "timeout").stop();
	}

	@Override
	public Exchange requestStarted(String host, String ip, Request.Builder request) {
		RequestReplySenderContext<Request.Builder, Response> context = new RequestReplySenderContext<>(
				(carrier, key, value) -> carrier.header(key, value));
		context.setCarrier(request);
		context.setRemoteServiceName(host);
		Observation observation = Observation.createNotStarted(REQUEST, () -> context, this.registry)
			.contextualName("hotconnpool request")
			.lowCardinalityKeyValue("host", host)
			.highCardinalityKeyValue("ip", ip)
			.start(); // a propagating handler adds the trace headers to the carrier here
		return (Response response, IOException failure, boolean hot) -> {
			context.setResponse(response);
			observation.lowCardinalityKeyValue("outcome", (failure != null) ? "failure" : "success")
				.lowCardinalityKeyValue("hot", String.valueOf(hot));
			if (response != null) {
				observation.highCardinalityKeyValue("status", String.valueOf(response.code()));
			}
			if (failure != null) {
				observation.error(failure);
			}
			observation.stop();
		};
	}

}
