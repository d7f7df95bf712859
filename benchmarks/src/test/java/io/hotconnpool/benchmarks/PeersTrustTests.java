package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import io.hotconnpool.test.TestTls;
import okhttp3.Protocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Every peer verifies the certificate against the test CA and the host name: nothing trusts all. */
@Timeout(60)
class PeersTrustTests {

	/** The peers that call the host by name. */
	private static final List<BiFunction<TestTls, Collection<Target>, HttpPeer>> BY_NAME = List.of(
			Peers::okHttp, Peers::apache, Peers::apacheH2, (tls, targets) -> Peers.reactorNetty(tls, targets, true),
			(tls, targets) -> Peers.reactorNetty(tls, targets, false));

	/** And the JDK client, which calls the host's first IP (the certificate lists it). */
	private static final List<BiFunction<TestTls, Collection<Target>, HttpPeer>> ALL = Stream
		.concat(BY_NAME.stream(), Stream.of((tls, targets) -> Peers.jdk(tls)))
		.toList();

	private static ProxiedOrigins env;

	@BeforeAll
	static void start() throws IOException {
		env = ProxiedOrigins.start(1, 1, Duration.ZERO, List.of(Protocol.HTTP_2, Protocol.HTTP_1_1));
	}

	@AfterAll
	static void stop() {
		env.close();
	}

	@Test
	void everyPeerSucceedsWithTheTestCa() throws IOException {
		for (BiFunction<TestTls, Collection<Target>, HttpPeer> peer : ALL) {
			try (HttpPeer client = peer.apply(env.tls(), env.targets())) {
				assertThat(client.get(env.targets().get(0))).as(client.name()).isEqualTo(200);
			}
		}
	}

	@Test
	void everyPeerRefusesACertificateAnotherCaSigned() {
		TestTls stranger = TestTls.create(List.of("h0.bench.test"), List.of());
		for (BiFunction<TestTls, Collection<Target>, HttpPeer> peer : ALL) {
			try (HttpPeer client = peer.apply(stranger, env.targets())) {
				assertThatExceptionOfType(IOException.class).as(client.name())
					.isThrownBy(() -> client.get(env.targets().get(0)));
			}
		}
	}

	@Test
	void everyPeerThatCallsByNameRefusesANameTheCertificateLacks() {
		Target target = env.targets().get(0);
		Target otherName = new Target("other.bench.test", target.port(), target.addresses());
		for (BiFunction<TestTls, Collection<Target>, HttpPeer> peer : BY_NAME) {
			try (HttpPeer client = peer.apply(env.tls(), List.of(otherName))) {
				assertThatExceptionOfType(IOException.class).as(client.name())
					.isThrownBy(() -> client.get(otherName));
			}
		}
	}

}
