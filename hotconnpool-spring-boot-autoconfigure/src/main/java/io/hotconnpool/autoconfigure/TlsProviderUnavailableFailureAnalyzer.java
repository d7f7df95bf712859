package io.hotconnpool.autoconfigure;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import io.hotconnpool.tls.TlsContext;
import io.hotconnpool.tls.TlsProviderUnavailableException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link TlsProviderUnavailableException}: Conscrypt's native library did not load on this platform.
 */
class TlsProviderUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<TlsProviderUnavailableException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, TlsProviderUnavailableException cause) {
		Throwable reason = (cause.getCause() != null) ? cause.getCause() : cause;
		String description = "hotconnpool could not load Conscrypt, the TLS provider it runs on.\n\n"
				+ "    Platform: " + System.getProperty("os.name") + " " + System.getProperty("os.arch") + " ("
				+ libc() + ")\n" + "    Temporary directory: " + System.getProperty("java.io.tmpdir") + "\n"
				+ "    Reason: " + reason + "\n";
		String action = "Conscrypt ships native libraries for Linux x86_64 and aarch64 (glibc 2.14 or later; not musl,"
				+ " such as Alpine), macOS x86_64 and aarch64, and Windows x86_64, and unpacks them into"
				+ " java.io.tmpdir.\n"
				+ "Consider the following:\n"
				+ "    Run on a glibc-based image (for example a Debian or Ubuntu based JRE) if this is musl.\n"
				+ "    If the temporary directory is mounted noexec, point Conscrypt to an executable directory:"
				+ " -Dorg.conscrypt.native.workdir=/path/to/dir\n"
				+ "    Or use the JDK's TLS instead (its TLS fingerprint differs): set "
				+ TlsContext.JDK_FALLBACK_SETTING + "=true";
		return new FailureAnalysis(description, action, cause);
	}

	/** Which C library this looks like: Conscrypt's Linux library needs glibc. */
	private static String libc() {
		if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
			return "not Linux";
		}
		try (DirectoryStream<Path> musl = Files.newDirectoryStream(Path.of("/lib"), "ld-musl-*")) {
			return musl.iterator().hasNext() ? "musl libc: not supported by Conscrypt" : "no musl loader: glibc presumably";
		}
		catch (IOException | RuntimeException ex) {
			return "libc unknown";
		}
	}

}
