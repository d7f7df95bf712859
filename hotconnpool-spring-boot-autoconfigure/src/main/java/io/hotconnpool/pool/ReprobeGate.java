package io.hotconnpool.pool;

import java.util.concurrent.CompletionStage;

/**
 * Decides whether this pool re-probes a blacklisted IP whose entry expired, so that a fleet of pools re-probes each
 * IP once, not once per instance. Register with {@link HotConnPool.Builder#reprobeGate(ReprobeGate)}; by default
 * every pool re-probes its own expired entries.
 * <p>
 * Asked on the blacklist check's thread, outside every lock, once per expired IP and check: an implementation must
 * answer without blocking (complete the stage later, from its own thread). {@code false} leaves the entry expired
 * and asks again at the next check; a stage that fails is taken as {@code true}, so that a gate that cannot decide
 * never keeps an IP out of service.
 */
@FunctionalInterface
public interface ReprobeGate {

	/**
	 * Whether this pool may re-probe the IP now.
	 * @param host the host key ({@code host:port})
	 * @param ip the IP address
	 * @return completes with {@code true} to re-probe now
	 */
	CompletionStage<Boolean> mayReprobe(String host, String ip);

}
