package io.sink.sensor;

import io.sink.api.text.Printable;
import java.time.Instant;
import java.util.Objects;

/**
 * One reading of a sensor as logged.
 *
 * @param sensor      the sensor name (the event key)
 * @param offset      the reading's number for this sensor, from 1
 * @param timestamp   when it was logged, Unix seconds
 * @param temperature whole degrees
 * @param humidity    relative humidity, percent
 */
public record Reading(String sensor, long offset, long timestamp, int temperature, int humidity) {
    public Reading {
        Objects.requireNonNull(sensor, "sensor");
    }

    /** The timestamp as an instant. */
    public Instant time() {
        return Instant.ofEpochSecond(timestamp);
    }

    @Override
    public String toString() {
        return Printable.text(sensor) + " #" + Long.toUnsignedString(offset) + " at " + time() + ": temperature "
                + temperature + ", humidity " + humidity;
    }
}
