package io.hotconnpool.fleet;

import java.net.InetAddress;
import java.time.Instant;

import io.netty.util.NetUtil;

/**
 * What the fleet stores and publishes: one line of tab-separated fields, nothing but host, IP, reason, times and the
 * reporting instance. A blacklisting is {@code blacklisted host ip since-ms until-ms instance reason} (also the value
 * of its entry key), a restoration {@code restored host ip at-ms instance}. What is read is checked strictly: it may
 * come from another writer under the same prefix (an operator's key written by hand).
 *
 * @param blacklisted {@code true} for a blacklisting, {@code false} for a restoration
 * @param host the host key ({@code host:port})
 * @param ip the IP address, a literal
 * @param since when it was blacklisted, or restored
 * @param until when the entry expires; {@code null} for a restoration
 * @param instance the instance that reported it
 * @param reason why it was blacklisted; {@code null} for a restoration
 */
record FleetEvent(boolean blacklisted, String host, String ip, Instant since, Instant until, String instance,
		String reason) {

	private static final String BLACKLISTED = "blacklisted";

	private static final String RESTORED = "restored";

	static FleetEvent blacklisted(String host, String ip, Instant since, Instant until, String instance,
			String reason) {
		return new FleetEvent(true, host, ip, since, until, instance, reason);
	}

	static FleetEvent restored(String host, String ip, Instant at, String instance) {
		return new FleetEvent(false, host, ip, at, null, instance, null);
	}

	String encode() {
		return this.blacklisted
				? String.join("\t", BLACKLISTED, this.host, this.ip, millis(this.since), millis(this.until),
						this.instance, this.reason.replaceAll("[\\t\\r\\n]", " "))
				: String.join("\t", RESTORED, this.host, this.ip, millis(this.since), this.instance);
	}

	/**
	 * Reads an event: its IP must be an IPv4 (four decimal parts) or IPv6 literal, its times epoch milliseconds (the
	 * pool ends an entry a year ahead at the latest).
	 * @param text what {@link #encode()} wrote
	 * @return the event
	 * @throws IllegalArgumentException when the text is not an event (another writer under the same prefix)
	 */
	static FleetEvent decode(String text) {
		String[] fields = text.split("\t", 7);
		boolean blacklisted = fields[0].equals(BLACKLISTED) && fields.length == 7;
		if (!blacklisted && !(fields[0].equals(RESTORED) && fields.length == 5)) {
			throw new IllegalArgumentException("Not a hotconnpool fleet event: " + abbreviate(text));
		}
		Instant since = time(fields[3], text);
		FleetEvent event = blacklisted
				? blacklisted(fields[1], fields[2], since, time(fields[4], text),
						fields[5], fields[6])
				: restored(fields[1], fields[2], since, fields[4]);
		if (event.address() == null) {
			throw new IllegalArgumentException("Not an IP address in a hotconnpool fleet event: " + abbreviate(text));
		}
		return event;
	}

	/**
	 * The IP, parsed as a literal: unlike {@link InetAddress#getByName}, never a DNS look-up for what is not one.
	 * @return the address; {@code null} when the IP is not a literal ({@link #decode} never returns such an event)
	 */
	InetAddress address() {
		return NetUtil.createInetAddressFromIpAddressString(this.ip);
	}

	private static Instant time(String field, String text) {
		long millis;
		try {
			millis = Long.parseLong(field);
		}
		catch (NumberFormatException ex) {
			millis = -1;
		}
		if (millis < 0) { // no fleet time is before 1970; far before, the pool's clock arithmetic would overflow
			throw new IllegalArgumentException("Not a time in a hotconnpool fleet event: " + abbreviate(text));
		}
		return Instant.ofEpochMilli(millis);
	}

	private static String millis(Instant instant) {
		return Long.toString(instant.toEpochMilli());
	}

	private static String abbreviate(String text) {
		return (text.length() <= 200) ? text : text.substring(0, 200) + "...";
	}

}
