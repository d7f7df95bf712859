package io.hotconnpool.fleet;

import java.time.Instant;

/**
 * A snapshot of an instance's link to its fleet, from {@link RedisFleet#status()}.
 *
 * @param instanceId this instance's id
 * @param prefix the key and channel prefix
 * @param link the link's state
 * @param since when it entered that state
 * @param lastFailure the last Redis failure, or {@code null}
 * @param published events this instance published (its blacklistings and restorations)
 * @param received events of other instances received
 * @param failed Redis commands that failed or timed out, and stored or received entries that could not be read or
 * applied
 * @param dropped events not published: too many unanswered or the link down (resynchronised later)
 */
public record FleetStatus(String instanceId, String prefix, Link link, Instant since, String lastFailure,
		long published, long received, long failed, long dropped) {

	/** The state of an instance's link to Redis. */
	public enum Link {

		/** Started, no answer from Redis yet. */
		CONNECTING,

		/** Redis answers: events are published and received. */
		UP,

		/** Redis failed or did not answer in time: the instance goes on with its own blacklist. */
		DOWN

	}

}
