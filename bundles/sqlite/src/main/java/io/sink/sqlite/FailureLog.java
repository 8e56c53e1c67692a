package io.sink.sqlite;

import java.time.Duration;
import org.slf4j.Logger;

/**
 * Logs a streak of failures without flooding: the first failure with its stack trace, then at most
 * one line per interval with the number of failures since, and one line when writes succeed again.
 * Used by the writer thread only.
 */
final class FailureLog {
    private final Logger log;
    private final String description;
    private final long intervalNanos;
    private boolean failing;
    private long lastLogged;
    private long suppressed;

    FailureLog(Logger log, String description, Duration interval) {
        this.log = log;
        this.description = description;
        this.intervalNanos = interval.toNanos();
    }

    void failed(String message, Throwable e) {
        long now = System.nanoTime();
        if (!failing) {
            failing = true;
            lastLogged = now;
            suppressed = 0;
            log.warn("{}", message, e);
            return;
        }
        suppressed++;
        if (now - lastLogged >= intervalNanos) {
            log.warn("{} ({} failed transactions in the last {} s)", message, suppressed,
                    Duration.ofNanos(now - lastLogged).toSeconds());
            lastLogged = now;
            suppressed = 0;
        }
    }

    void succeeded() {
        if (failing) {
            failing = false;
            log.info("{}: writes are committed again", description);
        }
    }
}
