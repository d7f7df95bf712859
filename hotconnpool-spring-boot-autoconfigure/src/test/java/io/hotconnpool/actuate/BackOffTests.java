package io.hotconnpool.actuate;

import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tests of an optional actuator auto-configuration: a runner with it (and no pool), and one parameterised test
 * that its bean is absent in each case of the subclass's static {@code backOffs()}, each case turning the runner into
 * one where the auto-configuration must back off.
 */
abstract class BackOffTests {

	/** The auto-configuration under test, no pool. */
	final ApplicationContextRunner runner;

	private final Class<?> bean;

	BackOffTests(Class<?> bean, ApplicationContextRunner runner) {
		this.bean = bean;
		this.runner = runner;
	}

	@ParameterizedTest(name = "absent {0}")
	@MethodSource("backOffs")
	void backsOff(UnaryOperator<ApplicationContextRunner> when) {
		when.apply(this.runner).run((context) -> assertThat(context).doesNotHaveBean(this.bean));
	}

	/** No pool bean: nothing to report on. */
	static Arguments withoutAPool() {
		return when("without a pool", UnaryOperator.identity());
	}

	/** A pool, and a property that switches the feature off. */
	static Arguments withProperty(String property) {
		return when("with " + property, (runner) -> withPool(runner).withPropertyValues(property));
	}

	/** A pool, and a library missing from the class path. */
	static Arguments without(String what, FilteredClassLoader classLoader) {
		return when("without " + what, (runner) -> withPool(runner).withClassLoader(classLoader));
	}

	/** Any other condition, named for the report. */
	static Arguments when(String name, UnaryOperator<ApplicationContextRunner> condition) {
		return Arguments.of(Named.of(name, condition));
	}

	/** The runner with a pool serving no host. */
	static ApplicationContextRunner withPool(ApplicationContextRunner runner) {
		return runner.withUserConfiguration(PoolWithoutHosts.class);
	}

}
