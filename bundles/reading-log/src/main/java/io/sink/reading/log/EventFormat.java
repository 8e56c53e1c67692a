package io.sink.reading.log;

import io.sink.api.Event;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Describes events in one line, for logs and shell commands. Keys are shown as text only when they
 * are printable UTF-8 (otherwise as hex), so a client cannot forge log lines with control
 * characters in a key.
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
        return "sensor=" + key(event) + " offset=" + event.offset() + " timestamp=" + event.timestamp()
                + " temperature=" + reading.temperature() + " humidity=" + reading.humidity();
    }

    /** Any event by its header, e.g. {@code type=5 schema=2 key=dev offset=3 timestamp=17 size=12 bytes}. */
    public static String describeGeneric(Event event) {
        return "type=" + event.eventTypeId() + " schema=" + event.schemaVersion() + " key=" + key(event)
                + " offset=" + event.offset() + " timestamp=" + event.timestamp() + " size="
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
            return describeGeneric(event) + " (undecodable: " + e.getMessage() + ")";
        }
    }

    /** The event's key: its text when it is printable UTF-8 without spaces or quotes, else quoted or hex. */
    public static String key(Event event) {
        return printable(event.key());
    }

    /** Longest key shown in full; longer ones are cut, with their size. */
    public static final int MAX_SHOWN_KEY_BYTES = 128;

    /**
     * {@code bytes} as text when printable UTF-8 (quoted when it holds spaces, quotes, {@code =} or
     * backslashes), else {@code 0x<hex>}; more than {@value #MAX_SHOWN_KEY_BYTES} bytes are cut and
     * followed by {@code ...(<n> bytes)}.
     */
    public static String printable(byte[] bytes) {
        if (bytes.length > MAX_SHOWN_KEY_BYTES) {
            return "0x" + HexFormat.of().formatHex(bytes, 0, MAX_SHOWN_KEY_BYTES) + "...(" + bytes.length + " bytes)";
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return "0x" + HexFormat.of().formatHex(bytes);
        }
        boolean printable = !text.isEmpty() && text.codePoints().allMatch(c -> !Character.isISOControl(c)
                && Character.getType(c) != Character.LINE_SEPARATOR
                && Character.getType(c) != Character.PARAGRAPH_SEPARATOR
                && Character.getType(c) != Character.FORMAT);
        if (!printable) {
            return text.isEmpty() ? "\"\"" : "0x" + HexFormat.of().formatHex(bytes);
        }
        if (text.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=' || c == '\\')) {
            return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        return text;
    }
}
