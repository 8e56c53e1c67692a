package io.sink.protocol.etf;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A sensor-configuration event's content, the server telling a client to add, change or remove one
 * sensor (the sensor's uuid is the event's key). An add or a change carries the whole wanted state
 * (name, kind, period), so that applying it twice, or a change to a sensor the client does not have
 * yet, gives the same result; a removal carries nothing else.
 *
 * @param op           what to do
 * @param name         display name (1 to {@value #MAX_NAME_BYTES} UTF-8 bytes, no control characters); empty for a removal
 * @param kind         sensor kind, e.g. {@code simulated} (1 to {@value #MAX_KIND_BYTES} bytes of {@code a-z0-9_-}); empty for a removal
 * @param periodMillis sampling period, at least 1; 0 for a removal
 */
public record SensorConfig(Op op, String name, String kind, int periodMillis) {
    /** The longest display name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 200;
    /** The longest kind, in bytes. */
    public static final int MAX_KIND_BYTES = 64;

    /** What the event asks for; the names are the atoms on the wire. */
    public enum Op {
        ADD, CHANGE, REMOVE;

        /** The atom's name, e.g. {@code add}. */
        public String atom() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @throws IllegalArgumentException naming the field when a value is out of its range
     */
    public SensorConfig {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (op == Op.REMOVE) {
            if (!name.isEmpty() || !kind.isEmpty() || periodMillis != 0) {
                throw new IllegalArgumentException("a removal carries no name, kind or period");
            }
        } else {
            String problem = nameProblem(name);
            if (problem != null) {
                throw new IllegalArgumentException("name " + problem);
            }
            problem = kindProblem(kind);
            if (problem != null) {
                throw new IllegalArgumentException("kind " + problem);
            }
            if (periodMillis < 1) {
                throw new IllegalArgumentException("period must be at least 1 ms, got " + periodMillis);
            }
        }
    }

    public static SensorConfig add(String name, String kind, int periodMillis) {
        return new SensorConfig(Op.ADD, name, kind, periodMillis);
    }

    public static SensorConfig change(String name, String kind, int periodMillis) {
        return new SensorConfig(Op.CHANGE, name, kind, periodMillis);
    }

    public static SensorConfig remove() {
        return new SensorConfig(Op.REMOVE, "", "", 0);
    }

    /** What is wrong with a display name, or {@code null} when it is fine. */
    public static String nameProblem(String name) {
        if (name.isEmpty() || name.isBlank()) {
            return "must not be empty or blank";
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            return "is " + bytes + " UTF-8 bytes long, at most " + MAX_NAME_BYTES + " are allowed";
        }
        if (name.codePoints().anyMatch(c -> Character.isISOControl(c) || c == 0x2028 || c == 0x2029
                || Character.getType(c) == Character.SURROGATE || Character.getType(c) == Character.FORMAT)) {
            return "must not contain control, format or unpaired surrogate characters";
        }
        return null;
    }

    /** What is wrong with a kind, or {@code null} when it is fine. */
    public static String kindProblem(String kind) {
        if (kind.isEmpty() || kind.length() > MAX_KIND_BYTES) {
            return "must be 1 to " + MAX_KIND_BYTES + " characters long";
        }
        if (!kind.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
            return "must be made of a-z, 0-9, '_' and '-'";
        }
        return null;
    }
}
