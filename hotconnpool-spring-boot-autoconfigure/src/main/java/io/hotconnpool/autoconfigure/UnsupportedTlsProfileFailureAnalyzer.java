package io.hotconnpool.autoconfigure;

import io.hotconnpool.tls.TlsProfile;
import io.hotconnpool.tls.UnsupportedTlsProfileException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an {@link UnsupportedTlsProfileException}: in strict mode, a TLS profile asked for settings the TLS stack
 * in use cannot produce (for example a browser profile on the JDK fallback, or a {@code TlsProfile} bean with GREASE).
 */
class UnsupportedTlsProfileFailureAnalyzer extends AbstractFailureAnalyzer<UnsupportedTlsProfileException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnsupportedTlsProfileException cause) {
		String description = "hotconnpool refused TLS profile '" + cause.profileId()
				+ "': it asks for settings the TLS stack cannot produce, so its ClientHello would not be the one it"
				+ " describes:\n    - " + String.join("\n    - ", cause.unsupportedSettings()) + "\n";
		String action = "Consider the following:\n"
				+ "    Remove or change these settings in the profile (hotconnpool.tls.custom-profiles."
				+ cause.profileId() + ".* or the TlsProfile your configuration builds).\n"
				+ "    Choose another profile with hotconnpool.tls.profile or hotconnpool.hosts[i].tls.profile.\n"
				+ "    Or set " + TlsProfile.STRICT_SETTING + "=false to drop these settings with a warning.";
		return new FailureAnalysis(description, action, cause);
	}

}
