package io.hotconnpool.pool;

import java.util.Objects;

/**
 * A pool setting has a value the pool cannot work with. The message names the setting, the value and what is
 * expected; start-up failure analysis shows it to the user.
 */
public class InvalidSettingException extends IllegalArgumentException {

	private final String setting;

	private final transient Object value;

	private final String expected;

	/**
	 * Creates the exception.
	 * @param setting the property name, for example {@code hotconnpool.connections-per-ip}
	 * @param value the rejected value
	 * @param expected what a valid value looks like
	 */
	public InvalidSettingException(String setting, Object value, String expected) {
		super("Invalid value '" + value + "' for " + setting + ": expected " + expected);
		this.setting = Objects.requireNonNull(setting, "setting");
		this.value = value;
		this.expected = expected;
	}

	/** The setting's property name. */
	public String getSetting() {
		return this.setting;
	}

	/** The rejected value. */
	public Object getValue() {
		return this.value;
	}

	/** What a valid value looks like. */
	public String getExpected() {
		return this.expected;
	}

}
