package io.hotconnpool.actuate;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import io.hotconnpool.actuate.HotConnPoolEndpoint.PoolReport;
import io.hotconnpool.pool.PoolStats;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HotConnPoolEndpointReportTests {

	/**
	 * Reported under another name: retired connections by reason name, self-tests as TLS profile reports, responses
	 * by status class as {@code responses}.
	 */
	private static final Set<String> RENAMED = Set.of("retiredByReason", "tlsSelfTests", "responsesByStatusClass");

	@Test
	void poolReportCarriesEveryFieldOfPoolStats() {
		List<String> statsFields = names(PoolStats.class).stream().filter((name) -> !RENAMED.contains(name)).toList();
		assertThat(names(PoolReport.class)).containsAll(statsFields)
			.contains("retiredConnections", "tlsProfiles", "responses");
	}

	private static List<String> names(Class<? extends Record> type) {
		return Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();
	}

}
