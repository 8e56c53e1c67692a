package io.sink.sensor.internal;

import io.sink.api.text.Printable;
import io.sink.sensor.LoggedReading;
import io.sink.sensor.SensorReadings;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sensor that makes up readings: each {@link #readOnce()} logs one reading drawn from the
 * configured ranges. A reading that cannot be logged (the log is full, absent or failing) is
 * reported as a warning and dropped; the next period tries again.
 */
public final class SimulatedSensor {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedSensor.class);

    private final SimulatedSensorSettings settings;
    private final SensorReadings readings;
    private final RandomGenerator random;
    private final AtomicLong logged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean failing;

    public SimulatedSensor(SimulatedSensorSettings settings, SensorReadings readings, RandomGenerator random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.readings = Objects.requireNonNull(readings, "readings");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** Logs one reading; empty when it could not be logged (warned). Never throws a runtime exception. */
    public Optional<LoggedReading> readOnce() {
        int temperature = random.nextInt(settings.temperatureMin(), settings.temperatureMax() + 1);
        int humidity = random.nextInt(settings.humidityMin(), settings.humidityMax() + 1);
        try {
            LoggedReading reading = readings.logSensorReading(settings.name(), temperature, humidity);
            logged.incrementAndGet();
            LOG.info("simulated sensor {}: {}", Printable.text(settings.name()), reading);
            if (failing) {
                failing = false;
                LOG.info("simulated sensor {}: logging readings again", Printable.text(settings.name()));
            }
            return Optional.of(reading);
        } catch (RuntimeException e) {
            failed.incrementAndGet();
            // the first failure of a streak with its stack trace, the rest in one line each
            if (!failing) {
                failing = true;
                LOG.warn("simulated sensor {}: cannot log a reading", Printable.text(settings.name()), e);
            } else {
                LOG.warn("simulated sensor {}: cannot log a reading: {}", Printable.text(settings.name()),
                        e.toString());
            }
            return Optional.empty();
        }
    }

    public SimulatedSensorSettings settings() {
        return settings;
    }

    /** Readings logged so far. */
    public long logged() {
        return logged.get();
    }

    /** Readings that could not be logged so far. */
    public long failed() {
        return failed.get();
    }
}
