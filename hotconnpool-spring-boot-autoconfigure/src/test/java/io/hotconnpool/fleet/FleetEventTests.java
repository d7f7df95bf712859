package io.hotconnpool.fleet;

import java.net.InetAddress;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The fleet's line format: what another writer under the prefix may have stored is read strictly, and never makes
 * the pool look up a name or overflow its clock arithmetic.
 */
class FleetEventTests {

	@Test
	void whatIsEncodedIsDecoded() throws Exception {
		Instant since = Instant.ofEpochMilli(1_700_000_000_000L);
		Instant until = Instant.now().plusSeconds(60);
		FleetEvent blacklisted = FleetEvent.blacklisted("api.example.com:443", "2001:db8::10", since,
				Instant.ofEpochMilli(until.toEpochMilli()), "a", "status 403\ton GET /");

		FleetEvent decoded = FleetEvent.decode(blacklisted.encode());

		assertThat(decoded).isEqualTo(FleetEvent.blacklisted("api.example.com:443", "2001:db8::10", since,
				Instant.ofEpochMilli(until.toEpochMilli()), "a", "status 403 on GET /"));
		assertThat(decoded.address()).isEqualTo(InetAddress.getByName("2001:db8::10"));
		FleetEvent restored = FleetEvent.restored("api.example.com:443", "192.0.2.10", since, "b");
		assertThat(FleetEvent.decode(restored.encode())).isEqualTo(restored);
		assertThat(restored.address()).isEqualTo(InetAddress.getByName("192.0.2.10"));
	}

	/** {@code InetAddress.getByName} would look each of these up in DNS, on the driver's thread, without a deadline. */
	@ParameterizedTest
	@ValueSource(strings = { "999.999.999.999", "1.2.3.4.5", "256.1.1.1", "127.1", "1.2.3", "fe80::1%eth0",
			"::ffff:999.1.1.1" })
	void anIpThatIsNotAStrictLiteralIsRejected(String ip) {
		String text = "blacklisted\tapi.example.com:443\t" + ip + "\t1700000000000\t1700000060000\ta\tstatus 403";

		assertThatIllegalArgumentException().isThrownBy(() -> FleetEvent.decode(text))
			.withMessageStartingWith("Not an IP address in a hotconnpool fleet event: ")
			.withMessageContaining(ip);
	}

	@ParameterizedTest
	@ValueSource(strings = { "-1", "-9223372036854775808", "1e12", "", "99999999999999999999" })
	void aTimeThatIsNotEpochMillisecondsIsRejected(String time) {
		String text = "blacklisted\tapi.example.com:443\t192.0.2.10\t1700000000000\t" + time + "\ta\tstatus 403";

		assertThatIllegalArgumentException().isThrownBy(() -> FleetEvent.decode(text))
			.withMessageStartingWith("Not a time in a hotconnpool fleet event: ");
	}

}
