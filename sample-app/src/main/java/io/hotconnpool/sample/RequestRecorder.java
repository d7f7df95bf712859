package io.hotconnpool.sample;

import io.hotconnpool.pool.HotConnPoolListener;
import io.hotconnpool.pool.HotConnPoolListener.RequestOutcome;

import org.springframework.stereotype.Component;

/**
 * Remembers, per thread, how the pool served the last request made on that thread: which IP, and whether the
 * connection was already warm. The pool fires {@code requestEnded} on the thread that read or closed the response body.
 */
@Component
public class RequestRecorder implements HotConnPoolListener {

	private final ThreadLocal<Served> last = new ThreadLocal<>();

	@Override
	public void requestEnded(String host, String ip, RequestOutcome outcome, boolean hot) {
		this.last.set(new Served(host, ip, outcome.toString(), hot));
	}

	/** The last request served on this thread since the previous call, or {@code null}. */
	public Served take() {
		Served served = this.last.get();
		this.last.remove();
		return served;
	}

	/** How one request was served. */
	public record Served(String host, String ip, String outcome, boolean hot) {
	}

}
