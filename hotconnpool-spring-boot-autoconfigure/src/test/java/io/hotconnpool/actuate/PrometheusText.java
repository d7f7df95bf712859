package io.hotconnpool.actuate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Samples of a Prometheus text-format scrape, for asserting values, and the format check by {@code promtool}.
 */
final class PrometheusText {

	private final List<Sample> samples;

	private PrometheusText(List<Sample> samples) {
		this.samples = samples;
	}

	/** Reads the samples: {@code name{label="value",...} number}; comments and blank lines skipped. */
	static PrometheusText parse(String text) {
		List<Sample> samples = new ArrayList<>();
		for (String line : text.split("\n")) {
			if (line.isBlank() || line.startsWith("#")) {
				continue;
			}
			int brace = line.indexOf('{');
			int space = line.lastIndexOf(' ');
			String name = line.substring(0, (brace >= 0) ? brace : space);
			Map<String, String> labels = new LinkedHashMap<>();
			if (brace >= 0) {
				readLabels(line, brace + 1, labels);
			}
			samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
		}
		return new PrometheusText(samples);
	}

	/** Label values are quoted with {@code \\}, {@code \"} and {@code \n} escaped. */
	private static void readLabels(String line, int start, Map<String, String> labels) {
		int i = start;
		while (line.charAt(i) != '}') {
			int equals = line.indexOf('=', i);
			String label = line.substring(i, equals);
			StringBuilder value = new StringBuilder();
			i = equals + 2;
			while (line.charAt(i) != '"') {
				char c = line.charAt(i++);
				value.append((c == '\\') ? unescape(line.charAt(i++)) : c);
			}
			labels.put(label, value.toString());
			i++;
			if (line.charAt(i) == ',') {
				i++;
			}
		}
	}

	private static char unescape(char c) {
		return (c == 'n') ? '\n' : c;
	}

	/** The sum of the samples of that name carrying every given label. */
	double value(String name, String... labels) {
		List<Sample> matching = samples(name, labels);
		assertThat(matching).as("samples of %s with %s", name, List.of(labels)).isNotEmpty();
		return matching.stream().mapToDouble(Sample::value).sum();
	}

	List<Sample> samples(String name, String... labels) {
		return this.samples.stream().filter((sample) -> sample.name.equals(name) && sample.has(labels)).toList();
	}

	/**
	 * Runs {@code promtool check metrics} on the text where promtool is installed (Debian package
	 * {@code prometheus}); elsewhere returns {@code false} and checks nothing. The text must parse (exit code 1
	 * means it did not); lint findings (exit code 3) are accepted for other libraries' metrics, not for ours.
	 */
	static boolean checkWithPromtool(String text) throws IOException, InterruptedException {
		Process process;
		try {
			process = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
		}
		catch (IOException ex) {
			return false; // not installed
		}
		try (OutputStream in = process.getOutputStream()) {
			in.write(text.getBytes(StandardCharsets.UTF_8));
		}
		ByteArrayOutputStream output = new ByteArrayOutputStream();
		try (InputStream out = process.getInputStream()) {
			out.transferTo(output);
		}
		if (!process.waitFor(30, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			fail("promtool did not finish within 30s");
		}
		String findings = output.toString(StandardCharsets.UTF_8);
		assertThat(process.exitValue()).as("promtool check metrics: %s", findings).isIn(0, 3);
		assertThat(findings.lines()).as("promtool lint findings").noneMatch((line) -> line.startsWith("hotconnpool"));
		return true;
	}

	record Sample(String name, Map<String, String> labels, double value) {

		boolean has(String... pairs) {
			for (int i = 0; i < pairs.length; i += 2) {
				if (!pairs[i + 1].equals(this.labels.get(pairs[i]))) {
					return false;
				}
			}
			return true;
		}

	}

}
