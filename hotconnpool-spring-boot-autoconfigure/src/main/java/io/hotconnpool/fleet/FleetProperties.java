package io.hotconnpool.fleet;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

import io.hotconnpool.pool.InvalidSettingException;

/**
 * Fleet mode ({@code hotconnpool.fleet.*}): how the instances of one application share their blacklist through the
 * application's Redis ({@code spring.data.redis.*}). Plain JavaBean, bound by the auto-configuration; the defaults
 * are the fields' values, and {@link #validate()} checks every value once, naming its property.
 */
public class FleetProperties {

	/** The properties' common prefix, for the errors that name one. */
	private static final String PROPERTY = "hotconnpool.fleet.";

	/**
	 * Whether this instance shares its blacklist with the fleet through Redis. Needs Spring Data Redis with Lettuce
	 * and a RedisConnectionFactory.
	 */
	private boolean enabled;

	/**
	 * Namespace of every Redis key and channel the fleet uses (letters, digits and . _ - : { }): instances that
	 * share a prefix form one fleet.
	 */
	private String prefix = "hotconnpool";

	/**
	 * This instance's name in the fleet, shown with the entries it reports; unique per instance (a pod name),
	 * printable ASCII without spaces. Default: the HOSTNAME variable, the process id and a random part.
	 */
	private String instanceId = randomInstanceId();

	/**
	 * How long the fleet waits for Redis before it takes the link for down (at least 1ms). Keep
	 * spring.data.redis.connect-timeout short as well: it bounds connecting.
	 */
	private Duration commandTimeout = Duration.ofMillis(500);

	/**
	 * Publications sent to Redis and not yet answered (at least 1); past it they are dropped, counted and made good
	 * at the next resynchronisation.
	 */
	private int queueCapacity = 1000;

	/** How long the one instance that re-probes an expired IP holds its lock: longer than a probe (at least 1ms). */
	private Duration reprobeLock = Duration.ofSeconds(10);

	/** How often the link to Redis is checked, and the blacklist resynchronised once it is back (at least 1ms). */
	private Duration heartbeatInterval = Duration.ofSeconds(1);

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getPrefix() {
		return this.prefix;
	}

	public void setPrefix(String prefix) {
		this.prefix = prefix;
	}

	public String getInstanceId() {
		return this.instanceId;
	}

	public void setInstanceId(String instanceId) {
		this.instanceId = instanceId;
	}

	public Duration getCommandTimeout() {
		return this.commandTimeout;
	}

	public void setCommandTimeout(Duration commandTimeout) {
		this.commandTimeout = commandTimeout;
	}

	public int getQueueCapacity() {
		return this.queueCapacity;
	}

	public void setQueueCapacity(int queueCapacity) {
		this.queueCapacity = queueCapacity;
	}

	public Duration getReprobeLock() {
		return this.reprobeLock;
	}

	public void setReprobeLock(Duration reprobeLock) {
		this.reprobeLock = reprobeLock;
	}

	public Duration getHeartbeatInterval() {
		return this.heartbeatInterval;
	}

	public void setHeartbeatInterval(Duration heartbeatInterval) {
		this.heartbeatInterval = heartbeatInterval;
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
		requireAtLeastOneMillisecond("command-timeout", this.commandTimeout);
		requireAtLeastOneMillisecond("reprobe-lock", this.reprobeLock);
		requireAtLeastOneMillisecond("heartbeat-interval", this.heartbeatInterval);
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

	private static void requireAtLeastOneMillisecond(String property, Duration value) {
		if (value == null || value.compareTo(Duration.ofMillis(1)) < 0) {
			throw new InvalidSettingException(PROPERTY + property, value, "at least 1ms");
		}
	}

}
