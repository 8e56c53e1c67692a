package io.sink.protocol.etf;

import io.sink.api.Event;
import io.sink.api.text.Printable;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.ProtocolException.Kind;
import io.sink.protocol.internal.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Encodes a {@link SensorReading} as the Erlang external term of {@code %{humidity: H,
 * temperature: T}} exactly as OTP 25 writes it ({@code 83 74 00000002}, ATOM_EXT keys in sorted
 * order, SMALL_INTEGER_EXT for 0..255, INTEGER_EXT otherwise), and decodes it from any of the atom
 * encodings newer Erlang versions use.
 *
 * <p>Decoding is strict: the term must be a map of exactly these two atom keys to integers that fit
 * 32 bits; anything else is a {@link ProtocolException} of kind {@link Kind#MALFORMED_TERM} naming
 * what was found.
 */
public final class SensorReadingCodec {
    /** The event type id of a sensor reading in the example. */
    public static final long EVENT_TYPE_ID = 1;
    /** The schema version of a sensor reading in the example. */
    public static final long SCHEMA_VERSION = 1;

    private static final byte[] HUMIDITY = "humidity".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEMPERATURE = "temperature".getBytes(StandardCharsets.US_ASCII);

    private SensorReadingCodec() {
    }

    /** Bytes of the encoded term (between 35 and 41). */
    public static int encodedSize(SensorReading reading) {
        return 6 + Etf.atomSize(HUMIDITY) + Etf.integerSize(reading.humidity()) + Etf.atomSize(TEMPERATURE)
                + Etf.integerSize(reading.temperature());
    }

    /** Writes the term at {@code dst[off]}; returns the offset after it. */
    public static int encode(SensorReading reading, byte[] dst, int off) {
        Objects.checkFromIndexSize(off, encodedSize(reading), dst.length);
        int p = off;
        dst[p++] = (byte) Etf.VERSION;
        dst[p++] = (byte) Etf.MAP_EXT;
        p = Etf.int32(dst, p, 2);
        p = Etf.atom(dst, p, HUMIDITY);
        p = Etf.integer(dst, p, reading.humidity());
        p = Etf.atom(dst, p, TEMPERATURE);
        return Etf.integer(dst, p, reading.temperature());
    }

    public static byte[] encode(SensorReading reading) {
        byte[] out = new byte[encodedSize(reading)];
        encode(reading, out, 0);
        return out;
    }

    /**
     * The example's event for a reading: event type 1, schema 1, the sensor name as key (UTF-8).
     *
     * @throws IllegalArgumentException when offset or timestamp is negative
     */
    public static Event event(String sensor, long offset, long timestamp, SensorReading reading) {
        return Event.of(EVENT_TYPE_ID, SCHEMA_VERSION, sensor, offset, timestamp, encode(reading));
    }

    public static SensorReading decode(byte[] term) throws ProtocolException {
        return decode(term, 0, term.length);
    }

    /**
     * Decodes the term filling {@code src[off, off+len)}.
     *
     * @throws ProtocolException {@link Kind#MALFORMED_TERM} when it is not a map of exactly the atoms
     *     {@code temperature} and {@code humidity} to 32-bit integers, or bytes follow it
     */
    public static SensorReading decode(byte[] src, int off, int len) throws ProtocolException {
        Objects.checkFromIndexSize(off, len, src.length);
        Reader r = new Reader(src, off, len, Kind.MALFORMED_TERM, "sensor reading term");
        long arity = Etf.mapHeader(r);
        if (arity != 2) {
            throw r.malformed("map has " + arity + " pairs, expected 2 (temperature and humidity)");
        }
        Integer temperature = null;
        Integer humidity = null;
        for (int i = 0; i < 2; i++) {
            byte[] key = Etf.atom(r, "map key");
            int value = Etf.integer(r, key);
            if (Arrays.equals(key, TEMPERATURE) && temperature == null) {
                temperature = value;
            } else if (Arrays.equals(key, HUMIDITY) && humidity == null) {
                humidity = value;
            } else {
                throw r.malformed("unexpected or repeated key :" + Printable.bytes(key, 64)
                        + "; expected :temperature and :humidity once each");
            }
        }
        r.expectEnd("the map");
        return new SensorReading(temperature, humidity);
    }
}
