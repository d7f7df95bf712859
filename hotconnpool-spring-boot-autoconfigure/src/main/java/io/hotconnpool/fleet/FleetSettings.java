package io.hotconnpool.fleet;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

import io.hotconnpool.pool.InvalidSettingException;

/**
 * How a {@link RedisFleet} talks to Redis.
 *
 * @param prefix the namespace of every key and channel, such as {@code hotconnpool}: entries under
 * {@code <prefix>:blacklist:}, re-probe locks under {@code <prefix>:reprobe:}, events on {@code <prefix>:events}
 * @param instanceId this instance's name in the fleet, shown with the entries it reports; unique per instance
 * @param commandTimeout how long the fleet waits for Redis before it takes the link for down, at least 1 ms
 * @param queueCapacity publications waiting for Redis; past it they are dropped and counted (the next
 * resynchronisation makes them good), at least 1
 * @param reprobeLock how long the instance that re-probes an IP holds its lock: longer than a probe, at least 1 ms
 * @param heartbeatInterval how often the link is checked (and, when it is back, the blacklist resynchronised), at
 * least 1 ms
 */
public record FleetSettings(String prefix, String instanceId, Duration commandTimeout, int queueCapacity,
		Duration reprobeLock, Duration heartbeatInterval) {

	/** The default key and channel prefix. */
	public static final String DEFAULT_PREFIX = "hotconnpool";

	/** Validates every value, naming its property when one is invalid. */
	public FleetSettings {
		if (prefix == null || prefix.isBlank() || !prefix.matches("[A-Za-z0-9._:{}-]+")) {
			throw new InvalidSettingException("hotconnpool.fleet.prefix", prefix,
					"letters, digits and . _ - : { } (no spaces)");
		}
		if (instanceId == null || instanceId.isBlank() || !instanceId.matches("[\\x21-\\x7e]+")) {
			throw new InvalidSettingException("hotconnpool.fleet.instance-id", instanceId,
					"printable ASCII without spaces");
		}
		requireAtLeastOneMillisecond("hotconnpool.fleet.command-timeout", commandTimeout);
		requireAtLeastOneMillisecond("hotconnpool.fleet.reprobe-lock", reprobeLock);
		requireAtLeastOneMillisecond("hotconnpool.fleet.heartbeat-interval", heartbeatInterval);
		if (queueCapacity < 1) {
			throw new InvalidSettingException("hotconnpool.fleet.queue-capacity", queueCapacity, "1 or more");
		}
	}

	/**
	 * Settings with the defaults: prefix {@code hotconnpool}, a random instance id, a 500 ms command timeout, 1,000
	 * queued publications, a 10 s re-probe lock and a 1 s heartbeat.
	 * @return the settings
	 */
	public static FleetSettings defaults() {
		return new FleetSettings(DEFAULT_PREFIX, randomInstanceId(), Duration.ofMillis(500), 1000,
				Duration.ofSeconds(10), Duration.ofSeconds(1));
	}

	/**
	 * An instance id for when none is configured: the host name where the environment gives one, the process id
	 * and a random part, such as {@code web-7f9c-4211-1a2b3c4d}.
	 * @return the id
	 */
	public static String randomInstanceId() {
		String host = Objects.requireNonNullElse(System.getenv("HOSTNAME"), "instance").replaceAll("[^\\x21-\\x7e]", "");
		return (host.isEmpty() ? "instance" : host) + "-" + ProcessHandle.current().pid() + "-"
				+ UUID.randomUUID().toString().substring(0, 8);
	}

	private static void requireAtLeastOneMillisecond(String property, Duration value) {
		if (value == null || value.compareTo(Duration.ofMillis(1)) < 0) {
			throw new InvalidSettingException(property, value, "at least 1ms");
		}
	}

}
