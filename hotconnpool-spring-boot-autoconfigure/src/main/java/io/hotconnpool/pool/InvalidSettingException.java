package io.hotconnpool.pool;

import java.util.Objects;

/**
 * A pool setting has a value the pool cannot work with. The message names the setting, the value and what is
 * expected; start-up failure analysis shows it to the user.
 */
public class InvalidSettingException extends IllegalArgumentException {

	/** Shown in place of a value that may be a secret, as Spring Boot's sanitizer shows one. */
	private static final String HIDDEN_VALUE = "******";

	private final String setting;

	private final transient Object value;

	private final String expected;

	private final boolean valueHidden;

	/**
	 * Creates the exception.
	 * @param setting the property name, for example {@code hotconnpool.connections-per-ip}
	 * @param value the rejected value
	 * @param expected what a valid value looks like
	 */
	public InvalidSettingException(String setting, Object value, String expected) {
		this(setting, value, expected, false);
	}

	private InvalidSettingException(String setting, Object value, String expected, boolean valueHidden) {
		super("Invalid value '" + value + "' for " + setting + ": expected " + expected);
		this.setting = Objects.requireNonNull(setting, "setting");
		this.value = value;
		this.expected = expected;
		this.valueHidden = valueHidden;
	}

	/**
	 * Creates the exception for a setting whose value may be a secret, such as a header value: the message and
	 * {@link #getValue()} show {@code ******} in its place, and a report must not look the value up either.
	 * @param setting the property name
	 * @param expected what a valid value looks like, without the value
	 * @return the exception
	 */
	public static InvalidSettingException hidingValue(String setting, String expected) {
		return new InvalidSettingException(setting, HIDDEN_VALUE, expected, true);
	}

	/** The setting's property name. */
	public String getSetting() {
		return this.setting;
	}

	/** The rejected value, or {@code ******} when it {@link #isValueHidden() is hidden}. */
	public Object getValue() {
		return this.value;
	}

	/** Whether the value may be a secret, not to be shown or looked up where it was set. */
	public boolean isValueHidden() {
		return this.valueHidden;
	}

	/** What a valid value looks like. */
	public String getExpected() {
		return this.expected;
	}

}
