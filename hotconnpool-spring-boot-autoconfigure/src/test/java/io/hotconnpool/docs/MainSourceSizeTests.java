package io.hotconnpool.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No main source file of any module is longer than {@value #MAX_LINES} lines: a class that grows past it has taken on
 * a second job, to be split off rather than squeezed in.
 */
class MainSourceSizeTests {

	private static final int MAX_LINES = 500;

	@Test
	void noMainSourceFileIsLongerThanTheLimit() throws IOException {
		List<Path> sources;
		try (Stream<Path> files = Files.walk(DocumentationTests.repository())) {
			sources = files.filter((path) -> path.toString().endsWith(".java"))
				.filter((path) -> path.toString().contains("/src/main/java/"))
				.toList();
		}
		Map<Path, Long> lines = sources.stream().collect(Collectors.toMap(Function.identity(), MainSourceSizeTests::lines));

		assertThat(sources).as("main sources of every module").hasSizeGreaterThan(100);
		assertThat(lines).as("main sources over %d lines", MAX_LINES).allSatisfy((path, count) -> assertThat(count)
			.as(path.toString())
			.isLessThanOrEqualTo(MAX_LINES));
	}

	private static long lines(Path path) {
		try (Stream<String> lines = Files.lines(path)) {
			return lines.count();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
