package io.hotconnpool.fleet;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import io.hotconnpool.pool.BlacklistedIp;
import io.hotconnpool.pool.HostStats;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolListener;
import io.hotconnpool.pool.ReprobeGate;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * Shares a {@link HotConnPool}'s blacklist with the other instances of a fleet through Redis.
 * <ul>
 * <li>An IP this pool blacklists is published on {@code <prefix>:events} and written to
 * {@code <prefix>:blacklist:<host>/<ip>} with the entry's TTL as the key's expiry; every other instance applies it
 * at once ({@link HotConnPool#blacklist}), and loads the current entries when it starts.</li>
 * <li>When an entry expires, the instance that takes {@code <prefix>:reprobe:<host>/<ip>} ({@code SET NX PX}) re-probes
 * the IP; the others wait for the outcome it publishes: restored, or blacklisted for another TTL.</li>
 * <li>Redis is never in the pool's way: events go to a bounded queue that one thread of the fleet sends in order
 * (full, they are dropped and counted), nothing waits longer than {@code command-timeout}, and without Redis each
 * instance keeps its own blacklist and re-probes on its own. A heartbeat finds the link down (logged once) and
 * back, and then resynchronises: it publishes this instance's own entries and applies everyone else's.</li>
 * </ul>
 * What is stored and published is one line per entry: host, IP, since, until, instance id and reason
 * ({@link FleetEvent}); nothing else, and nothing secret.
 * <p>
 * Register it on the pool as a listener and as its re-probe gate; it starts after the pool and stops before it.
 */
public final class RedisFleet implements HotConnPoolListener, ReprobeGate, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RedisFleet.class);

	private final Supplier<HotConnPool> pool;

	private final IntSupplier poolPhase;

	private final FleetSettings settings;

	private final StringRedisTemplate redis;

	private final RedisMessageListenerContainer subscriber;

	/** One thread sends every Redis command in order; its queue is bounded. */
	private final ThreadPoolExecutor commands;

	/** One thread applies what others publish, in order. */
	private final ThreadPoolExecutor receiver;

	private final ScheduledExecutorService heartbeats;

	private final String channel;

	/** This instance's own heartbeat channel: a publication there that reaches no one means it is not subscribed. */
	private final String heartbeatChannel;

	private final LongAdder published = new LongAdder();

	private final LongAdder received = new LongAdder();

	private final LongAdder failed = new LongAdder();

	private final LongAdder dropped = new LongAdder();

	private volatile Link link = Link.CONNECTING;

	private volatile Instant linkSince = Instant.now();

	private volatile String lastFailure;

	/** Set when an event was lost (dropped, unreadable): the next heartbeat resynchronises. */
	private final AtomicBoolean resyncNeeded = new AtomicBoolean();

	/** When the heartbeat in flight was sent ({@link System#nanoTime()}), 0 when none is. */
	private final AtomicLong heartbeatSentNanos = new AtomicLong();

	private final AtomicBoolean unreadableLogged = new AtomicBoolean();

	private volatile boolean running;

	/**
	 * Creates the fleet link; {@link #start()} connects it.
	 * @param pool the pool, looked up at start (the pool is built with this fleet among its listeners)
	 * @param poolPhase the lifecycle phase of the pool, looked up at start
	 * @param connectionFactory the application's Redis connection factory
	 * @param settings the fleet settings
	 */
	public RedisFleet(Supplier<HotConnPool> pool, IntSupplier poolPhase, RedisConnectionFactory connectionFactory,
			FleetSettings settings) {
		this.pool = Objects.requireNonNull(pool, "pool");
		this.poolPhase = Objects.requireNonNull(poolPhase, "poolPhase");
		this.settings = Objects.requireNonNull(settings, "settings");
		this.redis = new StringRedisTemplate(connectionFactory);
		this.channel = settings.prefix() + ":events";
		this.heartbeatChannel = settings.prefix() + ":heartbeat:" + settings.instanceId();
		this.commands = singleThread("hotconnpool-fleet", settings.queueCapacity());
		this.receiver = singleThread("hotconnpool-fleet-receiver", settings.queueCapacity());
		this.heartbeats = Executors.newSingleThreadScheduledExecutor(daemon("hotconnpool-fleet-heartbeat"));
		this.subscriber = new RedisMessageListenerContainer();
		this.subscriber.setConnectionFactory(connectionFactory);
		this.subscriber.setTaskExecutor((delivery) -> {
			try {
				this.receiver.execute(delivery);
			}
			catch (RejectedExecutionException ex) {
				lost();
			}
		});
		this.subscriber.setRecoveryInterval(settings.heartbeatInterval().toMillis());
		this.subscriber.setMaxSubscriptionRegistrationWaitingTime(settings.commandTimeout().toMillis());
		this.subscriber.addMessageListener((message, pattern) -> receive(new String(message.getBody(),
				StandardCharsets.UTF_8)), new ChannelTopic(this.channel));
		this.subscriber.addMessageListener((message, pattern) -> {
		}, new ChannelTopic(this.heartbeatChannel));
		this.subscriber.afterPropertiesSet();
	}

	private static ThreadPoolExecutor singleThread(String name, int capacity) {
		return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(capacity),
				daemon(name));
	}

	private static ThreadFactory daemon(String name) {
		return (task) -> {
			Thread thread = new Thread(task, name);
			thread.setDaemon(true);
			return thread;
		};
	}

	// ---- the pool's events: published without waiting ---------------------------------------------------

	@Override
	public void ipBlacklisted(String host, String ip, String reason, Instant until, String source) {
		if (source == null) { // what others reported is theirs to publish
			publish(FleetEvent.blacklisted(host, ip, Instant.now(), until, this.settings.instanceId(), reason));
		}
	}

	@Override
	public void ipRestored(String host, String ip, String source) {
		if (source == null) {
			publish(FleetEvent.restored(host, ip, Instant.now(), this.settings.instanceId()));
		}
	}

	private void publish(FleetEvent event) {
		if (!this.running || this.link != Link.UP) {
			this.dropped.increment(); // this instance's entries are published again when the link is back
			return;
		}
		submit(() -> send(event));
	}

	/**
	 * Stores the entry with its TTL as expiry (or removes it), then publishes the event, on the shared connection
	 * (a pipeline would open a dedicated one each time). Stored before published, so that an instance that
	 * subscribes and loads meanwhile misses neither.
	 */
	private void send(FleetEvent event) {
		String key = key("blacklist", event.host(), event.ip());
		String text = event.encode();
		if (!event.blacklisted()) {
			this.redis.delete(key);
		}
		else {
			Duration ttl = Duration.between(Instant.now(), event.until());
			if (ttl.toMillis() <= 0) {
				return; // expired on its way
			}
			this.redis.opsForValue().set(key, text, ttl);
		}
		this.redis.convertAndSend(this.channel, text);
		this.published.increment();
	}

	// ---- who re-probes ----------------------------------------------------------------------------------

	/**
	 * Takes the IP's re-probe lock ({@code SET NX PX reprobe-lock}): {@code true} for the one instance that gets
	 * it. Without a link to Redis, or when Redis does not answer within {@code command-timeout}, this instance
	 * re-probes on its own.
	 */
	@Override
	public CompletionStage<Boolean> mayReprobe(String host, String ip) {
		if (!this.running || this.link != Link.UP) {
			return CompletableFuture.completedFuture(true);
		}
		CompletableFuture<Boolean> decision = new CompletableFuture<>();
		boolean queued = submit(() -> decision.complete(Boolean.TRUE.equals(this.redis.opsForValue()
			.setIfAbsent(key("reprobe", host, ip), this.settings.instanceId(), this.settings.reprobeLock()))));
		if (!queued) {
			return CompletableFuture.completedFuture(true);
		}
		return decision.orTimeout(this.settings.commandTimeout().toNanos(), TimeUnit.NANOSECONDS);
	}

	// ---- what others publish ----------------------------------------------------------------------------

	private void receive(String text) {
		FleetEvent event = read(text);
		if (event == null || event.instance().equals(this.settings.instanceId())) {
			return;
		}
		this.received.increment();
		apply(event);
	}

	private FleetEvent read(String text) {
		try {
			return FleetEvent.decode(text);
		}
		catch (IllegalArgumentException ex) {
			this.failed.increment();
			if (this.unreadableLogged.compareAndSet(false, true)) {
				logger.warn("hotconnpool fleet ignores what it cannot read under the prefix '" + this.settings.prefix()
						+ "' (another writer?): " + ex.getMessage() + " (logged once)");
			}
			return null;
		}
	}

	/** Applies another instance's event to the pool; whether it changed anything. */
	private boolean apply(FleetEvent event) {
		HotConnPool target = this.pool.get();
		InetAddress ip;
		try {
			ip = InetAddress.getByName(event.ip()); // a literal (FleetEvent checked): no look-up
		}
		catch (UnknownHostException ex) {
			return false;
		}
		return event.blacklisted() ? target.blacklist(event.host(), ip, event.reason(), event.until(), event.instance())
				: target.unblacklist(event.host(), ip, event.instance());
	}

	// ---- the link: heartbeat, down and back, resynchronisation -----------------------------------------

	/**
	 * Sends a heartbeat unless one is in flight; one in flight past the command timeout takes the link down. The
	 * heartbeat is a publication on this instance's own channel: Redis answers how many subscribers got it, so it
	 * proves both that commands go through and that this instance hears the fleet (the driver resubscribes on its
	 * own schedule after an outage). An answer after the link was down, or after an event was lost,
	 * resynchronises.
	 */
	private void heartbeat() {
		long now = System.nanoTime();
		long sent = this.heartbeatSentNanos.get();
		if (sent != 0) {
			if (now - sent > this.settings.commandTimeout().toNanos()) {
				failed(new TimeoutException("Redis did not answer within " + this.settings.commandTimeout()));
			}
			return;
		}
		this.heartbeatSentNanos.set(now);
		boolean queued = submit(() -> {
			try {
				Long listening = this.redis.convertAndSend(this.heartbeatChannel, "");
				if (listening == null || listening == 0) {
					if (this.link != Link.CONNECTING) { // at start the subscription may still be on its way
						failed(new IllegalStateException("not subscribed to " + this.channel));
					}
				}
				else if (this.link != Link.UP || this.resyncNeeded.getAndSet(false)) {
					resynchronise();
				}
			}
			finally {
				this.heartbeatSentNanos.set(0);
			}
		});
		if (!queued) {
			this.heartbeatSentNanos.set(0);
		}
	}

	/**
	 * Publishes this instance's own entries (some may have been lost while the link was down) and applies every
	 * other instance's entry stored in Redis. The link is up from the start of it, so that events meanwhile queue
	 * behind it.
	 */
	private void resynchronise() {
		Link before = this.link;
		setLink(Link.UP);
		int pushed = 0;
		Instant now = Instant.now();
		for (HostStats host : this.pool.get().stats().hosts()) {
			String key = host.host() + ":" + host.port();
			for (BlacklistedIp entry : host.blacklisted()) {
				if (entry.source() == null && entry.until().isAfter(now)) {
					send(FleetEvent.blacklisted(key, entry.ip(), entry.since(), entry.until(),
							this.settings.instanceId(), entry.reason()));
					pushed++;
				}
			}
		}
		List<String> keys = new ArrayList<>();
		ScanOptions pattern = ScanOptions.scanOptions().match(this.settings.prefix() + ":blacklist:*").count(1000).build();
		try (Cursor<String> cursor = this.redis.scan(pattern)) {
			cursor.forEachRemaining(keys::add);
		}
		int applied = 0;
		List<String> values = keys.isEmpty() ? List.of() : this.redis.opsForValue().multiGet(keys);
		for (String value : (values != null) ? values : List.<String>of()) {
			FleetEvent event = (value != null) ? read(value) : null;
			if (event != null && !event.instance().equals(this.settings.instanceId()) && apply(event)) {
				applied++;
			}
		}
		String line = "hotconnpool fleet " + this.settings.instanceId() + " synchronised with Redis: published "
				+ pushed + " own entries, applied " + applied + " of " + keys.size() + " stored";
		logger.info((before == Link.DOWN) ? "hotconnpool fleet link to Redis is back; " + line : line);
	}

	/**
	 * Queues a Redis command for the fleet's thread; a failure takes the link down.
	 * @return whether it was queued (if not it is dropped, counted, and made good by a resynchronisation)
	 */
	private boolean submit(Runnable command) {
		try {
			this.commands.execute(() -> {
				try {
					command.run();
				}
				catch (RuntimeException ex) {
					failed(ex);
				}
			});
			return true;
		}
		catch (RejectedExecutionException ex) {
			lost();
			return false;
		}
	}

	/** An event did not fit its queue: counted, and the next heartbeat resynchronises. */
	private void lost() {
		this.dropped.increment();
		this.resyncNeeded.set(true);
	}

	private void failed(Exception failure) {
		this.failed.increment();
		this.lastFailure = failure.toString();
		Link before = this.link;
		if (before != Link.DOWN && this.running) {
			setLink(Link.DOWN);
			logger.warn("hotconnpool fleet " + this.settings.instanceId()
					+ ((before == Link.CONNECTING) ? " cannot reach Redis (" : " lost its link to Redis (") + failure
					+ "): each instance goes on with its own blacklist and re-probes on its own; resynchronising when"
					+ " Redis is back (logged once until then)");
		}
	}

	private void setLink(Link state) {
		this.link = state;
		this.linkSince = Instant.now();
	}

	private String key(String kind, String host, String ip) {
		return this.settings.prefix() + ":" + kind + ":" + host + "/" + ip;
	}

	// ---- lifecycle ----------------------------------------------------------------------------------------

	/** Subscribes, then loads the stored entries and checks the link every {@code heartbeat-interval}. */
	@Override
	public void start() {
		if (this.running) {
			return;
		}
		this.running = true;
		// On the heartbeat thread: subscribing waits up to command-timeout, never the caller.
		this.heartbeats.execute(() -> {
			try {
				this.subscriber.start();
			}
			catch (RuntimeException ex) {
				failed(ex); // the container retries every heartbeat-interval
			}
		});
		long interval = this.settings.heartbeatInterval().toNanos();
		this.heartbeats.scheduleWithFixedDelay(this::heartbeat, 0, interval, TimeUnit.NANOSECONDS);
	}

	/** Unsubscribes and stops sending; commands in flight get up to {@code command-timeout}. */
	@Override
	public void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		this.heartbeats.shutdownNow();
		try {
			this.subscriber.stop();
			this.subscriber.destroy();
		}
		catch (Exception ex) {
			logger.debug("hotconnpool fleet unsubscribing failed", ex);
		}
		this.receiver.shutdownNow();
		this.commands.shutdown();
		try {
			if (!this.commands.awaitTermination(this.settings.commandTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
				this.commands.shutdownNow();
			}
		}
		catch (InterruptedException ex) {
			this.commands.shutdownNow();
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Just above the pool's phase: starts once the pool serves its hosts, stops before it. */
	@Override
	public int getPhase() {
		int phase = this.poolPhase.getAsInt();
		return (phase == Integer.MAX_VALUE) ? phase : phase + 1;
	}

	// ---- views ------------------------------------------------------------------------------------------

	/**
	 * The link's state and the fleet's counters.
	 * @return a snapshot
	 */
	public Status status() {
		return new Status(this.settings.instanceId(), this.settings.prefix(), this.link, this.linkSince,
				this.lastFailure, this.published.sum(), this.received.sum(), this.failed.sum(), this.dropped.sum());
	}

	/** The state of an instance's link to Redis. */
	public enum Link {

		/** Started, no answer from Redis yet. */
		CONNECTING,

		/** Redis answers: events are published and received. */
		UP,

		/** Redis failed or did not answer in time: the instance goes on with its own blacklist. */
		DOWN

	}

	/**
	 * A snapshot of the fleet link.
	 *
	 * @param instanceId this instance's id
	 * @param prefix the key and channel prefix
	 * @param link the link's state
	 * @param since when it entered that state
	 * @param lastFailure the last Redis failure, or {@code null}
	 * @param published events this instance published (its blacklistings and restorations)
	 * @param received events of other instances received
	 * @param failed Redis commands that failed or timed out, and stored or received text that was unreadable
	 * @param dropped events not published: the queue was full or the link down (resynchronised later)
	 */
	public record Status(String instanceId, String prefix, Link link, Instant since, String lastFailure,
			long published, long received, long failed, long dropped) {
	}

}
