package io.hotconnpool.pool;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * A set of HTTP status codes written the way people say them: {@code "2xx"}, {@code "3xx"}, {@code "404"},
 * {@code "200-299"}.
 */
public final class StatusSet {

	private final BitSet codes;

	private final List<String> spec;

	private StatusSet(BitSet codes, List<String> spec) {
		this.codes = codes;
		this.spec = List.copyOf(spec);
	}

	/**
	 * Parses a list of status specifications.
	 * @param specs entries such as {@code "2xx"}, {@code "403"} or {@code "500-503"}
	 * @return the set
	 * @throws IllegalArgumentException naming the entry that is not a status, a class or a range of 100..599
	 */
	public static StatusSet of(String... specs) {
		return of(List.of(specs));
	}

	/**
	 * Parses a list of status specifications.
	 * @param specs entries such as {@code "2xx"}, {@code "403"} or {@code "500-503"}
	 * @return the set
	 * @throws IllegalArgumentException naming the entry that is not a status, a class or a range of 100..599
	 */
	public static StatusSet of(List<String> specs) {
		BitSet codes = new BitSet(600);
		List<String> normalized = new ArrayList<>();
		for (String raw : specs) {
			String entry = (raw != null) ? raw.trim().toLowerCase(Locale.ROOT) : "";
			int dash = entry.indexOf('-');
			if (entry.length() == 3 && entry.endsWith("xx")) {
				int first = parseCode(entry.charAt(0) + "00", raw);
				codes.set(first, first + 100);
			}
			else if (dash > 0) {
				int from = parseCode(entry.substring(0, dash), raw);
				int to = parseCode(entry.substring(dash + 1), raw);
				if (from > to) {
					throw new IllegalArgumentException("Status range '" + raw + "' runs backwards");
				}
				codes.set(from, to + 1);
			}
			else {
				codes.set(parseCode(entry, raw));
			}
			normalized.add(entry);
		}
		return new StatusSet(codes, normalized);
	}

	private static int parseCode(String text, String raw) {
		try {
			int code = Integer.parseInt(text);
			if (code >= 100 && code <= 599) {
				return code;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw new IllegalArgumentException(
				"'" + raw + "' is not an HTTP status (100-599), a class such as '2xx' or a range such as '500-503'");
	}

	/**
	 * Whether the status is in this set.
	 * @param status an HTTP status code
	 * @return {@code true} if it is
	 */
	public boolean contains(int status) {
		return status >= 0 && this.codes.get(status);
	}

	/**
	 * Whether the set holds no status at all.
	 * @return {@code true} if empty
	 */
	public boolean isEmpty() {
		return this.codes.isEmpty();
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof StatusSet that && this.codes.equals(that.codes);
	}

	@Override
	public int hashCode() {
		return this.codes.hashCode();
	}

	@Override
	public String toString() {
		return String.join(",", this.spec);
	}

}
