package io.sink.sensor.internal.command;

import io.sink.sensor.LoggedReading;
import io.sink.sensor.Reading;
import io.sink.sensor.SensorReadings;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands {@code sensor:log} and {@code sensor:last}: a thin adapter over
 * {@link SensorReadings}. They return values for the shell to print; bad input comes back as the
 * service's {@link IllegalArgumentException}, whose message says what is wrong.
 */
@Component(service = SensorCommands.class, property = {"osgi.command.scope=sensor",
        "osgi.command.function=log", "osgi.command.function=last"})
public final class SensorCommands {

    private final SensorReadings readings;

    @org.osgi.service.component.annotations.Activate
    public SensorCommands(@Reference SensorReadings readings) {
        this.readings = readings;
    }

    @Descriptor("log a sensor reading durably (the next offset of that sensor, timestamp now)")
    public LoggedReading log(
            @Descriptor("sensor name, 1 to 64 bytes of UTF-8, e.g. kitchen") String name,
            @Descriptor("temperature, whole degrees, -273 to 1000") int temperature,
            @Descriptor("relative humidity, whole percent, 0 to 100") int humidity) {
        return readings.logSensorReading(name, temperature, humidity);
    }

    @Descriptor("show the last reading of every sensor")
    public List<Reading> last() {
        return readings.lastReadings();
    }

    @Descriptor("show the last reading of one sensor")
    public Object last(@Descriptor("sensor name") String name) {
        return readings.lastReading(name).<Object>map(r -> r).orElse("no reading of sensor " + name + " yet");
    }
}
