package io.hotconnpool.http;

/**
 * What {@link HotConnPoolClientHttpRequestFactory} does with a request the pool does not serve: one to a host that
 * is not configured, or one that is not https.
 */
public enum OtherHostsPolicy {

	/** Refuse it with {@link HostNotPooledException} before anything is sent. */
	REFUSE,

	/**
	 * Send it over the pool's plain OkHttp client: the same TLS set-up and timeouts, a connection opened on demand.
	 */
	PLAIN

}
