package io.hotconnpool.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The published documentation (the repository's Markdown files and {@code docs/}) speaks of the project alone: no
 * path of a developer's machine, no scratch test names, no references to material outside the repository.
 */
class DocumentationTests {

	/** Absolute paths of a workstation, and names that only exist on one. */
	private static final Pattern WORKSTATION = Pattern
		.compile("(/work/|/root/|/home/|/tmp/|/Users/|[A-Z]:\\\\|\\.\\./shared|shared/(reference|design)|TmpTests)");

	/** The repository root: tests run in the module's directory. */
	static Path repository() {
		Path module = Path.of("").toAbsolutePath();
		return Files.exists(module.resolve("mvnw")) ? module : module.getParent();
	}

	static List<Path> documents() throws IOException {
		Path root = repository();
		List<Path> documents = new ArrayList<>();
		try (Stream<Path> top = Files.list(root); Stream<Path> docs = Files.walk(root.resolve("docs"))) {
			top.filter((path) -> path.toString().endsWith(".md")).forEach(documents::add);
			docs.filter(Files::isRegularFile).forEach(documents::add);
		}
		return documents;
	}

	@Test
	void noWorkstationPaths() throws IOException {
		List<String> found = new ArrayList<>();
		List<Path> documents = documents();
		assertThat(documents).as("README.md and docs/ found").hasSizeGreaterThan(3);
		for (Path document : documents) {
			List<String> lines = Files.readAllLines(document);
			for (int i = 0; i < lines.size(); i++) {
				Matcher matcher = WORKSTATION.matcher(lines.get(i));
				if (matcher.find()) {
					found.add(repository().relativize(document) + ":" + (i + 1) + ": " + matcher.group());
				}
			}
		}
		assertThat(found).as("workstation paths in the documentation").isEmpty();
	}

}
