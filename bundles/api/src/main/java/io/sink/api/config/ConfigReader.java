package io.sink.api.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Reads the raw properties of a component's configuration (the {@code Map<String, Object>} DS passes
 * to {@code @Activate} and {@code @Modified}) with a check for every value. Values may come typed
 * (from a {@code .config} file or the metatype) or as text (a {@code .cfg} file read by FileInstall);
 * an absent property gives the default. Every refusal is an {@link InvalidConfigurationException}
 * naming the PID, the property, the value and why, thrown before the component changes anything.
 *
 * <p>Why not the typed configuration annotation: DS converts a text like {@code banana} to a
 * {@code long} before the component's code runs and fails without naming the property; reading the
 * raw map lets the component refuse it in its own words and keep its previous configuration.
 * (The annotation still describes the configuration to the metatype service.)
 */
public final class ConfigReader {
    private final String pid;
    private final Map<String, ?> properties;

    /** @param properties the configuration's properties; null reads as empty (every default) */
    public ConfigReader(String pid, Map<String, ?> properties) {
        this.pid = Objects.requireNonNull(pid, "pid");
        this.properties = properties == null ? Map.of() : properties;
    }

    public String pid() {
        return pid;
    }

    /** A refusal of {@code value} of {@code property}, for checks beyond the ones here. */
    public InvalidConfigurationException invalid(String property, Object value, String why) {
        return new InvalidConfigurationException(pid, property, value, why);
    }

    /** The raw value, or null when absent. */
    public Object raw(String property) {
        return properties.get(property);
    }

    /** Text, trimmed; the default when absent. */
    public String text(String property, String defaultValue) {
        Object value = properties.get(property);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof String s) {
            return s.trim();
        }
        if (value instanceof Number || value instanceof Boolean || value instanceof Character) {
            return value.toString();
        }
        throw invalid(property, value, "must be a single text value");
    }

    /** Text that must not be blank. */
    public String nonBlankText(String property, String defaultValue) {
        String value = text(property, defaultValue);
        if (value == null || value.isBlank()) {
            throw invalid(property, properties.get(property), "must not be empty");
        }
        return value;
    }

    /** A whole number between {@code min} and {@code max}. */
    public long longValue(String property, long defaultValue, long min, long max) {
        Object value = properties.get(property);
        long parsed;
        if (value == null) {
            parsed = defaultValue;
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte) {
            parsed = ((Number) value).longValue();
        } else if (value instanceof String s) {
            try {
                parsed = Long.parseLong(s.trim().replace("_", ""));
            } catch (NumberFormatException e) {
                throw invalid(property, value, "must be a whole number between " + min + " and " + max);
            }
        } else {
            throw invalid(property, value, "must be a whole number between " + min + " and " + max);
        }
        if (parsed < min || parsed > max) {
            throw invalid(property, value, "must be between " + min + " and " + max);
        }
        return parsed;
    }

    /** A whole number between {@code min} and {@code max}, as an int. */
    public int intValue(String property, int defaultValue, int min, int max) {
        return (int) longValue(property, defaultValue, min, max);
    }

    /** {@code true} or {@code false} (as a Boolean or as text, case-insensitive). */
    public boolean booleanValue(String property, boolean defaultValue) {
        Object value = properties.get(property);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof String s) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (t.equals("true")) {
                return true;
            }
            if (t.equals("false")) {
                return false;
            }
        }
        throw invalid(property, value, "must be true or false");
    }

    /** One of the constants of {@code type}, by name, case-insensitive. */
    public <E extends Enum<E>> E choice(String property, Class<E> type, E defaultValue) {
        Object value = properties.get(property);
        if (value == null) {
            return defaultValue;
        }
        if (type.isInstance(value)) {
            return type.cast(value);
        }
        String names = Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "));
        if (value instanceof String s) {
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(s.trim())) {
                    return constant;
                }
            }
        }
        throw invalid(property, value, "must be one of " + names);
    }
}
