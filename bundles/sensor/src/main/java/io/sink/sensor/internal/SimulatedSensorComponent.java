package io.sink.sensor.internal;

import io.sink.api.text.Printable;
import io.sink.sensor.SensorReadings;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated sensor per factory configuration of {@value #PID}: reads every {@code periodMillis}
 * on a thread of its own, created at activation and stopped (and waited for) at deactivation.
 */
@Component(service = {}, configurationPid = SimulatedSensorComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = SimulatedSensorComponent.Config.class, factory = true)
public final class SimulatedSensorComponent {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedSensorComponent.class);

    /** Factory configuration PID: one simulated sensor per configuration. */
    public static final String PID = "io.sink.sensor.simulated";

    @ObjectClassDefinition(name = "Sink simulated sensor",
            description = "A sensor that logs made-up temperature and humidity readings periodically.")
    public @interface Config {
        @AttributeDefinition(description = "Sensor name (the event key): 1 to 64 bytes of UTF-8, no control "
                + "characters, no leading or trailing white space.")
        String name() default "simulated";

        @AttributeDefinition(description = "Time between readings, in milliseconds (at least 10).", min = "10")
        long periodMillis() default 10_000;

        @AttributeDefinition(description = "Lowest temperature drawn (whole degrees, -273..1000).")
        int temperatureMin() default 60;

        @AttributeDefinition(description = "Highest temperature drawn (whole degrees, -273..1000).")
        int temperatureMax() default 80;

        @AttributeDefinition(description = "Lowest relative humidity drawn (percent, 0..100).")
        int humidityMin() default 30;

        @AttributeDefinition(description = "Highest relative humidity drawn (percent, 0..100).")
        int humidityMax() default 50;
    }

    private final ScheduledExecutorService executor;
    private final SimulatedSensor sensor;

    @Activate
    public SimulatedSensorComponent(@Reference SensorReadings readings, Config config) {
        SimulatedSensorSettings settings;
        try {
            settings = new SimulatedSensorSettings(config.name(), Duration.ofMillis(config.periodMillis()),
                    config.temperatureMin(), config.temperatureMax(), config.humidityMin(), config.humidityMax());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("configuration " + PID + ": " + e.getMessage(), e);
        }
        sensor = new SimulatedSensor(settings, readings, new SplittableRandom());
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sink-sensor-simulated-" + Printable.text(settings.name()));
            t.setDaemon(true);
            return t;
        });
        long period = settings.period().toMillis();
        executor.scheduleAtFixedRate(sensor::readOnce, period, period, TimeUnit.MILLISECONDS);
        LOG.info("simulated sensor {} started: a reading every {} ms", Printable.text(settings.name()), period);
    }

    /** The sensor, for tests. */
    SimulatedSensor sensor() {
        return sensor;
    }

    /** Whether its thread has ended, for tests. */
    boolean stopped() {
        return executor.isTerminated();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        executor.shutdown();
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
            LOG.warn("simulated sensor {}: the reading in progress did not end within 10 s; interrupting it",
                    Printable.text(sensor.settings().name()));
            executor.shutdownNow();
            executor.awaitTermination(10, TimeUnit.SECONDS);
        }
        LOG.info("simulated sensor {} stopped after {} readings ({} failed)",
                Printable.text(sensor.settings().name()), sensor.logged(), sensor.failed());
    }
}
