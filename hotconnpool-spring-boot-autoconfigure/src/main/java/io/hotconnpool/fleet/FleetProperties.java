package io.hotconnpool.fleet;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Fleet mode ({@code hotconnpool.fleet.*}): instances of one application share their blacklist through the
 * application's Redis ({@code spring.data.redis.*}).
 */
@ConfigurationProperties("hotconnpool.fleet")
public class FleetProperties {

	/**
	 * Whether this instance shares its blacklist with the fleet through Redis. Needs Spring Data Redis and a
	 * RedisConnectionFactory.
	 */
	private boolean enabled;

	/** Namespace of every Redis key and channel the fleet uses: instances that share a prefix form one fleet. */
	private String prefix = FleetSettings.DEFAULT_PREFIX;

	/**
	 * This instance's name in the fleet, shown with the entries it reports; unique per instance (a pod name).
	 * Default: the HOSTNAME variable, the process id and a random part.
	 */
	private String instanceId;

	/**
	 * How long the fleet waits for Redis before it takes the link for down (at least 1ms). Keep
	 * spring.data.redis.timeout short as well: it is how long the driver holds the fleet's thread.
	 */
	private Duration commandTimeout = Duration.ofMillis(500);

	/** Publications waiting for Redis; past it they are dropped, counted and made good at the next resync. */
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
	 * The settings these properties describe.
	 * @return the settings
	 * @throws io.hotconnpool.pool.InvalidSettingException naming the first invalid property
	 */
	FleetSettings toSettings() {
		return new FleetSettings(this.prefix,
				(this.instanceId != null) ? this.instanceId : FleetSettings.randomInstanceId(), this.commandTimeout,
				this.queueCapacity, this.reprobeLock, this.heartbeatInterval);
	}

}
