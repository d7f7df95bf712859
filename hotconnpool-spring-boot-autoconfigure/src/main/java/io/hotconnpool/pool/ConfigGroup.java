package io.hotconnpool.pool;

/**
 * A part of a {@link HotConnPoolConfig}. Once the pool built from the configuration has sealed it, its setters
 * refuse changes, naming the property: a running pool does not read them again.
 */
public abstract class ConfigGroup {

	private volatile String sealedAs;

	/**
	 * Freezes this group.
	 * @param path the property path of this group, such as {@code hotconnpool.hosts[1].}
	 */
	void seal(String path) {
		this.sealedAs = path;
	}

	boolean isSealed() {
		return this.sealedAs != null;
	}

	/**
	 * Refuses a change once sealed.
	 * @param property the property's name within this group, such as {@code connections-per-ip}
	 * @throws IllegalStateException when the configuration is sealed
	 */
	protected final void checkIfSealed(String property) {
		String path = this.sealedAs;
		if (path != null) {
			throw new IllegalStateException(path + property + " cannot change: the configuration is sealed once a"
					+ " pool is built from it");
		}
	}

}
