package io.sink.protocol.etf;

import io.sink.api.Event;
import io.sink.api.text.Printable;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.ProtocolException.Kind;
import io.sink.protocol.internal.Reader;
import io.sink.protocol.internal.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The sensor-configuration event the server publishes to a client: event type
 * {@value #EVENT_TYPE_ID}, schema {@value #SCHEMA_VERSION}, the sensor's uuid as key (its 36-character
 * lower-case text, UTF-8), and as event data the Erlang external term of the map
 * {@code %{op: :add | :change, name: "...", kind: "simulated", period_ms: 2000}} or
 * {@code %{op: :remove}}: the same encoding as the readings, so that the original Elixir
 * implementation decodes it with {@code :erlang.binary_to_term/1}.
 *
 * <p>Written as OTP 25 writes it: {@code 131 116 <arity u32>}, the atom keys in sorted order
 * ({@code kind, name, op, period_ms}) as ATOM_EXT, the strings as BINARY_EXT, the op as an ATOM_EXT
 * and the period as SMALL_INTEGER_EXT (0..255) or INTEGER_EXT. Read in any key order and any atom
 * encoding. Decoding is strict: exactly the keys of the op, each once, values of the right types and
 * ranges ({@link SensorConfig}); anything else is a {@link ProtocolException} of kind
 * {@link Kind#MALFORMED_TERM} naming what was found.
 */
public final class SensorConfigCodec {
    /** The event type id of a sensor-configuration event. */
    public static final long EVENT_TYPE_ID = 2;
    /** The schema version this codec reads and writes. */
    public static final long SCHEMA_VERSION = 1;

    private static final byte[] KIND = ascii("kind");
    private static final byte[] NAME = ascii("name");
    private static final byte[] OP = ascii("op");
    private static final byte[] PERIOD_MS = ascii("period_ms");
    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private SensorConfigCodec() {
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    public static byte[] encode(SensorConfig config) {
        byte[] op = ascii(config.op().atom());
        if (config.op() == SensorConfig.Op.REMOVE) {
            byte[] out = new byte[6 + Etf.atomSize(OP) + Etf.atomSize(op)];
            int p = header(out, 1);
            p = Etf.atom(out, p, OP);
            Etf.atom(out, p, op);
            return out;
        }
        byte[] kind = config.kind().getBytes(StandardCharsets.UTF_8);
        byte[] name = config.name().getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[6 + Etf.atomSize(KIND) + Etf.binarySize(kind) + Etf.atomSize(NAME)
                + Etf.binarySize(name) + Etf.atomSize(OP) + Etf.atomSize(op) + Etf.atomSize(PERIOD_MS)
                + Etf.integerSize(config.periodMillis())];
        int p = header(out, 4);
        p = Etf.atom(out, p, KIND);
        p = Etf.binary(out, p, kind);
        p = Etf.atom(out, p, NAME);
        p = Etf.binary(out, p, name);
        p = Etf.atom(out, p, OP);
        p = Etf.atom(out, p, op);
        p = Etf.atom(out, p, PERIOD_MS);
        Etf.integer(out, p, config.periodMillis());
        return out;
    }

    private static int header(byte[] out, int arity) {
        out[0] = (byte) Etf.VERSION;
        out[1] = (byte) Etf.MAP_EXT;
        return Etf.int32(out, 2, arity);
    }

    /** The event for {@code config} of sensor {@code sensorId}. */
    public static Event event(UUID sensorId, long offset, long timestamp, SensorConfig config) {
        return Event.of(EVENT_TYPE_ID, SCHEMA_VERSION, sensorId.toString(), offset, timestamp, encode(config));
    }

    /**
     * The sensor uuid an event's key holds.
     *
     * @throws ProtocolException {@link Kind#MALFORMED_TERM} when the key is not a uuid's 36-character lower-case text
     */
    public static UUID sensorId(Event event) throws ProtocolException {
        String key = event.keyAsString();
        if (event.keyLength() != 36 || !UUID_TEXT.matcher(key).matches()) {
            throw new ProtocolException(Kind.MALFORMED_TERM, "sensor-configuration key "
                    + Printable.quotedBytes(event.key()) + " is not a uuid in its 36-character lower-case text");
        }
        return UUID.fromString(key);
    }

    public static SensorConfig decode(byte[] term) throws ProtocolException {
        return decode(term, 0, term.length);
    }

    /**
     * Decodes the term filling {@code src[off, off+len)}.
     *
     * @throws ProtocolException {@link Kind#MALFORMED_TERM} when it is not one of the two maps, or bytes follow it
     */
    public static SensorConfig decode(byte[] src, int off, int len) throws ProtocolException {
        Objects.checkFromIndexSize(off, len, src.length);
        Reader r = new Reader(src, off, len, Kind.MALFORMED_TERM, "sensor-configuration term");
        long arity = Etf.mapHeader(r);
        if (arity != 1 && arity != 4) {
            throw r.malformed("map has " + arity + " pairs, expected 1 (op: :remove) or 4 (op, name, kind, period_ms)");
        }
        String op = null;
        String name = null;
        String kind = null;
        Integer period = null;
        for (long i = 0; i < arity; i++) {
            byte[] key = Etf.atom(r, "map key");
            if (Arrays.equals(key, OP) && op == null) {
                op = new String(Etf.atom(r, "value of :op"), StandardCharsets.ISO_8859_1);
            } else if (Arrays.equals(key, NAME) && name == null) {
                name = text(r, key, SensorConfig.MAX_NAME_BYTES);
            } else if (Arrays.equals(key, KIND) && kind == null) {
                kind = text(r, key, SensorConfig.MAX_KIND_BYTES);
            } else if (Arrays.equals(key, PERIOD_MS) && period == null) {
                period = Etf.integer(r, key);
            } else {
                throw r.malformed("unexpected or repeated key :" + Printable.bytes(key, 64)
                        + "; expected :op, and for an add or change :name, :kind and :period_ms, once each");
            }
        }
        r.expectEnd("the map");
        if (op == null) {
            throw r.malformed("has no :op");
        }
        SensorConfig.Op parsed = switch (op) {
            case "add" -> SensorConfig.Op.ADD;
            case "change" -> SensorConfig.Op.CHANGE;
            case "remove" -> SensorConfig.Op.REMOVE;
            default -> throw r.malformed("op :" + Printable.inline(op, 64) + " is unknown; expected :add, :change"
                    + " or :remove");
        };
        if (parsed == SensorConfig.Op.REMOVE) {
            if (arity != 1) {
                throw r.malformed("op :remove carries no other key, found " + (arity - 1) + " more");
            }
            return SensorConfig.remove();
        }
        if (arity != 4) {
            throw r.malformed("op :" + op + " needs :name, :kind and :period_ms");
        }
        try {
            return new SensorConfig(parsed, name, kind, period);
        } catch (IllegalArgumentException e) {
            throw r.malformed(e.getMessage());
        }
    }

    private static String text(Reader r, byte[] key, int maxBytes) throws ProtocolException {
        byte[] bytes = Etf.binary(r, key, maxBytes);
        String text = Utf8.decodeStrict(bytes, 0, bytes.length);
        if (text == null) {
            throw r.malformed("value of :" + Printable.bytes(key, 64) + " is not UTF-8: " + Printable.quotedBytes(bytes));
        }
        return text;
    }
}
