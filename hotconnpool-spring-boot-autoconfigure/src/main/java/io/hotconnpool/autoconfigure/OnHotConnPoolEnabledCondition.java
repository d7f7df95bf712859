package io.hotconnpool.autoconfigure;

/** Matches unless {@code hotconnpool.enabled} is false; a value that is not a boolean fails start-up. */
class OnHotConnPoolEnabledCondition extends StrictBooleanPropertyCondition {

	OnHotConnPoolEnabledCondition() {
		super("hotconnpool", "hotconnpool.enabled", true);
	}

}
