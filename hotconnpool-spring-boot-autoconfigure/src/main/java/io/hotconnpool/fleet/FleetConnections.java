package io.hotconnpool.fleet;

import java.util.function.Consumer;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

/**
 * A fleet's own two connections on the application's Lettuce client (a server's, Sentinel's or a cluster's): one
 * for commands, and one subscription whose messages on the events channel go to a consumer on the driver's thread
 * that reads them. The driver reconnects both after an outage, and subscribes again.
 */
final class FleetConnections implements AutoCloseable {

	private final StatefulConnection<String, String> connection;

	private final RedisClusterAsyncCommands<String, String> commands;

	private final StatefulRedisPubSubConnection<String, String> subscription;

	private FleetConnections(StatefulConnection<String, String> connection,
			RedisClusterAsyncCommands<String, String> commands,
			StatefulRedisPubSubConnection<String, String> subscription) {
		this.connection = connection;
		this.commands = commands;
		this.subscription = subscription;
	}

	/**
	 * Opens both connections; {@link #subscribe} then subscribes.
	 * @param client the application's Lettuce client
	 * @param events the channel whose messages go to the receiver
	 * @param receiver takes each message of that channel, on the driver's thread: it must not block
	 * @return the open connections
	 */
	static FleetConnections open(AbstractRedisClient client, String events, Consumer<String> receiver) {
		StatefulConnection<String, String> connection;
		RedisClusterAsyncCommands<String, String> commands;
		if (client instanceof RedisClusterClient cluster) {
			StatefulRedisClusterConnection<String, String> clusterConnection = cluster.connect(StringCodec.UTF8);
			connection = clusterConnection;
			commands = clusterConnection.async();
		}
		else {
			StatefulRedisConnection<String, String> serverConnection = ((RedisClient) client).connect(StringCodec.UTF8);
			connection = serverConnection;
			commands = serverConnection.async();
		}
		StatefulRedisPubSubConnection<String, String> subscription;
		try {
			subscription = (client instanceof RedisClusterClient cluster) ? cluster.connectPubSub(StringCodec.UTF8)
					: ((RedisClient) client).connectPubSub(StringCodec.UTF8);
		}
		catch (RuntimeException ex) {
			connection.closeAsync();
			throw ex;
		}
		subscription.addListener(new RedisPubSubAdapter<>() {

			@Override
			public void message(String channel, String message) {
				if (events.equals(channel)) {
					receiver.accept(message);
				}
			}

		});
		return new FleetConnections(connection, commands, subscription);
	}

	/** Subscribes to the channels; the answer completes once Redis confirmed. */
	RedisFuture<Void> subscribe(String... channels) {
		return this.subscription.async().subscribe(channels);
	}

	/** The commands, sent without waiting on the connection for commands. */
	RedisClusterAsyncCommands<String, String> commands() {
		return this.commands;
	}

	/** Closes both without waiting; unanswered commands end exceptionally. */
	@Override
	public void close() {
		this.connection.closeAsync();
		this.subscription.closeAsync();
	}

}
