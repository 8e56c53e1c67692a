package io.sink.sensor.internal;

import io.sink.api.client.GroundEventLog;
import io.sink.sensor.LoggedReading;
import io.sink.sensor.Reading;
import io.sink.sensor.SensorReadings;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The {@link SensorReadings} service over the event log chosen by {@code eventLog.target}. The
 * reference is dynamic and greedy: changing the target (or a better-ranked log appearing) swaps the
 * log under the running service; a reading is logged into whichever log is bound at that moment.
 */
@Component(service = SensorReadings.class, configurationPid = SensorReadingsComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = SensorReadingsComponent.Config.class)
public final class SensorReadingsComponent implements SensorReadings {
    /** Configuration PID (optional). */
    public static final String PID = "io.sink.sensor";
    /** The event log bound when no configuration says otherwise: any store. */
    public static final String DEFAULT_EVENT_LOG_TARGET = "(" + GroundEventLog.STORE_TYPE + "=*)";

    @ObjectClassDefinition(name = "Sink sensor readings",
            description = "Logs the example's sensor readings into the client's event log.")
    public @interface Config {
        @AttributeDefinition(name = "Event log target", description = "Filter choosing the event log, e.g. "
                + "(sink.store.type=sqlite) or (sink.store.type=memory). Changing it swaps the log while running.")
        String eventLog_target() default DEFAULT_EVENT_LOG_TARGET;
    }

    @Reference(policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = DEFAULT_EVENT_LOG_TARGET)
    private volatile GroundEventLog eventLog;

    private final SensorLog readings = new SensorLog(() -> eventLog, Clock.systemUTC());

    @Activate
    @Modified
    void configure(Config config) {
        Targets.check(PID, "eventLog.target", config.eventLog_target());
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
