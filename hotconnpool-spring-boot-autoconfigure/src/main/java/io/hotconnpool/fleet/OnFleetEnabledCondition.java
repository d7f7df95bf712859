package io.hotconnpool.fleet;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code hotconnpool.fleet.enabled} is true. Bound like every other property, so a value that is not a
 * boolean fails start-up with Spring Boot's binding report instead of leaving the fleet off without a word.
 */
class OnFleetEnabledCondition extends SpringBootCondition {

	private static final String PROPERTY = "hotconnpool.fleet.enabled";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		boolean enabled = Binder.get(context.getEnvironment()).bind(PROPERTY, Boolean.class).orElse(false);
		ConditionMessage.Builder message = ConditionMessage.forCondition("hotconnpool fleet");
		return enabled ? ConditionOutcome.match(message.because(PROPERTY + " is true"))
				: ConditionOutcome.noMatch(message.because(PROPERTY + " is not true"));
	}

}
