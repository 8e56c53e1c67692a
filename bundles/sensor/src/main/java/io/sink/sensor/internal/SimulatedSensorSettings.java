package io.sink.sensor.internal;

import io.sink.sensor.SensorReadings;
import java.time.Duration;
import java.util.Objects;

/**
 * What one simulated sensor does: its name, how often it reads, and the ranges its readings are
 * drawn from (uniformly, bounds included). Checked on construction; messages name the property.
 */
public record SimulatedSensorSettings(String name, Duration period, int temperatureMin, int temperatureMax,
        int humidityMin, int humidityMax) {
    /** Shortest period accepted: a simulated sensor must not flood the log by a typing slip. */
    public static final Duration MIN_PERIOD = Duration.ofMillis(10);

    public SimulatedSensorSettings {
        Objects.requireNonNull(period, "period");
        try {
            SensorInput.name(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("name: " + e.getMessage(), e);
        }
        if (period.compareTo(MIN_PERIOD) < 0) {
            throw new IllegalArgumentException("periodMillis must be at least " + MIN_PERIOD.toMillis() + ", got "
                    + period.toMillis());
        }
        range("temperatureMin", temperatureMin, SensorReadings.MIN_TEMPERATURE, SensorReadings.MAX_TEMPERATURE);
        range("temperatureMax", temperatureMax, SensorReadings.MIN_TEMPERATURE, SensorReadings.MAX_TEMPERATURE);
        range("humidityMin", humidityMin, SensorReadings.MIN_HUMIDITY, SensorReadings.MAX_HUMIDITY);
        range("humidityMax", humidityMax, SensorReadings.MIN_HUMIDITY, SensorReadings.MAX_HUMIDITY);
        if (temperatureMin > temperatureMax) {
            throw new IllegalArgumentException("temperatureMin (" + temperatureMin + ") must not be above "
                    + "temperatureMax (" + temperatureMax + ")");
        }
        if (humidityMin > humidityMax) {
            throw new IllegalArgumentException("humidityMin (" + humidityMin + ") must not be above humidityMax ("
                    + humidityMax + ")");
        }
    }

    private static void range(String property, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(property + " must be between " + min + " and " + max + ", got "
                    + value);
        }
    }
}
