package io.hotconnpool.pool;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A part of a {@link HotConnPoolConfig}: a JavaBean whose accessors Lombok writes. A pool runs on a {@link #copy()}
 * of its configuration taken when it is built, so a change made afterwards (in code, or by a rebinding of the
 * properties) reaches no running pool and cannot bypass validation. Both walks here read the fields, so that a new
 * property needs nothing but its field. The rule they rely on: a {@code final} field holds a nested group; any other
 * value is a group, a list, a map or immutable.
 */
public abstract class ConfigGroup {

	/**
	 * A deep copy: nested groups are copied (a {@code final} one into the copy's own instance), lists and maps are
	 * copies with their elements copied, and every other value (a string, number, duration, enum, record or function)
	 * is immutable and shared.
	 * @param <T> the type of this group
	 * @return the copy
	 * @throws IllegalStateException when a {@code final} field holds something else than a group
	 */
	@SuppressWarnings("unchecked")
	<T extends ConfigGroup> T copy() {
		try {
			Constructor<? extends ConfigGroup> constructor = getClass().getDeclaredConstructor();
			constructor.setAccessible(true);
			ConfigGroup copy = constructor.newInstance();
			copyInto(copy);
			return (T) copy;
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException("Cannot copy " + getClass().getName(), ex);
		}
	}

	/**
	 * Hands every duration of this group, of its nested groups and of the groups in its lists ({@code hosts[1].})
	 * to {@code action}, named by its property: the field's name in kebab case, as Spring Boot binds it.
	 * @param path the property path of this group, such as {@code hotconnpool.keep-alive.}
	 * @param action takes the property name and the value
	 */
	void forEachDuration(String path, BiConsumer<String, Duration> action) {
		try {
			for (Field field : fields()) {
				String property = path + field.getName().replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
				Object value = field.get(this);
				if (field.getType() == Duration.class) {
					action.accept(property, (Duration) value);
				}
				else if (value instanceof ConfigGroup group) {
					group.forEachDuration(property + ".", action);
				}
				else if (value instanceof List<?> list) {
					for (int i = 0; i < list.size(); i++) {
						if (list.get(i) instanceof ConfigGroup element) {
							element.forEachDuration(property + "[" + i + "].", action);
						}
					}
				}
			}
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException("Cannot read " + getClass().getName(), ex);
		}
	}

	private void copyInto(ConfigGroup target) throws IllegalAccessException {
		for (Field field : fields()) {
			Object value = field.get(this);
			if (!Modifier.isFinal(field.getModifiers())) {
				field.set(target, copyOf(value));
			}
			else if (value instanceof ConfigGroup group) {
				group.copyInto((ConfigGroup) field.get(target));
			}
			else {
				throw new IllegalStateException(field + " is final but holds no nested group: it cannot be copied");
			}
		}
	}

	/** The instance fields of this group's class and its superclasses, readable. */
	private List<Field> fields() {
		List<Field> fields = new ArrayList<>();
		for (Class<?> type = getClass(); type != ConfigGroup.class; type = type.getSuperclass()) {
			for (Field field : type.getDeclaredFields()) {
				if (!Modifier.isStatic(field.getModifiers())) {
					field.setAccessible(true);
					fields.add(field);
				}
			}
		}
		return fields;
	}

	private static Object copyOf(Object value) {
		if (value instanceof ConfigGroup group) {
			return group.copy();
		}
		if (value instanceof List<?> list) {
			List<Object> copy = new ArrayList<>(list.size());
			list.forEach((element) -> copy.add(copyOf(element)));
			return copy;
		}
		if (value instanceof Map<?, ?> map) {
			Map<Object, Object> copy = new LinkedHashMap<>();
			map.forEach((key, element) -> copy.put(key, copyOf(element)));
			return copy;
		}
		return value;
	}

}
