package io.hotconnpool.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches unless {@code hotconnpool.enabled} is false. The value is bound like every other property, so one that
 * is not a boolean ({@code maybe}) fails start-up with Spring Boot's binding report, where
 * {@code @ConditionalOnBooleanProperty} would take it for {@code false} and switch the pool off without a word.
 */
class OnHotConnPoolEnabledCondition extends SpringBootCondition {

	private static final String PROPERTY = "hotconnpool.enabled";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		boolean enabled = Binder.get(context.getEnvironment()).bind(PROPERTY, Boolean.class).orElse(true);
		ConditionMessage.Builder message = ConditionMessage.forCondition("hotconnpool");
		return enabled ? ConditionOutcome.match(message.because(PROPERTY + " is not false"))
				: ConditionOutcome.noMatch(message.because(PROPERTY + " is false"));
	}

}
