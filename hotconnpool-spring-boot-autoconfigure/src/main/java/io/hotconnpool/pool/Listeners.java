package io.hotconnpool.pool;

import java.util.List;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/** The registered listeners, each call guarded so that a faulty listener cannot break the pool. */
final class Listeners {

	private static final Log logger = LogFactory.getLog(Listeners.class);

	private final List<HotConnPoolListener> listeners;

	Listeners(List<HotConnPoolListener> listeners) {
		this.listeners = List.copyOf(listeners);
	}

	/** Whether anyone listens: callers skip measuring when not. */
	boolean any() {
		return !this.listeners.isEmpty();
	}

	void fire(Consumer<HotConnPoolListener> event) {
		for (HotConnPoolListener listener : this.listeners) {
			try {
				event.accept(listener);
			}
			catch (RuntimeException ex) {
				logger.warn("hotconnpool listener " + listener + " failed", ex);
			}
		}
	}

}
