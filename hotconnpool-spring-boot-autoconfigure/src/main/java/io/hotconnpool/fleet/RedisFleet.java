package io.hotconnpool.fleet;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import io.hotconnpool.fleet.FleetStatus.Link;
import io.hotconnpool.pool.BlacklistedIp;
import io.hotconnpool.pool.HostStats;
import io.hotconnpool.pool.HotConnPool;
import io.hotconnpool.pool.HotConnPoolListener;
import io.hotconnpool.pool.ReprobeGate;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Shares a {@link HotConnPool}'s blacklist with the other instances of a fleet through Redis (Lettuce).
 * <ul>
 * <li>An IP this pool blacklists is written to {@code <prefix>:blacklist:<host>/<ip>} with the entry's end as the
 * key's expiry ({@code SET PXAT}) and published on {@code <prefix>:events}, in one script; every other instance
 * applies it at once ({@link HotConnPool#blacklist}), and loads the current entries when it starts.</li>
 * <li>When an entry expires, the instance that takes {@code <prefix>:reprobe:<host>/<ip>} ({@code SET NX PX}) re-probes
 * the IP; the others wait for the outcome it publishes: restored, or blacklisted for another TTL.</li>
 * <li>Redis is never in the pool's way. An event is written on the reporting thread to the fleet's own connection
 * without waiting for the answer; at most {@code queue-capacity} are unanswered (past it they are dropped and
 * counted), and they are cancelled when the heartbeat behind them is not answered within {@code command-timeout}.
 * What others publish is applied on the driver's thread that reads it, without a hand-off: a host's lock and
 * closing idle sockets, no Redis and no waiting. Without Redis each instance keeps its own blacklist and re-probes
 * on its own. The heartbeat finds the link down (logged once) and back, and then resynchronises: it publishes this
 * instance's own entries and applies everyone else's.</li>
 * </ul>
 * What is stored and published is one line per entry: host, IP, since, until, instance id and reason
 * ({@link FleetEvent}); nothing else, and nothing secret.
 * <p>
 * Register it on the pool as a listener and as its re-probe gate; it starts after the pool and stops before it.
 */
public final class RedisFleet implements HotConnPoolListener, ReprobeGate, SmartLifecycle {

	private static final Log logger = LogFactory.getLog(RedisFleet.class);

	/**
	 * {@code SET key event PXAT until} ({@code DEL key} for a restoration), then {@code PUBLISH channel event}:
	 * KEYS[1] the entry's key, ARGV the event, its end in epoch milliseconds (empty for a restoration) and the
	 * channel. Answers how many instances got it.
	 */
	private static final String SEND = """
			if ARGV[2] == '' then redis.call('DEL', KEYS[1])
			else redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2]) end
			return redis.call('PUBLISH', ARGV[3], ARGV[1])""";

	private final Supplier<HotConnPool> pool;

	private final FleetProperties settings;

	private final LettuceConnectionFactory connectionFactory;

	/**
	 * Connects, checks the link and resynchronises; the only thread of the fleet that waits for Redis. Made by each
	 * start and shut down by each stop, so the context can stop and start the fleet again.
	 */
	private volatile ScheduledExecutorService heartbeats;

	private final IntSupplier poolPhase;

	private final String channel;

	/** This instance's own heartbeat channel: a publication there that reaches no one means it is not subscribed. */
	private final String heartbeatChannel;

	private final LongAdder published = new LongAdder();

	private final LongAdder received = new LongAdder();

	private final LongAdder failed = new LongAdder();

	private final LongAdder dropped = new LongAdder();

	/**
	 * Events sent and not yet answered, at most {@code queue-capacity}: cancelled when the heartbeat, behind them on
	 * the same connection, is not answered within {@code command-timeout}.
	 */
	private final Set<RedisFuture<Long>> unanswered = ConcurrentHashMap.newKeySet();

	/** The fleet's own connections, opened by the heartbeat thread; the driver reconnects them after an outage. */
	private volatile FleetConnections connections;

	private volatile Link link = Link.CONNECTING;

	private volatile Instant linkSince = Instant.now();

	private volatile String lastFailure;

	/** Set when an event was lost (dropped, unreadable): the next heartbeat resynchronises. */
	private final AtomicBoolean resyncNeeded = new AtomicBoolean();

	private final AtomicBoolean ignoredLogged = new AtomicBoolean();

	private volatile boolean running;

	/**
	 * Creates the fleet link; {@link #start()} connects it.
	 * @param pool the pool, looked up at start (the pool is built with this fleet among its listeners)
	 * @param poolPhase the lifecycle phase of the pool, looked up at start
	 * @param connectionFactory the application's Redis connection factory, whose client the fleet connects with
	 * @param settings the fleet's properties, validated here
	 * @throws io.hotconnpool.pool.InvalidSettingException naming the first invalid property
	 */
	public RedisFleet(Supplier<HotConnPool> pool, IntSupplier poolPhase, LettuceConnectionFactory connectionFactory,
			FleetProperties settings) {
		this.pool = Objects.requireNonNull(pool, "pool");
		this.poolPhase = Objects.requireNonNull(poolPhase, "poolPhase");
		this.settings = Objects.requireNonNull(settings, "settings").validate();
		this.connectionFactory = Objects.requireNonNull(connectionFactory, "connectionFactory");
		this.channel = settings.prefix() + ":events";
		this.heartbeatChannel = settings.prefix() + ":heartbeat:" + settings.instanceId();
	}

	// ---- the pool's events: sent without waiting ----------------------------------------------------------

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
		FleetConnections redis = this.connections;
		if (!this.running || this.link != Link.UP || redis == null) {
			this.dropped.increment(); // this instance's entries are published again when the link is back
			return;
		}
		if (event.blacklisted() && !event.until().isAfter(Instant.now())) {
			return; // expired on its way
		}
		if (this.unanswered.size() >= this.settings.queueCapacity()) {
			lost();
			return;
		}
		RedisFuture<Long> sent = send(redis.commands(), event);
		this.unanswered.add(sent);
		sent.whenComplete((listening, failure) -> {
			this.unanswered.remove(sent);
			if (failure == null) {
				this.published.increment();
			}
			else { // a burst may outlast the driver's timeout: the heartbeat judges the link, a resync the loss
				this.failed.increment();
				this.lastFailure = failure.toString();
				this.resyncNeeded.set(true);
			}
		});
	}

	/**
	 * Stores the entry until it ends (or removes it) and publishes the event, in one command ({@link #SEND}): one
	 * write, stored before published, so that an instance that subscribes and loads meanwhile misses neither.
	 */
	private RedisFuture<Long> send(RedisClusterAsyncCommands<String, String> redis, FleetEvent event) {
		String until = event.blacklisted() ? Long.toString(event.until().toEpochMilli()) : "";
		return redis.eval(SEND, ScriptOutputType.INTEGER, new String[] { key("blacklist", event.host(), event.ip()) },
				event.encode(), until, this.channel);
	}

	// ---- who re-probes ----------------------------------------------------------------------------------

	/**
	 * Takes the IP's re-probe lock ({@code SET NX PX reprobe-lock}): {@code true} for the one instance that gets
	 * it. Without a link to Redis, or when Redis does not answer within {@code command-timeout}, this instance
	 * re-probes on its own.
	 */
	@Override
	public CompletionStage<Boolean> mayReprobe(String host, String ip) {
		FleetConnections redis = this.connections;
		if (!this.running || this.link != Link.UP || redis == null) {
			return CompletableFuture.completedFuture(true);
		}
		RedisFuture<String> lock = redis.commands()
			.set(key("reprobe", host, ip), this.settings.instanceId(),
					SetArgs.Builder.nx().px(this.settings.reprobeLock().toMillis()));
		return lock.toCompletableFuture()
			.orTimeout(this.settings.commandTimeout().toNanos(), TimeUnit.NANOSECONDS)
			.handle((reply, failure) -> {
				if (failure != null) {
					lock.cancel(true);
					failed(failure);
					return true;
				}
				return "OK".equals(reply);
			});
	}

	// ---- what others publish ----------------------------------------------------------------------------

	/** On the driver's thread that read it: applying is a host's lock and closing idle sockets, nothing more. */
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
			ignored("what it cannot read", ex.getMessage() + " (another writer?)");
			return null;
		}
	}

	/**
	 * Applies another instance's event to the pool; whether it changed anything. One that fails costs itself only:
	 * never the driver's thread, nor the entries after it in a resynchronisation.
	 */
	private boolean apply(FleetEvent event) {
		try {
			HotConnPool target = this.pool.get();
			return event.blacklisted()
					? target.blacklist(event.host(), event.address(), event.reason(), event.until(), event.instance())
					: target.unblacklist(event.host(), event.address(), event.instance());
		}
		catch (RuntimeException ex) {
			ignored("an event it cannot apply",
					event.host() + " " + event.ip() + " from " + event.instance() + ": " + ex);
			return false;
		}
	}

	/** Counted as failed, logged once: what others wrote never takes this instance's link down. */
	private void ignored(String what, String detail) {
		this.failed.increment();
		if (this.ignoredLogged.compareAndSet(false, true)) {
			logger.warn("hotconnpool fleet ignores " + what + " under the prefix '" + this.settings.prefix() + "': "
					+ detail + " (logged once)");
		}
	}

	// ---- the link: heartbeat, down and back, resynchronisation -----------------------------------------

	/**
	 * Connects if not yet connected, then publishes a heartbeat on this instance's own channel: Redis answers how
	 * many subscribers got it, so it proves both that commands go through and that this instance hears the fleet
	 * (the driver resubscribes on its own after an outage). An answer after the link was down, or after an event
	 * was lost, resynchronises. Waits at most {@code command-timeout} per command, on this thread only.
	 */
	private void heartbeat() {
		try {
			FleetConnections redis = this.connections;
			if (redis == null) {
				redis = connect();
			}
			Long listening = await(redis.commands().publish(this.heartbeatChannel, ""));
			if (listening == null || listening == 0) {
				if (this.link != Link.CONNECTING) { // at start the subscription may still be on its way
					failed(new IllegalStateException("not subscribed to " + this.channel));
				}
			}
			else if (this.link != Link.UP || this.resyncNeeded.getAndSet(false)) {
				resynchronise(redis.commands());
			}
		}
		catch (Exception ex) {
			failed(ex);
		}
	}

	/** Opens the fleet's connections with the application's Lettuce client, and subscribes. */
	private FleetConnections connect() throws Exception {
		FleetConnections connected = FleetConnections.open(this.connectionFactory.getRequiredNativeClient(),
				this.channel, this::receive);
		try {
			await(connected.subscribe(this.channel, this.heartbeatChannel));
			if (!this.running) {
				throw new IllegalStateException("hotconnpool fleet stopped while connecting");
			}
		}
		catch (Exception ex) {
			connected.close();
			throw ex;
		}
		this.connections = connected;
		return connected;
	}

	/**
	 * Publishes this instance's own entries (some may have been lost while the link was down) and applies every
	 * other instance's entry stored in Redis. The link is up from the start of it, so that events meanwhile are
	 * sent behind it.
	 */
	private void resynchronise(RedisClusterAsyncCommands<String, String> redis) throws Exception {
		Link before = this.link;
		setLink(Link.UP);
		int pushed = 0;
		Instant now = Instant.now();
		for (HostStats host : this.pool.get().stats().hosts()) {
			for (BlacklistedIp entry : host.blacklisted()) {
				if (entry.source() == null && entry.until().isAfter(now)) {
					await(send(redis, FleetEvent.blacklisted(host.host() + ":" + host.port(), entry.ip(),
							entry.since(), entry.until(), this.settings.instanceId(), entry.reason())));
					pushed++;
				}
			}
		}
		List<String> keys = new ArrayList<>();
		ScanArgs pattern = ScanArgs.Builder.matches(this.settings.prefix() + ":blacklist:*").limit(1000);
		ScanCursor cursor = ScanCursor.INITIAL;
		do {
			KeyScanCursor<String> page = await(redis.scan(cursor, pattern));
			keys.addAll(page.getKeys());
			cursor = page;
		}
		while (!cursor.isFinished());
		int applied = 0;
		for (KeyValue<String, String> value : keys.isEmpty() ? List.<KeyValue<String, String>>of()
				: await(redis.mget(keys.toArray(String[]::new)))) {
			FleetEvent event = value.hasValue() ? read(value.getValue()) : null;
			if (event != null && !event.instance().equals(this.settings.instanceId()) && apply(event)) {
				applied++;
			}
		}
		String line = "hotconnpool fleet " + this.settings.instanceId() + " synchronised with Redis: published "
				+ pushed + " own entries, applied " + applied + " of " + keys.size() + " stored";
		logger.info((before == Link.DOWN) ? "hotconnpool fleet link to Redis is back; " + line : line);
	}

	/** The command's answer within {@code command-timeout}, on the heartbeat thread; else it is cancelled. */
	private <T> T await(RedisFuture<T> command) throws Exception {
		try {
			return command.get(this.settings.commandTimeout().toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
		catch (TimeoutException ex) {
			throw new TimeoutException("Redis did not answer within " + this.settings.commandTimeout());
		}
		finally {
			command.cancel(true); // answered: no effect; else never sent late, after the link came back
		}
	}

	/** An event did not fit: counted, and the next heartbeat resynchronises. */
	private void lost() {
		this.dropped.increment();
		this.resyncNeeded.set(true);
	}

	private void failed(Throwable failure) {
		this.failed.increment();
		this.lastFailure = failure.toString();
		Link before = this.link;
		if (before != Link.DOWN && this.running) {
			setLink(Link.DOWN);
			this.unanswered.forEach((command) -> command.cancel(true)); // never sent late, after the link came back
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

	/** Connects, subscribes, loads the stored entries and checks the link every {@code heartbeat-interval}. */
	@Override
	public void start() {
		if (this.running) {
			return;
		}
		this.running = true;
		this.heartbeats = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "hotconnpool-fleet");
			thread.setDaemon(true);
			return thread;
		});
		long interval = this.settings.heartbeatInterval().toNanos();
		this.heartbeats.scheduleWithFixedDelay(this::heartbeat, 0, interval, TimeUnit.NANOSECONDS);
	}

	/** Stops checking and closes the fleet's connections; commands in flight are cancelled. */
	@Override
	public void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		this.heartbeats.shutdownNow();
		try {
			if (!this.heartbeats.awaitTermination(this.settings.commandTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
				logger.debug("hotconnpool fleet heartbeat did not stop within the command timeout");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		FleetConnections redis = this.connections;
		if (redis != null) {
			this.connections = null;
			redis.close();
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
	public FleetStatus status() {
		return new FleetStatus(this.settings.instanceId(), this.settings.prefix(), this.link, this.linkSince,
				this.lastFailure, this.published.sum(), this.received.sum(), this.failed.sum(), this.dropped.sum());
	}

}
