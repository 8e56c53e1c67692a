package io.sink.reading.log.internal;

import org.slf4j.Logger;

/** Where the reading log writes its lines: an SLF4J logger in the framework, a recorder in tests. */
public interface LogLines {

    boolean isDebugEnabled();

    void debug(String line);

    void info(String line);

    void warn(String line);

    /** Lines through an SLF4J logger. */
    public static LogLines of(Logger logger) {
        return new LogLines() {
            @Override
            public boolean isDebugEnabled() {
                return logger.isDebugEnabled();
            }

            @Override
            public void debug(String line) {
                logger.debug(line);
            }

            @Override
            public void info(String line) {
                logger.info(line);
            }

            @Override
            public void warn(String line) {
                logger.warn(line);
            }
        };
    }
}
