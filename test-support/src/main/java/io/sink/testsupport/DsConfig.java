package io.sink.testsupport;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * A component property type (a DS configuration annotation) as SCR builds it outside the framework:
 * the given values, else the annotation's defaults; a configured string for a numeric member is
 * converted as SCR converts it, failing only when that member is read.
 */
public final class DsConfig {
    private DsConfig() {
    }

    /** {@code type} with {@code values} by member name, the defaults for the others. */
    public static <T> T of(Class<T> type, Map<String, ?> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class || method.getName().equals("annotationType")) {
                return switch (method.getName()) {
                    case "annotationType" -> type;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> type.getSimpleName() + values;
                };
            }
            Object value = values.containsKey(method.getName()) ? values.get(method.getName()) : defaultOf(method);
            return converted(method, value);
        }));
    }

    private static Object defaultOf(Method method) {
        Object value = method.getDefaultValue();
        if (value == null) {
            throw new IllegalStateException(method + " has no default and no value");
        }
        return value;
    }

    private static Object converted(Method method, Object value) {
        Class<?> to = method.getReturnType();
        if (!(value instanceof String text) || to == String.class) {
            return value;
        }
        try {
            if (to == int.class) {
                return Integer.parseInt(text.trim());
            }
            if (to == long.class) {
                return Long.parseLong(text.trim());
            }
            if (to == double.class) {
                return Double.parseDouble(text.trim());
            }
        } catch (NumberFormatException e) {
            throw new IllegalStateException(e); // SCR: a ComponentException naming neither property nor value
        }
        return value;
    }
}
