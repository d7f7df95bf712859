package io.hotconnpool.sample;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/**
 * A real browser for tests: Debian's {@code chromium} run headless on one URL, answering the DOM as it stands after
 * the page's scripts have run for a bounded virtual time, and optionally a screenshot. Each run is one process with
 * its own profile directory, bounded by a timeout and destroyed (with its children) whatever happens.
 */
final class HeadlessChromium {

	/** Names the executable explicitly (system property or environment variable); else the PATH is searched. */
	static final String EXECUTABLE = "HOTCONNPOOL_CHROMIUM";

	/** {@code true} (system property or environment variable): a missing browser fails the test instead of skipping it. */
	static final String REQUIRE = "HOTCONNPOOL_REQUIRE_BROWSER";

	private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome");

	/** Generous: the browser starts in about 2 s on a quiet machine, and the CI machine is shared. */
	private static final Duration TIMEOUT = Duration.ofSeconds(90);

	/** Virtual time the page runs before the DOM is taken: the first poll and at least one more. */
	private static final Duration VIRTUAL_TIME = Duration.ofMillis(2500);

	private final Path executable;

	private HeadlessChromium(Path executable) {
		this.executable = executable;
	}

	/** The browser named by {@value #EXECUTABLE}, else the first of chromium, chromium-browser, google-chrome on the PATH. */
	static Optional<HeadlessChromium> find() {
		String configured = setting(EXECUTABLE);
		Stream<Path> candidates = (configured != null) ? Stream.of(Path.of(configured))
				: Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
					.filter((directory) -> !directory.isEmpty())
					.flatMap((directory) -> NAMES.stream().map((name) -> Path.of(directory, name)));
		return candidates.filter(Files::isExecutable).findFirst().map(HeadlessChromium::new);
	}

	/** Whether {@value #REQUIRE} is {@code true}. */
	static boolean required() {
		return Boolean.parseBoolean(setting(REQUIRE));
	}

	private static String setting(String name) {
		String value = System.getProperty(name);
		return (value != null && !value.isBlank()) ? value : System.getenv(name);
	}

	/**
	 * Loads {@code url}, lets its scripts run, and parses the DOM the browser dumps.
	 * @param url the page
	 * @param screenshot where to write a PNG of the page, or {@code null}
	 * @param work an empty directory for the browser's profile and output
	 * @return the rendered DOM
	 */
	Document render(String url, Path screenshot, Path work) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(this.executable.toString(), "--headless", "--no-sandbox",
				"--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-extensions",
				"--no-first-run", "--no-default-browser-check", "--no-proxy-server", "--mute-audio",
				"--user-data-dir=" + work.resolve("profile"), "--window-size=1200,1500",
				"--virtual-time-budget=" + VIRTUAL_TIME.toMillis()));
		if (screenshot != null) {
			Files.createDirectories(screenshot.toAbsolutePath().getParent());
			command.add("--screenshot=" + screenshot.toAbsolutePath());
		}
		command.add("--dump-dom");
		command.add(url);
		Path dom = work.resolve("dom.html");
		Path log = work.resolve("chromium.log");
		Process process = new ProcessBuilder(command).redirectOutput(dom.toFile())
			.redirectError(log.toFile())
			.start();
		try {
			if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new AssertionError("chromium did not render " + url + " within " + TIMEOUT + ": " + tail(log));
			}
			if (process.exitValue() != 0) {
				throw new AssertionError("chromium exited with " + process.exitValue() + " on " + url + ": " + tail(log));
			}
			return Jsoup.parse(dom.toFile(), StandardCharsets.UTF_8.name(), url);
		}
		finally {
			process.descendants().forEach(ProcessHandle::destroyForcibly);
			process.destroyForcibly();
		}
	}

	private static String tail(Path log) throws IOException {
		List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
		return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
	}

	@Override
	public String toString() {
		return this.executable.toString();
	}

}
