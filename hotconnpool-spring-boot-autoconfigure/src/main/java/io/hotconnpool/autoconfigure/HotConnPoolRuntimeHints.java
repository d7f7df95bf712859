package io.hotconnpool.autoconfigure;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.util.ClassUtils;

/**
 * Runtime hints for Spring AOT (registered in {@code META-INF/spring/aot.factories}): what is read reflectively and
 * that Spring's AOT processing cannot see by itself. The actuator endpoint's return types are registered by Boot
 * from their operations, the properties by Boot's configuration properties processing, the failure analyzers by
 * Spring's {@code spring.factories} hints. Left here: the per-host health details, serialised by Jackson from a map,
 * and Conscrypt's native libraries, loaded as class-path resources.
 * <p>
 * The pool runs with AOT on the JVM, where the configuration's own reflective walks over its fields (the copy a pool
 * runs on, the duration checks) need no hint. A GraalVM native image is not supported: Conscrypt's JNI library calls
 * back into Java, which needs JNI configuration Conscrypt does not ship.
 */
class HotConnPoolRuntimeHints implements RuntimeHintsRegistrar {

	private static final String HOST_HEALTH = "io.hotconnpool.actuate.HotConnPoolHealthIndicator$HostHealth";

	@Override
	public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
		hints.resources().registerPattern("META-INF/native/*conscrypt_openjdk_jni*");
		if (ClassUtils.isPresent(HOST_HEALTH, classLoader)) {
			new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(),
					ClassUtils.resolveClassName(HOST_HEALTH, classLoader));
		}
	}

}
