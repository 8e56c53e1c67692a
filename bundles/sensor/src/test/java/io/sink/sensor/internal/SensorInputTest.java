package io.sink.sensor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.sensor.SensorReadings;
import io.sink.store.memory.internal.MemoryEventLog;
import io.sink.testsupport.LogOutbox;
import java.time.Clock;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input is refused with a message naming the problem, and writes nothing. */
class SensorInputTest {
    private MemoryEventLog log;
    private SensorLog sensors;

    @BeforeEach
    void setUp() {
        log = new MemoryEventLog(1000, new Random(1), sequence -> { });
        sensors = new SensorLog(() -> new LogOutbox(log, "memory"), Clock.systemUTC());
    }

    private void refused(String name, int temperature, int humidity, String message) {
        assertThatThrownBy(() -> sensors.logSensorReading(name, temperature, humidity))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
        assertThat(log.queueSize()).as("nothing written").isZero();
        assertThat(log.lastEvents(SensorReadings.EVENT_TYPE_ID)).isEmpty();
    }

    @Test
    void badNamesAreRefused() {
        refused(null, 20, 50, "sensor name is missing");
        refused("", 20, 50, "must not be empty");
        refused(" kitchen", 20, 50, "white space");
        refused("kitchen\t", 20, 50, "control character U+0009");
        refused("kit\nchen", 20, 50, "control character U+000A at index 3");
        refused("kit\u0000chen", 20, 50, "U+0000");
        refused("kit\u007fchen", 20, 50, "U+007F");
        refused("kit\u0085chen", 20, 50, "U+0085");
        refused("bad\ud800", 20, 50, "not valid Unicode");
        refused("x".repeat(65), 20, 50, "65 bytes in UTF-8, at most 64");
        refused("é".repeat(33), 20, 50, "66 bytes in UTF-8");
    }

    @ParameterizedTest
    @CsvSource({"-274, 50, temperature -274 is out of range", "1001, 50, temperature 1001 is out of range",
            "2147483647, 50, temperature 2147483647", "-2147483648, 50, temperature -2147483648",
            "20, -1, humidity -1 is out of range", "20, 101, humidity 101 is out of range"})
    void readingsOutOfRangeAreRefused(int temperature, int humidity, String message) {
        refused("kitchen", temperature, humidity, message);
    }

    @Test
    void theLimitsThemselvesAreAccepted() {
        sensors.logSensorReading("x".repeat(64), -273, 0);
        sensors.logSensorReading("é".repeat(32), 1000, 100);
        sensors.logSensorReading("Küche 2", 70, 40);
        assertThat(sensors.lastReadings()).extracting(r -> r.temperature()).containsExactlyInAnyOrder(-273, 1000, 70);
        assertThat(log.queueSize()).isEqualTo(3);
    }

    @Test
    void lastReadingChecksTheNameToo() {
        assertThatThrownBy(() -> sensors.lastReading("a\nb")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control character");
    }

    @Test
    void withoutAnOutboxTheCallFailsClearly() {
        SensorLog orphan = new SensorLog(() -> null, Clock.systemUTC());
        assertThatThrownBy(() -> orphan.logSensorReading("kitchen", 70, 40))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no outbox");
    }

    @Test
    void aFullLogIsReportedAsSuch() {
        MemoryEventLog tiny = new MemoryEventLog(1, new Random(1), sequence -> { });
        SensorLog onTiny = new SensorLog(() -> new LogOutbox(tiny, "memory"), Clock.systemUTC());
        onTiny.logSensorReading("kitchen", 70, 40);
        assertThatThrownBy(() -> onTiny.logSensorReading("kitchen", 71, 40))
                .isInstanceOf(io.sink.api.client.EventLogFullException.class);
        assertThat(onTiny.lastReading("kitchen").orElseThrow().temperature()).isEqualTo(70);
    }

    @Test
    void anEventOfTypeOneThatIsNotAReadingIsSkipped() {
        log.appendNext(1, 1, "broken".getBytes(), 1, new byte[] {1, 2, 3});
        sensors.logSensorReading("kitchen", 70, 40);
        assertThat(sensors.lastReadings()).extracting(r -> r.sensor()).containsExactly("kitchen");
        assertThat(sensors.lastReading("broken")).isEmpty();
    }
}
