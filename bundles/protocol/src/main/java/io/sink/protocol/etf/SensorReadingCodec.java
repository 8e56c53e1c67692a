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

    private static final int VERSION = 131;
    private static final int SMALL_INTEGER_EXT = 97;
    private static final int INTEGER_EXT = 98;
    private static final int ATOM_EXT = 100;
    private static final int MAP_EXT = 116;
    private static final int SMALL_ATOM_EXT = 115;
    private static final int ATOM_UTF8_EXT = 118;
    private static final int SMALL_ATOM_UTF8_EXT = 119;
    private static final byte[] HUMIDITY = "humidity".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TEMPERATURE = "temperature".getBytes(StandardCharsets.US_ASCII);

    private SensorReadingCodec() {
    }

    /** Bytes of the encoded term (between 35 and 41). */
    public static int encodedSize(SensorReading reading) {
        return 6 + 3 + HUMIDITY.length + integerSize(reading.humidity()) + 3 + TEMPERATURE.length
                + integerSize(reading.temperature());
    }

    private static int integerSize(int value) {
        return value >= 0 && value <= 255 ? 2 : 5;
    }

    /** Writes the term at {@code dst[off]}; returns the offset after it. */
    public static int encode(SensorReading reading, byte[] dst, int off) {
        Objects.checkFromIndexSize(off, encodedSize(reading), dst.length);
        int p = off;
        dst[p++] = (byte) VERSION;
        dst[p++] = (byte) MAP_EXT;
        p = int32(dst, p, 2);
        p = atom(dst, p, HUMIDITY);
        p = integer(dst, p, reading.humidity());
        p = atom(dst, p, TEMPERATURE);
        return integer(dst, p, reading.temperature());
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

    private static int int32(byte[] dst, int p, int v) {
        dst[p] = (byte) (v >>> 24);
        dst[p + 1] = (byte) (v >>> 16);
        dst[p + 2] = (byte) (v >>> 8);
        dst[p + 3] = (byte) v;
        return p + 4;
    }

    private static int atom(byte[] dst, int p, byte[] name) {
        dst[p] = (byte) ATOM_EXT;
        dst[p + 1] = 0;
        dst[p + 2] = (byte) name.length;
        System.arraycopy(name, 0, dst, p + 3, name.length);
        return p + 3 + name.length;
    }

    private static int integer(byte[] dst, int p, int value) {
        if (value >= 0 && value <= 255) {
            dst[p] = (byte) SMALL_INTEGER_EXT;
            dst[p + 1] = (byte) value;
            return p + 2;
        }
        dst[p] = (byte) INTEGER_EXT;
        return int32(dst, p + 1, value);
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
        int version = r.u8("version byte");
        if (version != VERSION) {
            throw r.malformed("starts with " + version + ", not the external term format version 131");
        }
        int tag = r.u8("term tag");
        if (tag != MAP_EXT) {
            throw r.malformed("is term tag " + tag + ", expected a map (MAP_EXT 116)");
        }
        long arity = r.u32("map arity");
        if (arity != 2) {
            throw r.malformed("map has " + arity + " pairs, expected 2 (temperature and humidity)");
        }
        Integer temperature = null;
        Integer humidity = null;
        for (int i = 0; i < 2; i++) {
            byte[] key = atom(r);
            int value = integer(r, key);
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

    private static byte[] atom(Reader r) throws ProtocolException {
        int tag = r.u8("key tag");
        int length;
        switch (tag) {
            case ATOM_EXT:
            case ATOM_UTF8_EXT:
                length = r.u16("atom length");
                break;
            case SMALL_ATOM_EXT:
            case SMALL_ATOM_UTF8_EXT:
                length = r.u8("atom length");
                break;
            default:
                throw r.malformed("map key has term tag " + tag + ", expected an atom (ATOM_EXT 100, SMALL_ATOM_EXT "
                        + "115, ATOM_UTF8_EXT 118 or SMALL_ATOM_UTF8_EXT 119)");
        }
        return r.bytes(length, "atom name");
    }

    private static int integer(Reader r, byte[] key) throws ProtocolException {
        int tag = r.u8("value tag");
        switch (tag) {
            case SMALL_INTEGER_EXT:
                return r.u8("small integer");
            case INTEGER_EXT:
                return r.i32("integer");
            default:
                throw r.malformed("value of :" + Printable.bytes(key, 64) + " has term tag " + tag
                        + ", expected an integer (SMALL_INTEGER_EXT 97 or INTEGER_EXT 98)");
        }
    }
}
