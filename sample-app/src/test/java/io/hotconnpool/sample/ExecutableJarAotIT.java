package io.hotconnpool.sample;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged sample, as a user runs it: {@code java -jar} on the repackaged jar, here with
 * {@code -Dspring.aot.enabled=true} so that it runs on the initializers Spring AOT generated at build time
 * ({@code process-aot}). It must start, warm every connection and serve a request hot. Runs in {@code verify}
 * (failsafe), after the jar is built; the app listens on 127.0.0.1 only.
 */
class ExecutableJarAotIT {

	private static final Duration START = Duration.ofSeconds(120);

	/** 3 demo IPs x 2 slots (application.yml). */
	private static final int WARM_CONNECTIONS = 6;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Test
	void theAotProcessedJarStartsWithWarmConnectionsAndServesHot() throws Exception {
		int port = freePort();
		Path log = Path.of("target", "executable-jar-aot.log");
		String java = ProcessHandle.current().info().command().orElse("java");
		Process app = new ProcessBuilder(List.of(java, "-Dspring.aot.enabled=true", "-jar", jar().toString(),
				"--server.port=" + port, "--server.address=127.0.0.1"))
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		try {
			String base = "http://127.0.0.1:" + port;
			await().atMost(START).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
				assertThat(app.isAlive()).as("the app is running (see %s)", log).isTrue();
				assertThat(get(base + "/actuator/hotconnpool")).contains("\"running\":true")
					.contains("\"idleConnections\":" + WARM_CONNECTIONS);
			});
			assertThat(Files.readString(log)).contains("Starting AOT-processed SampleApplication");

			assertThat(get(base + "/demo/lease")).contains("\"hot\":true").contains("\"status\":200");
		}
		finally {
			app.destroy();
			if (!app.waitFor(40, TimeUnit.SECONDS)) {
				app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
	}

	@Test
	void theJarCarriesNoTestLibrary() throws IOException {
		try (JarFile jar = new JarFile(jar().toFile())) {
			List<String> libraries = jar.stream()
				.map(JarEntry::getName)
				.filter((name) -> name.startsWith("BOOT-INF/lib/"))
				.toList();
			assertThat(libraries).as("the demo origin's test-support module and what it brings")
				.anyMatch((name) -> name.contains("hotconnpool-test-support"))
				.anyMatch((name) -> name.contains("mockwebserver3"))
				.noneMatch((name) -> name.matches(".*/(junit|assertj|awaitility|opentest4j|spring-boot-test|mockito).*"));
		}
	}

	private String get(String url) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
		HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(url).isEqualTo(200);
		return response.body();
	}

	/** The repackaged jar, not the {@code .jar.original} the plugin keeps beside it. */
	private static Path jar() throws IOException {
		try (Stream<Path> files = Files.list(Path.of("target"))) {
			return files.filter((file) -> file.getFileName().toString().matches("hotconnpool-sample-app-.*\\.jar"))
				.findFirst()
				.orElseThrow(() -> new IllegalStateException("no sample jar in target/: run mvn verify"));
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
