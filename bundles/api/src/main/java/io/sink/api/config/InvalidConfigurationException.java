package io.sink.api.config;

import io.sink.api.text.Printable;
import java.util.Objects;

/**
 * A configuration value was refused. The message names the PID, the property, the value (quoted,
 * control characters escaped, cut at 200 characters) and why, e.g. {@code configuration
 * io.sink.store.sqlite: journalMode = 'BOGUS' is refused: must be one of WAL, DELETE, TRUNCATE,
 * PERSIST}.
 */
public class InvalidConfigurationException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_VALUE = 200;

    private final String pid;
    private final String property;
    private final String reason;

    public InvalidConfigurationException(String pid, String property, Object value, String reason) {
        super("configuration " + pid + ": " + property + " = " + quote(value) + " is refused: " + reason);
        this.pid = Objects.requireNonNull(pid, "pid");
        this.property = Objects.requireNonNull(property, "property");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public String pid() {
        return pid;
    }

    public String property() {
        return property;
    }

    /** Why the value was refused, without the PID, property and value. */
    public String reason() {
        return reason;
    }

    /**
     * The value as a message shows it: in single quotes, what {@link Printable} escapes (control,
     * format, separator, private-use and unassigned characters) as {@code \\uXXXX}, length capped.
     * The single quotes are this message's shape; which characters are escaped is Printable's.
     */
    public static String quote(Object value) {
        if (value == null) {
            return "(nothing)";
        }
        String text = value instanceof Object[] array ? java.util.Arrays.toString(array) : value.toString();
        StringBuilder out = new StringBuilder("'");
        int shown = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (shown++ == MAX_VALUE) {
                out.append("...(").append(text.length()).append(" characters)");
                break;
            }
            if (Printable.isEscaped(cp) || cp == '\'') {
                out.append(cp == '\'' ? "\\'" : cp == '\\' ? "\\\\" : String.format("\\u%04X", cp));
            } else {
                out.appendCodePoint(cp);
            }
        }
        return out.append('\'').toString();
    }
}
