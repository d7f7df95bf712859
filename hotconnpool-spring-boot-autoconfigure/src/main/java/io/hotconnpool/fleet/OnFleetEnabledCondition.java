package io.hotconnpool.fleet;

import io.hotconnpool.autoconfigure.StrictBooleanPropertyCondition;

/** Matches when {@code hotconnpool.fleet.enabled} is true; a value that is not a boolean fails start-up. */
class OnFleetEnabledCondition extends StrictBooleanPropertyCondition {

	OnFleetEnabledCondition() {
		super("hotconnpool fleet", "hotconnpool.fleet.enabled", false);
	}

}
