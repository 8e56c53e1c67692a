package io.sink.api.config;

import io.sink.api.text.Printable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;

/**
 * Checks that every value of a component property type (a DS {@code @interface Config}) can be
 * read. Declarative Services converts a configured value to the member's type only when the member
 * is called, and a value it cannot convert ({@code port = abc}) then fails with an exception that
 * names neither the property nor the value. Calling {@link #requireReadable} first, where the
 * component checks its configuration, turns that into one clear message: {@code port = "abc" is
 * not a whole number}.
 */
public final class ConfigurationCheck {
    private static final int MAX_VALUE_BYTES = 80;

    private ConfigurationCheck() {
    }

    /**
     * Reads every member of {@code type} on {@code config}.
     *
     * @param type       the component property type
     * @param config     the instance DS built from the configuration
     * @param properties the configuration's properties as DS passed them (for the raw value in the message); may be null
     * @throws IllegalArgumentException naming the first property (by name) whose value cannot be converted
     */
    public static void requireReadable(Class<?> type, Object config, Map<String, ?> properties) {
        Method[] members = type.getDeclaredMethods();
        Arrays.sort(members, Comparator.comparing(Method::getName));
        for (Method member : members) {
            if (member.getParameterCount() != 0 || member.isSynthetic()) {
                continue;
            }
            try {
                member.invoke(config);
            } catch (InvocationTargetException e) {
                String property = propertyName(member.getName());
                Object raw = properties == null ? null : properties.get(property);
                throw new IllegalArgumentException(property + " = " + quote(raw) + " is not "
                        + expected(member.getReturnType()), e.getCause());
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot read " + member, e);
            }
        }
    }

    /** The property name of a member, by the rules of Declarative Services (section 112.8.2.1). */
    static String propertyName(String member) {
        StringBuilder out = new StringBuilder(member.length());
        for (int i = 0; i < member.length(); i++) {
            char c = member.charAt(i);
            if (c == '$') {
                if (member.startsWith("$_$", i)) {
                    out.append('-');
                    i += 2;
                } else if (member.startsWith("$$", i)) {
                    out.append('$');
                    i++;
                }
            } else if (c == '_') {
                if (member.startsWith("__", i)) {
                    out.append('_');
                    i++;
                } else {
                    out.append('.');
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String expected(Class<?> type) {
        Class<?> t = type.isArray() ? type.getComponentType() : type;
        String one;
        if (t == int.class || t == long.class || t == short.class || t == byte.class) {
            one = "a whole number (" + t.getSimpleName() + ")";
        } else if (t == double.class || t == float.class) {
            one = "a number";
        } else if (t == boolean.class) {
            one = "true or false";
        } else if (t.isEnum()) {
            one = "one of " + Arrays.toString(t.getEnumConstants());
        } else {
            one = "a valid " + t.getSimpleName();
        }
        return type.isArray() ? "a list of values each " + one : one;
    }

    /**
     * The configured value for a message: quoted and escaped by {@link Printable} (the one escaper for
     * what a user supplied), capped at {@value #MAX_VALUE_BYTES} bytes.
     */
    static String quote(Object raw) {
        if (raw == null) {
            return "(unset)";
        }
        return Printable.quoted(raw.getClass().isArray() ? arrayText(raw) : String.valueOf(raw), MAX_VALUE_BYTES);
    }

    private static String arrayText(Object array) {
        int n = java.lang.reflect.Array.getLength(array);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "" : ", ").append(java.lang.reflect.Array.get(array, i));
        }
        return out.toString();
    }
}
