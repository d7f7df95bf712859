package io.hotconnpool.tls;

import java.util.Objects;

/**
 * One setting of a {@link TlsProfile} that the TLS stack it runs on cannot produce, as found by
 * {@link TlsProfile#unsupportedSettings(TlsContext)}: which setting, which value of it, and why.
 *
 * @param setting the profile setting at fault
 * @param index the position of the offending value in that setting's list, or {@code -1} when the setting as a whole
 * is at fault (an order, a missing value, a setting the stack lacks)
 * @param unknown whether the value is one the stack does not know at all, most likely a typo, rather than one it
 * knows but cannot send
 * @param reason one sentence naming the value and why it cannot be produced
 */
public record UnsupportedTlsSetting(Setting setting, int index, boolean unknown, String reason) {

	/**
	 * Creates an entry.
	 * @param setting the profile setting at fault
	 * @param index the offending value's position, or {@code -1}
	 * @param unknown whether the stack does not know the value at all
	 * @param reason one sentence
	 */
	public UnsupportedTlsSetting {
		Objects.requireNonNull(setting, "setting");
		Objects.requireNonNull(reason, "reason");
		if (index < -1) {
			throw new IllegalArgumentException("index must be -1 or a list position, was " + index);
		}
	}

	static UnsupportedTlsSetting unknown(Setting setting, int index, String reason) {
		return new UnsupportedTlsSetting(setting, index, true, reason);
	}

	static UnsupportedTlsSetting unsupported(Setting setting, int index, String reason) {
		return new UnsupportedTlsSetting(setting, index, false, reason);
	}

	static UnsupportedTlsSetting unsupported(Setting setting, String reason) {
		return unsupported(setting, -1, reason);
	}

	/**
	 * Returns the reason.
	 */
	@Override
	public String toString() {
		return this.reason;
	}

	/**
	 * The settings of a {@link TlsProfile}, named as its {@link TlsProfileBuilder} names them.
	 */
	public enum Setting {

		/** {@link TlsProfileBuilder#tlsVersions(String...)}. */
		TLS_VERSIONS,

		/** {@link TlsProfileBuilder#cipherSuites(String...)}. */
		CIPHER_SUITES,

		/** {@link TlsProfileBuilder#namedGroups(String...)}. */
		NAMED_GROUPS,

		/** {@link TlsProfileBuilder#alpnProtocols(String...)}. */
		ALPN_PROTOCOLS,

		/** {@link TlsProfileBuilder#sessionTickets(boolean)}. */
		SESSION_TICKETS,

		/** {@link TlsProfileBuilder#grease(boolean)}. */
		GREASE,

		/** {@link TlsProfileBuilder#extensionOrder(Integer...)}. */
		EXTENSION_ORDER,

		/** {@link TlsProfileBuilder#requiresConscrypt(boolean)}: the profile's stack is not the context's. */
		PROVIDER

	}

}
