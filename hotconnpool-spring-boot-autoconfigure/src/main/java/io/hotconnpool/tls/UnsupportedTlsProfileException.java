package io.hotconnpool.tls;

import java.util.List;

/**
 * Thrown in strict mode when a {@link TlsProfile} asks for settings the TLS stack cannot produce, so that a profile
 * never silently sends a different ClientHello from the one it describes.
 */
public final class UnsupportedTlsProfileException extends IllegalStateException {

	private final String profileId;

	private final List<String> unsupportedSettings;

	UnsupportedTlsProfileException(String profileId, String providerName, List<String> unsupportedSettings) {
		super("TLS profile '" + profileId + "' asks for settings " + providerName + " cannot produce:\n - "
				+ String.join("\n - ", unsupportedSettings) + "\nFix the profile, or set " + TlsProfile.STRICT_SETTING
				+ "=false to drop these settings with a warning.");
		this.profileId = profileId;
		this.unsupportedSettings = List.copyOf(unsupportedSettings);
	}

	/**
	 * The profile that was refused.
	 * @return its id
	 */
	public String profileId() {
		return this.profileId;
	}

	/**
	 * What the stack cannot produce.
	 * @return one sentence per setting
	 */
	public List<String> unsupportedSettings() {
		return this.unsupportedSettings;
	}

}
