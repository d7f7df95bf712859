package io.hotconnpool.test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Loopback addresses for many IPs of one host: 127.0.0.2 onwards (127.0.0.1 stays free for single servers). Linux
 * answers on all of 127.0.0.0/8 with no set-up; nothing here ever names another address.
 */
public final class Loopback {

	private Loopback() {
	}

	/**
	 * 127.0.0.{@code n}.
	 * @param n from 1 to 254
	 * @return the loopback address
	 */
	public static InetAddress address(int n) {
		if (n < 1 || n > 254) {
			throw new IllegalArgumentException("127.0.0." + n + " is out of range");
		}
		try {
			return InetAddress.getByAddress(new byte[] { 127, 0, 0, (byte) n });
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex); // four bytes are always an address
		}
	}

	/**
	 * 127.0.0.2 onwards.
	 * @param count how many addresses
	 * @return the loopback addresses
	 */
	public static List<InetAddress> addresses(int count) {
		List<InetAddress> addresses = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			addresses.add(address(i + 2));
		}
		return addresses;
	}

}
