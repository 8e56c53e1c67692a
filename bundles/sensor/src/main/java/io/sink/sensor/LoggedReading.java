package io.sink.sensor;

import java.util.Objects;

/**
 * A reading just logged, with its place in the event log.
 *
 * @param sequence the event's sequence in the log (the delivery order)
 * @param reading  the reading
 */
public record LoggedReading(long sequence, Reading reading) {
    public LoggedReading {
        Objects.requireNonNull(reading, "reading");
    }

    @Override
    public String toString() {
        return "logged " + reading + " (log sequence " + sequence + ")";
    }
}
