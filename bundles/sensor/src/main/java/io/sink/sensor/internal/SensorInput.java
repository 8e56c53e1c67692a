package io.sink.sensor.internal;

import io.sink.api.text.Printable;
import io.sink.sensor.SensorReadings;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The input rules of {@link SensorReadings}; every message names the value and the rule it breaks. */
public final class SensorInput {
    private SensorInput() {
    }

    /**
     * Checks a sensor name and returns its UTF-8 bytes (the event key).
     *
     * @throws IllegalArgumentException naming the rule the name breaks
     */
    public static byte[] name(String name) {
        if (name == null) {
            throw new IllegalArgumentException("sensor name is missing");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("sensor name must not be empty");
        }
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException(String.format("sensor name %s contains the control character "
                        + "U+%04X at index %d", quoted(name), c, i));
            }
            i += Character.charCount(c);
        }
        if (Character.isWhitespace(name.codePointAt(0))
                || Character.isWhitespace(name.codePointBefore(name.length()))) {
            throw new IllegalArgumentException("sensor name " + quoted(name)
                    + " must not start or end with white space");
        }
        byte[] utf8;
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(name));
            utf8 = new byte[encoded.remaining()];
            encoded.get(utf8);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("sensor name " + quoted(name)
                    + " is not valid Unicode (it has an unpaired surrogate)", e);
        }
        if (utf8.length > SensorReadings.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("sensor name " + quoted(name) + " is " + utf8.length
                    + " bytes in UTF-8, at most " + SensorReadings.MAX_NAME_BYTES + " are allowed");
        }
        return utf8;
    }

    /** @throws IllegalArgumentException when the temperature is out of range */
    public static int temperature(int temperature) {
        if (temperature < SensorReadings.MIN_TEMPERATURE || temperature > SensorReadings.MAX_TEMPERATURE) {
            throw new IllegalArgumentException("temperature " + temperature + " is out of range: it must be between "
                    + SensorReadings.MIN_TEMPERATURE + " and " + SensorReadings.MAX_TEMPERATURE + " degrees");
        }
        return temperature;
    }

    /** @throws IllegalArgumentException when the humidity is out of range */
    public static int humidity(int humidity) {
        if (humidity < SensorReadings.MIN_HUMIDITY || humidity > SensorReadings.MAX_HUMIDITY) {
            throw new IllegalArgumentException("humidity " + humidity + " is out of range: it must be between "
                    + SensorReadings.MIN_HUMIDITY + " and " + SensorReadings.MAX_HUMIDITY + " percent");
        }
        return humidity;
    }

    /** The name quoted and escaped ({@link Printable}), cut short when long: safe to put in a message. */
    static String quoted(String name) {
        return Printable.quoted(name, 2 * SensorReadings.MAX_NAME_BYTES);
    }
}
