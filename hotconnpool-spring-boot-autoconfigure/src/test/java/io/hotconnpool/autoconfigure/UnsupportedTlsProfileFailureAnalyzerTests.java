package io.hotconnpool.autoconfigure;

import io.hotconnpool.pool.HotConnPoolConfig;
import io.hotconnpool.tls.TlsProfile;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link UnsupportedTlsProfileFailureAnalyzer}.
 */
class UnsupportedTlsProfileFailureAnalyzerTests {

	@Test
	void aStrictPoolWithAProfileTheStackCannotSendFailsStartUpNamingProfileAndSetting() {
		HotConnPoolConfig config = new HotConnPoolConfig();
		config.getTls().setStrict(true);
		config.getTls().addProfile(TlsProfile.custom("greasy").grease(true).build());
		config.addHost("api.example.com").getTls().setProfile("greasy");
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(HotConnPoolAutoConfiguration.class))
			.withBean(HotConnPoolConfig.class, () -> config)
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new UnsupportedTlsProfileFailureAnalyzer()
					.analyze(context.getStartupFailure());
				assertThat(analysis).isNotNull();
				assertThat(analysis.getDescription()).contains("refused TLS profile 'greasy'").contains("GREASE");
				assertThat(analysis.getAction()).contains("hotconnpool.tls.custom-profiles.greasy.*")
					.contains("hotconnpool.tls.strict=false");
			});
	}

}
