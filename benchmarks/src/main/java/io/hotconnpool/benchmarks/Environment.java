package io.hotconnpool.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What the numbers were measured on, and how busy the machine was. */
public final class Environment {

	private Environment() {
	}

	/** Cores, memory, CPU model, JDK. */
	public static String describe() {
		Runtime runtime = Runtime.getRuntime();
		return String.format(Locale.ROOT, "Machine: %d cores, %s, %s; JDK %s (%s), max heap %d MiB; %s",
				runtime.availableProcessors(), cpuModel(), memory(), System.getProperty("java.version"),
				System.getProperty("java.vm.name"), runtime.maxMemory() >> 20, load());
	}

	/** The one-minute load average. */
	public static String load() {
		return String.format(Locale.ROOT, "load average %.2f",
				ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
	}

	private static String cpuModel() {
		return firstLineStartingWith(Path.of("/proc/cpuinfo"), "model name", "unknown CPU");
	}

	private static String memory() {
		return firstLineStartingWith(Path.of("/proc/meminfo"), "MemTotal", "unknown memory").replaceAll("\\s+", " ");
	}

	private static String firstLineStartingWith(Path file, String prefix, String fallback) {
		try (var lines = Files.lines(file)) {
			return lines.filter((line) -> line.startsWith(prefix))
				.map((line) -> line.substring(line.indexOf(':') + 1).trim())
				.findFirst()
				.orElse(fallback);
		}
		catch (IOException ex) {
			return fallback;
		}
	}

}
