package io.hotconnpool.actuate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * A binder's meters in every registry it is bound to: each meter is a {@link Fan}, one meter per registry, added to
 * registries bound later and removed from all of them together. A registry's filters may merge several of the
 * binder's meters into one (say {@code MeterFilter.ignoreTags("ip")}): such a meter is removed from that registry
 * only when none of them is left.
 */
final class MeterFans {

	/** Every bound registry, and each meter it returned with how many of this binder's meters it stands for. */
	private final Map<MeterRegistry, Map<Meter, Integer>> registries = new IdentityHashMap<>();

	/** Guards {@link #registries} and every {@link Fan}'s meters: taken to add or remove meters, never to record. */
	private final ReentrantLock lock = new ReentrantLock();

	/** Every meter not removed yet, in or waiting for a registry; guarded by {@link #lock}. */
	private final Set<Fan<?>> fans = Collections.newSetFromMap(new IdentityHashMap<>());

	/** Adds a registry, and every meter made so far to it. */
	void bindTo(MeterRegistry registry) {
		this.lock.lock();
		try {
			if (this.registries.putIfAbsent(registry, new IdentityHashMap<>()) == null) {
				this.fans.forEach((fan) -> fan.addTo(registry));
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * A new meter, in every registry bound now or later.
	 * @param register registers it with one registry
	 * @return the meter in every registry
	 */
	<M extends Meter> Fan<M> add(Function<MeterRegistry, M> register) {
		Fan<M> fan = new Fan<>(register);
		this.lock.lock();
		try {
			this.fans.add(fan);
			this.registries.keySet().forEach(fan::addTo);
		}
		finally {
			this.lock.unlock();
		}
		return fan;
	}

	/**
	 * Takes a meter out of every registry, unless a registry's filters merged it with another of this binder's
	 * meters that is still in use: removing by the id the registry returned, never by the id asked for, which the
	 * filters may map to a shared meter.
	 */
	void remove(Fan<?> fan) {
		this.lock.lock();
		try {
			for (int i = 0; i < fan.meters.size(); i++) {
				MeterRegistry registry = fan.registries.get(i);
				Meter meter = fan.meters.get(i);
				Map<Meter, Integer> uses = this.registries.get(registry);
				if (uses.merge(meter, -1, Integer::sum) == 0) {
					uses.remove(meter);
					registry.remove(meter);
				}
			}
			fan.meters = List.of();
			fan.registries = List.of();
			this.fans.remove(fan);
		}
		finally {
			this.lock.unlock();
		}
	}

	static void increment(Fan<Counter> counter) {
		List<Counter> counters = counter.meters;
		for (int i = 0; i < counters.size(); i++) {
			counters.get(i).increment();
		}
	}

	static void record(Fan<Timer> timer, long nanos) {
		List<Timer> timers = timer.meters;
		for (int i = 0; i < timers.size(); i++) {
			timers.get(i).record(nanos, TimeUnit.NANOSECONDS);
		}
	}

	private static <T> List<T> append(List<T> list, T element) {
		List<T> appended = new ArrayList<>(list);
		appended.add(element);
		return List.copyOf(appended);
	}

	/** One meter of the binder in every bound registry, as each registry returned it. */
	final class Fan<M extends Meter> {

		private final Function<MeterRegistry, M> register;

		/** Replaced, never changed: recording reads it without a lock. */
		private volatile List<M> meters = List.of();

		/** The registry each of {@link #meters} came from. */
		private List<MeterRegistry> registries = List.of();

		private Fan(Function<MeterRegistry, M> register) {
			this.register = register;
		}

		/** Called with the lock held. */
		private void addTo(MeterRegistry registry) {
			M meter = this.register.apply(registry);
			MeterFans.this.registries.get(registry).merge(meter, 1, Integer::sum);
			this.registries = append(this.registries, registry);
			this.meters = append(this.meters, meter);
		}

	}

	/** Meters registered together and removed together. */
	abstract static class Registered {

		final long registeredAt = System.nanoTime();

		private final MeterFans owner;

		private final List<Fan<?>> fans = new ArrayList<>();

		Registered(MeterFans owner) {
			this.owner = owner;
		}

		<M extends Meter> Fan<M> add(Function<MeterRegistry, M> register) {
			Fan<M> fan = this.owner.add(register);
			this.fans.add(fan);
			return fan;
		}

		void remove() {
			this.fans.forEach(this.owner::remove);
		}

	}

}
