package io.sink.sensor.internal;

import io.sink.api.Event;
import io.sink.api.client.GroundEventLog;
import io.sink.api.client.Outbox;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.sensor.LoggedReading;
import io.sink.sensor.Reading;
import io.sink.sensor.SensorReadings;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sensor readings, logged through the client's {@link Outbox} (which holds the one choice of
 * store, and swaps it for every producer at once).
 */
public final class SensorLog implements SensorReadings {
    private static final Logger LOG = LoggerFactory.getLogger(SensorLog.class);

    private final Supplier<Outbox> eventLog;
    private final Clock clock;

    public SensorLog(Supplier<Outbox> eventLog, Clock clock) {
        this.eventLog = Objects.requireNonNull(eventLog, "eventLog");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public LoggedReading logSensorReading(String name, int temperature, int humidity) {
        byte[] key = SensorInput.name(name);
        SensorInput.temperature(temperature);
        SensorInput.humidity(humidity);
        byte[] payload = SensorReadingCodec.encode(new SensorReading(temperature, humidity));
        long timestamp = clock.instant().getEpochSecond();
        GroundEventLog.LoggedEvent logged = log().appendNext(EVENT_TYPE_ID, SCHEMA_VERSION, key, timestamp,
                payload);
        Event event = logged.event();
        return new LoggedReading(logged.sequence(),
                new Reading(name, event.offset(), event.timestamp(), temperature, humidity));
    }

    @Override
    public Optional<Reading> lastReading(String name) {
        byte[] key = SensorInput.name(name);
        return log().lastEvent(EVENT_TYPE_ID, key).flatMap(SensorLog::decode);
    }

    @Override
    public List<Reading> lastReadings() {
        List<Reading> readings = new ArrayList<>();
        for (Event event : log().lastEvents(EVENT_TYPE_ID)) {
            decode(event).ifPresent(readings::add);
        }
        return readings;
    }

    private Outbox log() {
        Outbox log = eventLog.get();
        if (log == null) {
            throw new IllegalStateException("no outbox is available to hold sensor readings");
        }
        return log;
    }

    /** A reading from an event of type 1; one that is not a reading is skipped with a warning. */
    private static Optional<Reading> decode(Event event) {
        try {
            SensorReading reading = SensorReadingCodec.decode(event.eventData());
            return Optional.of(new Reading(event.keyAsString(), event.offset(), event.timestamp(),
                    reading.temperature(), reading.humidity()));
        } catch (ProtocolException e) {
            LOG.warn("event {} has event type {} but is not a sensor reading; skipped: {}", event.ackKey(),
                    EVENT_TYPE_ID, e.getMessage());
            return Optional.empty();
        }
    }
}
