package io.hotconnpool.autoconfigure;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when a boolean property is true, or unset and its default is true. The value is bound like every other
 * property, so one that is not a boolean ({@code maybe}) fails start-up with Spring Boot's binding report, where
 * {@code @ConditionalOnBooleanProperty} would take it for {@code false} and switch the feature off without a word.
 */
@RequiredArgsConstructor(access = AccessLevel.PROTECTED)
public abstract class StrictBooleanPropertyCondition extends SpringBootCondition {

	/** What the property switches, for the condition report. */
	private final String name;

	/** The property's full name. */
	private final String property;

	/** Its value when unset. */
	private final boolean defaultValue;

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		boolean enabled = Binder.get(context.getEnvironment()).bind(this.property, Boolean.class).orElse(this.defaultValue);
		ConditionMessage.Builder message = ConditionMessage.forCondition(this.name);
		return enabled ? ConditionOutcome.match(message.because(this.property + " is true"))
				: ConditionOutcome.noMatch(message.because(this.property + " is false"));
	}

}
