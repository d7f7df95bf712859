package io.hotconnpool.tls;

/**
 * Thrown at start-up when Conscrypt, the TLS provider the pool runs on, cannot load on this platform and the
 * JDK fallback is not allowed.
 */
public class TlsProviderUnavailableException extends IllegalStateException {

	TlsProviderUnavailableException(Throwable cause) {
		super("Conscrypt (the TLS provider hotconnpool runs on) could not load on " + System.getProperty("os.name")
				+ " " + System.getProperty("os.arch") + ": " + cause
				+ ". It needs glibc 2.14+ (not musl/Alpine) and an executable temporary directory"
				+ " (set -Dorg.conscrypt.native.workdir if java.io.tmpdir is mounted noexec)."
				+ " To use the JDK's TLS instead, set " + TlsContext.JDK_FALLBACK_SETTING + "=true.", cause);
	}

}
