package io.hotconnpool.http;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HostConfig;
import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.pool.TlsMaterial;
import io.hotconnpool.pool.Lease;
import io.hotconnpool.pool.PoolStats;
import io.hotconnpool.test.LoopbackTlsOrigins;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.util.StreamUtils;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link HotConnPoolClientHttpRequestFactory} over real TLS origins on loopback.
 */
class HotConnPoolClientHttpRequestFactoryTests {

	private LoopbackTlsOrigins origins;

	private LoopbackTlsOrigins other;

	private HotConnPool pool;

	@BeforeEach
	void startOriginsAndPool() throws IOException {
		this.origins = LoopbackTlsOrigins.start(2);
		// Not configured in the pool; "localhost" resolves without leaving the machine.
		this.other = LoopbackTlsOrigins.start("localhost", "127.0.0.1");
		HotConnPoolConfig config = new HotConnPoolConfig();
		config.getTls().useMaterial(new TlsMaterial(LoopbackTlsOrigins.trustStore(), null));
		config.setAcquireTimeout(Duration.ofMillis(200));
		HostConfig host = config.addHost(this.origins.target());
		host.setDnsEnabled(false);
		host.setAddresses(List.of("127.0.0.2", "127.0.0.3"));
		host.setConnectionsPerIp(1);
		host.setMaxConnections(2);
		this.pool = HotConnPool.builder(config).build();
		this.pool.start();
		assertThat(this.pool.stats().idleConnections()).isEqualTo(2);
	}

	@AfterEach
	void stop() {
		this.pool.close();
		this.origins.close();
		this.other.close();
	}

	@Test
	void requestToAConfiguredHostRunsOnAWarmLeaseReleasedWhenTheResponseCloses() throws IOException {
		HotConnPoolClientHttpRequestFactory factory = new HotConnPoolClientHttpRequestFactory(this.pool);
		PoolStats before = this.pool.stats();

		ClientHttpResponse response = factory.createRequest(URI.create(this.origins.url("/a")), HttpMethod.GET)
			.execute();
		assertThat(this.pool.stats().activeConnections()).as("leased while the response is open").isOne();
		assertThat(response.getStatusCode().value()).isEqualTo(200);
		assertThat(response.getHeaders().getContentLength()).isEqualTo(3);
		assertThat(StreamUtils.copyToString(response.getBody(), UTF_8)).isEqualTo("hot");
		response.close();

		PoolStats after = this.pool.stats();
		assertThat(after.activeConnections()).isZero();
		assertThat(after.idleConnections()).isEqualTo(2);
		assertThat(after.hotHits()).isEqualTo(before.hotHits() + 1);
		assertThat(after.handshakes()).isEqualTo(before.handshakes());
		assertThat(this.origins.connections()).isEqualTo(2);
	}

	@Test
	void restClientSendsBodiesOverThePool() {
		RestClient client = RestClient.builder()
			.requestFactory(new HotConnPoolClientHttpRequestFactory(this.pool))
			.baseUrl(this.origins.url(""))
			.build();

		String echoed = client.post().uri("/echo").contentType(MediaType.TEXT_PLAIN).body("hello").retrieve()
			.body(String.class);
		String empty = client.post().uri("/empty").retrieve().body(String.class);

		assertThat(echoed).isEqualTo("POST hello");
		assertThat(empty).isEqualTo("hot");
		assertThat(this.pool.stats().totalRequests()).isEqualTo(2);
		assertThat(this.pool.stats().activeConnections()).isZero();
		assertThat(this.origins.connections()).as("no connection beyond the warm ones").isEqualTo(2);
	}

	@Test
	void restTemplateBuilderOneLiner() {
		HotConnPoolClientHttpRequestFactory factory = new HotConnPoolClientHttpRequestFactory(this.pool);

		String body = new RestTemplateBuilder().requestFactory(() -> factory).build()
			.getForObject(this.origins.url("/template"), String.class);

		assertThat(body).isEqualTo("hot");
		assertThat(this.pool.stats().hotHits()).isOne();
	}

	@Test
	void otherHostsAreRefusedByDefaultBeforeAnythingIsSent() {
		HotConnPoolClientHttpRequestFactory factory = new HotConnPoolClientHttpRequestFactory(this.pool);

		assertThatExceptionOfType(HostNotPooledException.class)
			.isThrownBy(() -> factory.createRequest(URI.create(this.other.url("/")), HttpMethod.GET))
			.withMessageContaining("does not serve https://localhost:" + this.other.port())
			.withMessageContaining("hotconnpool.http.other-hosts=plain");
		assertThatExceptionOfType(HostNotPooledException.class).as("plain http to a configured host name")
			.isThrownBy(() -> factory.createRequest(URI.create("http://" + this.origins.target() + "/"),
					HttpMethod.GET));
		assertThat(this.other.connections()).isZero();
	}

	@Test
	void otherHostsGoOverThePlainClientWhenAllowed() throws IOException {
		HotConnPoolClientHttpRequestFactory factory = new HotConnPoolClientHttpRequestFactory(this.pool,
				OtherHostsPolicy.PLAIN);

		try (ClientHttpResponse response = factory.createRequest(URI.create(this.other.url("/")), HttpMethod.GET)
			.execute()) {
			assertThat(StreamUtils.copyToString(response.getBody(), UTF_8)).isEqualTo("hot");
		}

		assertThat(this.other.connections()).as("trusted by the pool's TLS material").isOne();
		assertThat(this.pool.stats().totalRequests()).as("no lease was taken").isZero();
	}

	@Test
	void noFreeConnectionIsAnIoFailureForRestClient() throws InterruptedException {
		RestClient client = RestClient.builder()
			.requestFactory(new HotConnPoolClientHttpRequestFactory(this.pool))
			.build();
		try (Lease first = this.pool.acquireExclusive(this.origins.target());
				Lease second = this.pool.acquireExclusive(this.origins.target())) {
			assertThat(List.of(first.ip(), second.ip())).as("every connection leased").doesNotHaveDuplicates();
			assertThatExceptionOfType(ResourceAccessException.class)
				.isThrownBy(() -> client.get().uri(this.origins.url("/busy")).retrieve().body(String.class))
				.withMessageContaining("became free within");
		}
	}

}
