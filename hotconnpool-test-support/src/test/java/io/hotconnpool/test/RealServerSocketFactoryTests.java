package io.hotconnpool.test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(10)
class RealServerSocketFactoryTests {

	@Test
	void keepsReuseAddressOnAsAServerAskedForAnyPortIsToldOtherwise() throws Exception {
		try (ServerSocket server = new RealServerSocketFactory().createServerSocket()) {
			server.setReuseAddress(false);
			server.bind(new InetSocketAddress(Loopback.address(1), 0));
			assertThat(server.getReuseAddress()).as("a restart on this port must not wait out TIME_WAIT").isTrue();
		}
	}

	@Test
	void turnsNagleOffOnAcceptedConnections() throws Exception {
		try (ServerSocket server = new RealServerSocketFactory().createServerSocket(0, 1, Loopback.address(1));
				Socket client = new Socket(server.getInetAddress(), server.getLocalPort());
				Socket accepted = server.accept()) {
			assertThat(client.isConnected()).isTrue();
			assertThat(accepted.getTcpNoDelay()).isTrue();
		}
	}

}
