package io.sink.reading.log;

import io.sink.api.Event;
import io.sink.api.text.Printable;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import java.util.Optional;

/**
 * Describes events in one line, for logs and shell commands. Keys are escaped by {@link Printable},
 * so a client cannot forge log lines or drive a terminal with control characters in a key; numbers
 * that are unsigned 64 bits (type, schema, offset) are printed unsigned.
 */
public final class EventFormat {

    private EventFormat() {
    }

    /** Whether the event is the example's sensor reading: event type 1, schema version 1. */
    public static boolean isSensorReading(Event event) {
        return event.eventTypeId() == SensorReadingCodec.EVENT_TYPE_ID
                && event.schemaVersion() == SensorReadingCodec.SCHEMA_VERSION;
    }

    /**
     * The reading of a sensor-reading event, or empty when it is another kind of event.
     *
     * @throws ProtocolException when it is a sensor reading whose payload does not decode
     */
    public static Optional<SensorReading> reading(Event event) throws ProtocolException {
        return isSensorReading(event) ? Optional.of(SensorReadingCodec.decode(event.eventData())) : Optional.empty();
    }

    /**
     * A sensor reading, e.g. {@code sensor=kitchen offset=12 timestamp=1700000000 temperature=70 humidity=40}.
     */
    public static String describe(Event event, SensorReading reading) {
        return "sensor=" + key(event) + " offset=" + Long.toUnsignedString(event.offset()) + " timestamp="
                + event.timestamp() + " temperature=" + reading.temperature() + " humidity=" + reading.humidity();
    }

    /** Any event by its header, e.g. {@code type=5 schema=2 key=dev offset=3 timestamp=17 size=12 bytes}. */
    public static String describeGeneric(Event event) {
        return "type=" + Long.toUnsignedString(event.eventTypeId()) + " schema="
                + Long.toUnsignedString(event.schemaVersion()) + " key=" + key(event) + " offset="
                + Long.toUnsignedString(event.offset()) + " timestamp=" + event.timestamp() + " size="
                + event.eventDataLength() + " bytes";
    }

    /**
     * The event decoded when it is a sensor reading, by its header otherwise; a sensor reading that
     * does not decode is described by its header followed by {@code (undecodable: <reason>)}.
     */
    public static String describe(Event event) {
        try {
            Optional<SensorReading> reading = reading(event);
            return reading.isPresent() ? describe(event, reading.get()) : describeGeneric(event);
        } catch (ProtocolException e) {
            return describeGeneric(event) + " (undecodable: " + Printable.inline(e.getMessage()) + ")";
        }
    }

    /** The event's key: its text when it is printable UTF-8 without spaces or quotes, else quoted or hex. */
    public static String key(Event event) {
        return printable(event.key());
    }

    /** Longest key shown in full; longer ones are cut, with their size. */
    public static final int MAX_SHOWN_KEY_BYTES = 128;

    /**
     * {@code bytes} escaped by {@link Printable#bytes(byte[], int)}: bare when plain UTF-8 without spaces,
     * quotes, {@code =} or backslashes, else quoted with escapes; more than {@value #MAX_SHOWN_KEY_BYTES}
     * bytes are cut and followed by {@code …(+<n> bytes)}.
     */
    public static String printable(byte[] bytes) {
        return Printable.bytes(bytes, MAX_SHOWN_KEY_BYTES);
    }
}
