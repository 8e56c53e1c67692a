package io.sink.sensor.internal;

import io.sink.api.client.Outbox;
import io.sink.sensor.LoggedReading;
import io.sink.sensor.Reading;
import io.sink.sensor.SensorReadings;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@link SensorReadings} service over the client's {@link Outbox}: the outbox chooses the store
 * (PID {@code io.sink.client.outbox}), so this component has no store configuration of its own.
 */
@Component(service = SensorReadings.class)
public final class SensorReadingsComponent implements SensorReadings {
    private final SensorLog readings;

    @Activate
    public SensorReadingsComponent(@Reference Outbox outbox) {
        readings = new SensorLog(() -> outbox, Clock.systemUTC());
    }

    @Override
    public LoggedReading logSensorReading(String name, int temperature, int humidity) {
        return readings.logSensorReading(name, temperature, humidity);
    }

    @Override
    public Optional<Reading> lastReading(String name) {
        return readings.lastReading(name);
    }

    @Override
    public List<Reading> lastReadings() {
        return readings.lastReadings();
    }
}
