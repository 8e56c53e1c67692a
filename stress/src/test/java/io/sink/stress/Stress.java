package io.sink.stress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Short (CI) or long runs: {@code -Dsink.stress=long} selects the long figures; each figure can also
 * be set on its own with its system property.
 */
final class Stress {
    static final boolean LONG = "long".equals(System.getProperty("sink.stress", "short").toLowerCase(Locale.ROOT));

    private Stress() {
    }

    static String mode() {
        return LONG ? "long" : "short";
    }

    static int integer(String property, int shortValue, int longValue) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            return LONG ? longValue : shortValue;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + property + " must be an integer, got '" + value
                    + "'");
        }
    }

    /** Where tests write their logs: {@code sink.stress.logs} (target/stress-logs under Maven). */
    static Path logDirectory() throws java.io.IOException {
        Path dir = Path.of(System.getProperty("sink.stress.logs", "target/stress-logs"));
        Files.createDirectories(dir);
        return dir;
    }

    /** The run-time class path of src/main, for child JVMs (set by the pom). */
    static String childClassPath() {
        String path = System.getProperty("sink.stress.classpath");
        if (path == null || path.isBlank() || path.contains("${")) {
            return System.getProperty("java.class.path");
        }
        return path;
    }

    /** The java launcher of the running JVM. */
    static String javaCommand() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
