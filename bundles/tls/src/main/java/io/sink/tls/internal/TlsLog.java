package io.sink.tls.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bundle's log ({@code io.sink.tls}) through SLF4J. The command-line tool
 * {@code DevCertificates} may run without SLF4J on the class path: then the JDK's
 * {@link System.Logger} takes the messages instead.
 */
public final class TlsLog {

    private static final String NAME = "io.sink.tls";

    private TlsLog() {
    }

    /** Logs a warning; {@code pattern} uses SLF4J's {@code {}} placeholders. */
    public static void warn(String pattern, Object... arguments) {
        try {
            Slf4j.LOGGER.warn(pattern, arguments);
        } catch (NoClassDefFoundError e) {
            System.getLogger(NAME).log(System.Logger.Level.WARNING, format(pattern, arguments));
        }
    }

    /** Logs at debug level; {@code pattern} uses SLF4J's {@code {}} placeholders. */
    public static void debug(String pattern, Object... arguments) {
        try {
            Slf4j.LOGGER.debug(pattern, arguments);
        } catch (NoClassDefFoundError e) {
            System.getLogger(NAME).log(System.Logger.Level.DEBUG, () -> format(pattern, arguments));
        }
    }

    static String format(String pattern, Object... arguments) {
        StringBuilder text = new StringBuilder();
        int from = 0;
        for (Object argument : arguments) {
            int at = pattern.indexOf("{}", from);
            if (at < 0) {
                break;
            }
            text.append(pattern, from, at).append(argument);
            from = at + 2;
        }
        return text.append(pattern.substring(from)).toString();
    }

    /** Loaded on first use only, so a missing SLF4J surfaces as NoClassDefFoundError here. */
    private static final class Slf4j {
        static final Logger LOGGER = LoggerFactory.getLogger(NAME);
    }
}
