package io.hotconnpool.actuate;

import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.test.LoopbackTlsOrigins;
import org.junit.jupiter.api.BeforeEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.servlet.client.RestTestClient;

/**
 * What the tests of {@link ActuatorTestApplication} over HTTP share: its client, origins and pool, and the actuator.
 * Each test class says how the application runs ({@code @SpringBootTest} with its properties and
 * {@code @AutoConfigureRestTestClient}).
 */
abstract class ActuatorHttpTests {

	@Autowired
	RestTestClient http;

	@Autowired
	LoopbackTlsOrigins origins;

	@Autowired
	HotConnPool pool;

	ActuatorClient actuator;

	@BeforeEach
	void connect() {
		this.actuator = new ActuatorClient(this.http);
	}

}
