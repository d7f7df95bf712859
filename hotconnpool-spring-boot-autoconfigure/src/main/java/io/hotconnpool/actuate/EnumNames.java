package io.hotconnpool.actuate;

import java.util.Locale;

/** The one spelling of enum constants in JSON and tag values: lower case, words joined by '-'. */
final class EnumNames {

	private EnumNames() {
	}

	static String of(Enum<?> value) {
		return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
