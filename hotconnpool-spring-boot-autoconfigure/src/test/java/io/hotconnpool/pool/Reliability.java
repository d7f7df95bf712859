package io.hotconnpool.pool;

/**
 * Prints what a reliability scenario measured (time to recover, requests failed) with the test output, as lines
 * starting with {@code RELIABILITY}, for the table in RELIABILITY.md.
 */
public final class Reliability {

	private Reliability() {
	}

	public static void report(String scenario, String measured) {
		System.out.println("RELIABILITY " + scenario + ": " + measured);
	}

}
