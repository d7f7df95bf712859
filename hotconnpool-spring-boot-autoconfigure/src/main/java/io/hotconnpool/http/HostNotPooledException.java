package io.hotconnpool.http;

/**
 * A request for a host that the pool does not serve was refused, because
 * {@code hotconnpool.http.other-hosts=refuse}. Nothing was sent.
 */
public class HostNotPooledException extends IllegalArgumentException {

	HostNotPooledException(String message) {
		super(message);
	}

}
