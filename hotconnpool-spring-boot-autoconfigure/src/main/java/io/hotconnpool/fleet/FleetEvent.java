package io.hotconnpool.fleet;

import java.time.Instant;
import java.util.regex.Pattern;

/**
 * What the fleet stores and publishes: one line of tab-separated fields, nothing but host, IP, reason, times and the
 * reporting instance. A blacklisting is {@code blacklisted host ip since-ms until-ms instance reason} (also the value
 * of its entry key), a restoration {@code restored host ip at-ms instance}.
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

	/** IPv4 digits and dots, or IPv6 hex digits with at least one colon: never a name that would be looked up. */
	private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9a-fA-F.]*:[0-9a-fA-F:.]*");

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
	 * Reads an event.
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
		if (!IP_LITERAL.matcher(fields[2]).matches()) {
			throw new IllegalArgumentException("Not an IP address in a hotconnpool fleet event: " + abbreviate(text));
		}
		try {
			Instant since = Instant.ofEpochMilli(Long.parseLong(fields[3]));
			return blacklisted
					? blacklisted(fields[1], fields[2], since, Instant.ofEpochMilli(Long.parseLong(fields[4])),
							fields[5], fields[6])
					: restored(fields[1], fields[2], since, fields[4]);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("Not a time in a hotconnpool fleet event: " + abbreviate(text), ex);
		}
	}

	private static String millis(Instant instant) {
		return Long.toString(instant.toEpochMilli());
	}

	private static String abbreviate(String text) {
		return (text.length() <= 200) ? text : text.substring(0, 200) + "...";
	}

}
