package io.sink.sensor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.sensor.LoggedReading;
import io.sink.sensor.Reading;
import io.sink.store.memory.internal.MemoryEventLog;
import io.sink.testsupport.LogOutbox;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The original example's tests, in Java, against the sensor service on the memory store. */
class ExampleTest {
    private static final Instant NOW = Instant.parse("2023-11-14T22:13:20Z");

    private MemoryEventLog log;
    private SensorLog sensors;

    @BeforeEach
    void setUp() {
        log = new MemoryEventLog(1000, new Random(1), sequence -> { });
        sensors = new SensorLog(() -> new LogOutbox(log, "memory"), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void threeReadingsOnTwoSensorsGiveTwoLastReadingsAndThreeEvents() {
        sensors.logSensorReading("kitchen", 70, 40);
        sensors.logSensorReading("garage", 55, 60);
        LoggedReading second = sensors.logSensorReading("kitchen", 72, 41);

        assertThat(second.reading()).isEqualTo(new Reading("kitchen", 2, NOW.getEpochSecond(), 72, 41));
        assertThat(sensors.lastReadings()).containsExactly(
                new Reading("garage", 1, NOW.getEpochSecond(), 55, 60),
                new Reading("kitchen", 2, NOW.getEpochSecond(), 72, 41));
        assertThat(sensors.lastReading("kitchen")).contains(second.reading());
        assertThat(sensors.lastReading("attic")).isEmpty();

        List<LoggedEvent> events = log.unacknowledged(Set.of(), Set.of(), 0, 100);
        assertThat(events).hasSize(3);
        assertThat(log.queueSize()).isEqualTo(3);
        assertThat(events).extracting(e -> e.event().ackKey()).containsExactly(AckKey.of(1, "kitchen", 1),
                AckKey.of(1, "garage", 1), AckKey.of(1, "kitchen", 2));
    }

    @Test
    void theEventIsTheOriginalExamplesBytes() throws Exception {
        sensors.logSensorReading("kitchen", 70, 40);
        Event event = log.nextEvent().orElseThrow();
        assertThat(event.eventTypeId()).isEqualTo(1);
        assertThat(event.schemaVersion()).isEqualTo(1);
        assertThat(event.keyAsString()).isEqualTo("kitchen");
        assertThat(event.offset()).isEqualTo(1);
        assertThat(event.timestamp()).isEqualTo(1_700_000_000L);
        // section 12 of the protocol: %{humidity: 40, temperature: 70} as Erlang/OTP 25 writes it
        assertThat(HexFormat.of().formatHex(event.eventData())).isEqualTo(
                "837400000002" + "640008" + HexFormat.of().formatHex("humidity".getBytes()) + "6128"
                        + "64000b" + HexFormat.of().formatHex("temperature".getBytes()) + "6146");
        assertThat(SensorReadingCodec.decode(event.eventData())).isEqualTo(new SensorReading(70, 40));
    }

    @Test
    void queueIsEmptyWithNoEvents() {
        assertThat(log.queueSize()).isZero();
        assertThat(log.nextEvent()).isEmpty();
        assertThat(sensors.lastReadings()).isEmpty();
    }

    @Test
    void nextEventIsTheFirstLogged() {
        LoggedReading first = sensors.logSensorReading("kitchen", 70, 40);
        sensors.logSensorReading("garage", 55, 60);
        sensors.logSensorReading("kitchen", 72, 41);

        assertThat(log.nextEvent().orElseThrow().ackKey()).isEqualTo(AckKey.of(1, "kitchen", 1));
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 1).get(0).sequence()).isEqualTo(first.sequence());
    }

    @Test
    void ackedEventsAreNotReturned() {
        sensors.logSensorReading("kitchen", 70, 40);
        sensors.logSensorReading("garage", 55, 60);
        sensors.logSensorReading("kitchen", 72, 41);

        log.acknowledge(List.of(AckKey.of(1, "kitchen", 1)));

        assertThat(log.queueSize()).isEqualTo(2);
        assertThat(log.nextEvent().orElseThrow().ackKey()).isEqualTo(AckKey.of(1, "garage", 1));
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 100)).extracting(e -> e.event().ackKey())
                .containsExactly(AckKey.of(1, "garage", 1), AckKey.of(1, "kitchen", 2));
        assertThat(sensors.lastReadings()).as("the last readings stay after delivery").hasSize(2);
    }
}
