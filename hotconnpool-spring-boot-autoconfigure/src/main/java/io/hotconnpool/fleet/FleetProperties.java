package io.hotconnpool.fleet;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

import io.hotconnpool.pool.InvalidSettingException;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Fleet mode ({@code hotconnpool.fleet.*}): how the instances of one application share their blacklist through the
 * application's Redis ({@code spring.data.redis.*}). Immutable, bound through its constructor; {@link #validate()}
 * checks every value once, naming its property.
 *
 * @param enabled Whether this instance shares its blacklist with the fleet through Redis. Needs Spring Data Redis
 * with Lettuce and a RedisConnectionFactory.
 * @param prefix Namespace of every Redis key and channel the fleet uses (letters, digits and . _ - : { }): instances
 * that share a prefix form one fleet.
 * @param instanceId This instance's name in the fleet, shown with the entries it reports; unique per instance (a pod
 * name), printable ASCII without spaces. Default: the HOSTNAME variable, the process id and a random part.
 * @param commandTimeout How long the fleet waits for Redis before it takes the link for down (at least 1ms). Keep
 * spring.data.redis.connect-timeout short as well: it bounds connecting.
 * @param queueCapacity Publications sent to Redis and not yet answered (at least 1); past it they are dropped,
 * counted and made good at the next resynchronisation.
 * @param reprobeLock How long the one instance that re-probes an expired IP holds its lock: longer than a probe (at
 * least 1ms).
 * @param heartbeatInterval How often the link to Redis is checked, and the blacklist resynchronised once it is back
 * (at least 1ms).
 */
@ConfigurationProperties("hotconnpool.fleet")
public record FleetProperties(boolean enabled, @DefaultValue("hotconnpool") String prefix, String instanceId,
		@DefaultValue("500ms") Duration commandTimeout, @DefaultValue("1000") int queueCapacity,
		@DefaultValue("10s") Duration reprobeLock, @DefaultValue("1s") Duration heartbeatInterval) {

	/** The properties' common prefix, for the errors that name one. */
	private static final String PROPERTY = "hotconnpool.fleet.";

	/** An unset instance id becomes {@link #randomInstanceId()}. */
	public FleetProperties {
		instanceId = (instanceId != null) ? instanceId : randomInstanceId();
	}

	/**
	 * Checks every value.
	 * @return these properties
	 * @throws InvalidSettingException naming the first invalid property
	 */
	public FleetProperties validate() {
		if (this.prefix == null || !this.prefix.matches("[A-Za-z0-9._:{}-]+")) {
			throw new InvalidSettingException(PROPERTY + "prefix", this.prefix,
					"letters, digits and . _ - : { } (no spaces)");
		}
		if (this.instanceId == null || !this.instanceId.matches("[\\x21-\\x7e]+")) {
			throw new InvalidSettingException(PROPERTY + "instance-id", this.instanceId,
					"printable ASCII without spaces");
		}
		requireFrom1msTo24d("command-timeout", this.commandTimeout);
		requireFrom1msTo24d("reprobe-lock", this.reprobeLock);
		requireFrom1msTo24d("heartbeat-interval", this.heartbeatInterval);
		if (this.queueCapacity < 1) {
			throw new InvalidSettingException(PROPERTY + "queue-capacity", this.queueCapacity, "1 or more");
		}
		return this;
	}

	/**
	 * An instance id for when none is configured: the host name where the environment gives one, the process id
	 * and a random part, such as {@code web-7f9c-4211-1a2b3c4d}.
	 * @return the id
	 */
	static String randomInstanceId() {
		String host = Objects.requireNonNullElse(System.getenv("HOSTNAME"), "").replaceAll("[^\\x21-\\x7e]", "");
		return (host.isEmpty() ? "instance" : host) + "-" + ProcessHandle.current().pid() + "-"
				+ UUID.randomUUID().toString().substring(0, 8);
	}

	/** From 1ms to 24d, as every duration of the pool: far inside the nanosecond and int-millisecond timeouts. */
	private static void requireFrom1msTo24d(String property, Duration value) {
		if (value == null || value.compareTo(Duration.ofMillis(1)) < 0 || value.compareTo(Duration.ofDays(24)) > 0) {
			throw new InvalidSettingException(PROPERTY + property, value, "a duration from 1ms to 24d");
		}
	}

}
