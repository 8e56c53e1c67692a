package io.sink.sensor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.sensor.Reading;
import io.sink.store.memory.internal.MemoryEventLog;
import io.sink.testsupport.Await;
import io.sink.testsupport.LogOutbox;
import java.lang.annotation.Annotation;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimulatedSensorTest {

    private static SimulatedSensorSettings settings(String name, int tMin, int tMax, int hMin, int hMax) {
        return new SimulatedSensorSettings(name, Duration.ofMillis(10), tMin, tMax, hMin, hMax);
    }

    @Test
    void readingsStayInTheirRanges() {
        MemoryEventLog log = new MemoryEventLog(10_000, new Random(1), s -> { });
        SensorLog sensors = new SensorLog(() -> new LogOutbox(log, "memory"), Clock.systemUTC());
        SimulatedSensor sensor = new SimulatedSensor(settings("sim", -5, 5, 40, 42), sensors, new SplittableRandom(3));
        for (int i = 0; i < 500; i++) {
            Reading r = sensor.readOnce().orElseThrow().reading();
            assertThat(r.temperature()).isBetween(-5, 5);
            assertThat(r.humidity()).isBetween(40, 42);
            assertThat(r.offset()).isEqualTo(i + 1);
        }
        assertThat(sensor.logged()).isEqualTo(500);
        assertThat(log.queueSize()).isEqualTo(500);
    }

    @Test
    void aFailingLogIsWarnedNotThrown() {
        MemoryEventLog tiny = new MemoryEventLog(2, new Random(1), s -> { });
        SimulatedSensor sensor = new SimulatedSensor(settings("sim", 1, 1, 1, 1),
                new SensorLog(() -> new LogOutbox(tiny, "memory"), Clock.systemUTC()), new SplittableRandom(3));
        assertThat(sensor.readOnce()).isPresent();
        assertThat(sensor.readOnce()).isPresent();
        assertThat(sensor.readOnce()).isEmpty();
        assertThat(sensor.readOnce()).isEmpty();
        assertThat(sensor.failed()).isEqualTo(2);
        tiny.acknowledge(java.util.List.of(io.sink.api.AckKey.of(1, "sim", 1)));
        assertThat(sensor.readOnce()).as("logging resumes once there is room").isPresent();
    }

    @Test
    void badSettingsNameTheProperty() {
        assertThatThrownBy(() -> settings("", 1, 2, 3, 4)).hasMessageContaining("name:");
        assertThatThrownBy(() -> new SimulatedSensorSettings("a", Duration.ofMillis(5), 1, 2, 3, 4))
                .hasMessageContaining("periodMillis must be at least 10, got 5");
        assertThatThrownBy(() -> settings("a", 5, 4, 3, 4))
                .hasMessageContaining("temperatureMin (5) must not be above");
        assertThatThrownBy(() -> settings("a", 1, 2, 50, 40)).hasMessageContaining("humidityMin (50)");
        assertThatThrownBy(() -> settings("a", -300, 2, 3, 4)).hasMessageContaining("temperatureMin must be between");
        assertThatThrownBy(() -> settings("a", 1, 2, 3, 101)).hasMessageContaining("humidityMax must be between");
    }

    static SimulatedSensorComponent.Config config(String name, long period) {
        return new SimulatedSensorComponent.Config() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public long periodMillis() {
                return period;
            }

            @Override
            public int temperatureMin() {
                return 60;
            }

            @Override
            public int temperatureMax() {
                return 80;
            }

            @Override
            public int humidityMin() {
                return 30;
            }

            @Override
            public int humidityMax() {
                return 50;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return SimulatedSensorComponent.Config.class;
            }
        };
    }

    @Test
    void theComponentReadsPeriodicallyAndStopsItsThread() throws Exception {
        MemoryEventLog log = new MemoryEventLog(10_000, new Random(1), s -> { });
        SensorLog sensors = new SensorLog(() -> new LogOutbox(log, "memory"), Clock.systemUTC());
        SimulatedSensorComponent component = new SimulatedSensorComponent(sensors, config("porch", 10));
        Await.until("three readings", () -> log.queueSize() >= 3);
        component.deactivate();
        assertThat(component.stopped()).isTrue();
        long after = log.queueSize();
        assertThat(sensors.lastReading("porch").orElseThrow().offset()).isEqualTo(after);
        assertThat(component.sensor().logged()).isEqualTo(after);
    }

    @Test
    void theComponentRefusesABadConfigurationNamingThePid() {
        MemoryEventLog log = new MemoryEventLog(10, new Random(1), s -> { });
        assertThatThrownBy(() -> new SimulatedSensorComponent(new SensorLog(() -> new LogOutbox(log, "memory"), Clock.systemUTC()),
                config("porch", 1))).hasMessageContaining("io.sink.sensor.simulated")
                .hasMessageContaining("periodMillis");
    }
}
