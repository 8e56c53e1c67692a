package io.sink.sensor.internal.command;

import io.sink.api.text.CommandUsage;
import io.sink.api.text.Printable;
import io.sink.sensor.LoggedReading;
import io.sink.sensor.Reading;
import io.sink.sensor.SensorReadings;
import io.sink.sensor.internal.SensorInput;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands {@code sensor:log} and {@code sensor:last}: a thin adapter over
 * {@link SensorReadings}. They return values for the shell to print. Parameters are declared as
 * {@code String} and parsed by {@link CommandUsage}, so Gogo never converts a number (it would wrap
 * 4294967316 into the int 20) and bad input is refused with a message that names the argument,
 * echoes what was typed and gives the usage; a call with the wrong number of arguments reaches the
 * catch-all {@code String...} overloads, which give the usage too.
 */
@Component(service = SensorCommands.class, property = {"osgi.command.scope=sensor",
        "osgi.command.function=log", "osgi.command.function=last"})
public final class SensorCommands {
    static final CommandUsage LOG = new CommandUsage("sensor:log <name> <temperature " + SensorReadings.MIN_TEMPERATURE
            + ".." + SensorReadings.MAX_TEMPERATURE + "> <humidity " + SensorReadings.MIN_HUMIDITY + ".."
            + SensorReadings.MAX_HUMIDITY + ">");
    static final CommandUsage LAST = new CommandUsage("sensor:last [name]");

    private final SensorReadings readings;

    @org.osgi.service.component.annotations.Activate
    public SensorCommands(@Reference SensorReadings readings) {
        this.readings = readings;
    }

    @Descriptor("log a sensor reading durably (the next offset of that sensor, timestamp now)")
    public LoggedReading log(
            @Descriptor("sensor name, 1 to 64 bytes of UTF-8, e.g. kitchen") String name,
            @Descriptor("temperature, whole degrees, -273 to 1000") String temperature,
            @Descriptor("relative humidity, whole percent, 0 to 100") String humidity) {
        try {
            SensorInput.name(name);
        } catch (IllegalArgumentException e) {
            throw LOG.refuse(e.getMessage());
        }
        int t = LOG.wholeNumber("temperature", temperature, SensorReadings.MIN_TEMPERATURE,
                SensorReadings.MAX_TEMPERATURE, "degrees");
        int h = LOG.wholeNumber("humidity", humidity, SensorReadings.MIN_HUMIDITY, SensorReadings.MAX_HUMIDITY,
                "percent");
        return readings.logSensorReading(name, t, h);
    }

    @Descriptor("(wrong or missing arguments: shows the usage of sensor:log)")
    public LoggedReading log(@Descriptor("the arguments given") String... arguments) {
        throw LOG.wrongArguments((Object[]) arguments);
    }

    @Descriptor("show the last reading of every sensor")
    public List<Reading> last() {
        return readings.lastReadings();
    }

    @Descriptor("show the last reading of one sensor")
    public Object last(@Descriptor("sensor name") String name) {
        return readings.lastReading(name).<Object>map(r -> r)
                .orElse("no reading of sensor " + Printable.text(name) + " yet");
    }

    @Descriptor("(wrong arguments: shows the usage of sensor:last)")
    public Object last(@Descriptor("the arguments given") String... arguments) {
        throw LAST.wrongArguments((Object[]) arguments);
    }
}
