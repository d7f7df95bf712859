package io.hotconnpool.pool;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.hotconnpool.autoconfigure.HotConnPoolLifecycle;
import io.hotconnpool.tls.TlsContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pool and TLS packages are plain Java: no class of theirs names a Spring type, so that the pool runs without
 * Spring and the starter's adapters ({@link HotConnPoolLifecycle}, the scheduler) stay the only link. Reads the
 * compiled classes: a Spring type used anywhere (field, signature, annotation, call) is named in the constant pool.
 */
class SpringFreeCoreTests {

	private static final String SPRING = "org/springframework/";

	@Test
	void noPoolOrTlsClassNamesASpringType() throws Exception {
		List<Path> classes = classesOf(HotConnPool.class);
		classes.addAll(classesOf(TlsContext.class));

		assertThat(classes).hasSizeGreaterThan(50);
		assertThat(classes).as("classes of io.hotconnpool.pool and io.hotconnpool.tls naming " + SPRING)
			.filteredOn(SpringFreeCoreTests::namesSpring)
			.isEmpty();
	}

	@Test
	void theScanFindsASpringType() throws Exception {
		assertThat(classesOf(HotConnPoolLifecycle.class)).filteredOn(SpringFreeCoreTests::namesSpring).isNotEmpty();
	}

	private static List<Path> classesOf(Class<?> anchor) throws IOException, URISyntaxException {
		Path root = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
		try (Stream<Path> files = Files.list(root.resolve(anchor.getPackageName().replace('.', '/')))) {
			return files.filter((file) -> file.toString().endsWith(".class"))
				.collect(Collectors.toCollection(ArrayList::new));
		}
	}

	private static boolean namesSpring(Path classFile) {
		try {
			return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains(SPRING);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
