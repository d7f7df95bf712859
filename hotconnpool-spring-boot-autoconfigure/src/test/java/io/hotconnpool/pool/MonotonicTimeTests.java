package io.hotconnpool.pool;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import io.hotconnpool.tls.TlsContext;
import org.junit.jupiter.api.Test;

import org.springframework.asm.ClassReader;
import org.springframework.asm.ClassVisitor;
import org.springframework.asm.MethodVisitor;
import org.springframework.asm.Opcodes;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A wall-clock jump (NTP step, manual change, VM resume) cannot move the pool's deadlines: every duration the pool
 * measures (acquire timeout, blacklist TTL, lifetime, idle and health thresholds, leak threshold, drain timeout) is
 * a difference of {@link System#nanoTime()} (a host's injectable clock, {@link HostPool#clock}), which the JVM
 * guarantees monotonic. A test cannot move the system clock, so this test reads the compiled pool and TLS code: the
 * wall clock is read in exactly the places listed here, each only for a displayed instant, never for a decision.
 * A new wall-clock read fails this test until it is shown to be display-only and listed.
 */
class MonotonicTimeTests {

	/** Owner and name of every wall-clock read (JVM internal names). */
	private static final Set<String> WALL_CLOCK = Set.of("java/lang/System.currentTimeMillis", "java/time/Instant.now",
			"java/time/Clock.systemUTC", "java/time/Clock.systemDefaultZone", "java/time/Clock.millis",
			"java/time/Clock.instant", "java/time/LocalDateTime.now", "java/time/LocalTime.now",
			"java/time/LocalDate.now", "java/time/ZonedDateTime.now", "java/time/OffsetDateTime.now",
			"java/util/Date.<init>", "java/util/Calendar.getInstance");

	/** Where the wall clock is read, and why each is harmless. */
	private static final Map<String, String> ALLOWED = Map.of(
			"io/hotconnpool/pool/PooledConnection.<init> -> java/time/Instant.now",
			"createdAt, shown in stats; lastUsedAt and expiresAt are createdAt plus nanoTime differences",
			"io/hotconnpool/pool/HostIps.blacklist -> java/time/Instant.now",
			"a blacklist entry's since and until, shown in stats; its expiry is untilNanos",
			"io/hotconnpool/pool/HostIps.countFailure -> java/time/Instant.now",
			"since when a failing IP fails, shown in stats; nothing is timed from it",
			"io/hotconnpool/pool/HostIps.blacklistFrom -> java/time/Instant.now",
			"an entry another instance reported carries a wall-clock until: read once to turn it into untilNanos",
			"io/hotconnpool/tls/BrowserSslSession.<init> -> java/lang/System.currentTimeMillis",
			"SSLSession.getCreationTime, wall-clock milliseconds by contract; nothing times out on it");

	@Test
	void theWallClockIsReadOnlyForDisplayedInstants() throws Exception {
		Set<String> reads = new TreeSet<>();
		for (Class<?> anchor : new Class<?>[] { HotConnPool.class, TlsContext.class }) {
			try (Stream<Path> classes = Files.walk(packageDirectory(anchor))) {
				for (Path file : classes.filter((path) -> path.toString().endsWith(".class")).toList()) {
					reads.addAll(wallClockReads(file));
				}
			}
		}

		assertThat(reads).as("wall-clock reads in the pool and TLS code; a new one must be for display only")
			.containsExactlyInAnyOrderElementsOf(ALLOWED.keySet());
	}

	@Test
	void theScanFindsAWallClockRead() throws Exception {
		Path self = packageDirectory(MonotonicTimeTests.class).resolve("MonotonicTimeTests$WallClockUser.class");

		assertThat(wallClockReads(self)).containsExactly(
				"io/hotconnpool/pool/MonotonicTimeTests$WallClockUser.elapsed -> java/lang/System.currentTimeMillis");
	}

	private static Path packageDirectory(Class<?> type) throws URISyntaxException {
		Path root = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
		return root.resolve(type.getPackageName().replace('.', '/'));
	}

	private static Set<String> wallClockReads(Path classFile) throws IOException {
		Set<String> reads = new TreeSet<>();
		try (InputStream in = Files.newInputStream(classFile)) {
			ClassReader reader = new ClassReader(in);
			String owner = reader.getClassName();
			reader.accept(new ClassVisitor(Opcodes.ASM9) {
				@Override
				public MethodVisitor visitMethod(int access, String method, String descriptor, String signature,
						String[] exceptions) {
					// A lambda body is compiled to lambda$<enclosing method>$<n>: named after its enclosing method.
					String site = owner + "." + (method.startsWith("lambda$") ? method.split("\\$")[1] : method);
					return new MethodVisitor(Opcodes.ASM9) {
						@Override
						public void visitMethodInsn(int opcode, String calledOwner, String name, String desc,
								boolean isInterface) {
							String called = calledOwner + "." + name;
							if (WALL_CLOCK.contains(called)) {
								reads.add(site + " -> " + called);
							}
						}
					};
				}
			}, ClassReader.SKIP_DEBUG);
		}
		return reads;
	}

	/** Proves the scan sees a read: a positive control. */
	static final class WallClockUser {

		long elapsed(long since) {
			return System.currentTimeMillis() - since;
		}

	}

}
