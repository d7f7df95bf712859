package io.hotconnpool.pool;

import okhttp3.Connection;
import okhttp3.internal.connection.RealConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The one place the pool reads OkHttp's internal API: the number of calls OkHttp lets a connection carry at once,
 * its allocation limit, which follows the server's HTTP/2 {@code SETTINGS_MAX_CONCURRENT_STREAMS} (one for
 * HTTP/1.1). OkHttp's public API does not expose the server's settings, and a pool that put more streams on a
 * connection than this would make OkHttp open a second connection, cold, on the caller's time.
 * <p>
 * The internal method is public bytecode (Kotlin's {@code internal}), so no reflection is involved. An OkHttp
 * without it fails here only: the pool then logs once and relies on its own limit
 * ({@code hotconnpool.http2.max-streams-per-connection}).
 */
final class OkHttpInternals {

	private static final Log logger = LogFactory.getLog(OkHttpInternals.class);

	private static volatile boolean unavailable;

	private OkHttpInternals() {
	}

	/**
	 * The calls OkHttp lets this connection carry at once.
	 * @param connection OkHttp's connection, or {@code null} before the first exchange
	 * @return the limit, {@link Integer#MAX_VALUE} when unknown
	 */
	static int allocationLimit(Connection connection) {
		if (unavailable || !(connection instanceof RealConnection real)) {
			return Integer.MAX_VALUE;
		}
		try {
			return real.getAllocationLimit$okhttp();
		}
		catch (LinkageError ex) {
			unavailable = true;
			logger.warn("hotconnpool cannot read the server's limit of concurrent HTTP/2 streams from this OkHttp"
					+ " version; it relies on hotconnpool.http2.max-streams-per-connection alone", ex);
			return Integer.MAX_VALUE;
		}
	}

}
