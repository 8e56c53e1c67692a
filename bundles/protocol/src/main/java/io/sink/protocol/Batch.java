package io.sink.protocol;

import io.sink.api.Event;
import io.sink.api.Limits;
import io.sink.protocol.ProtocolException.Kind;
import io.sink.protocol.internal.ByteWriter;
import io.sink.protocol.internal.Gzip;
import io.sink.protocol.internal.Reader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The columnar batch encoding of a list of events (section 11), byte for byte as the original's
 * {@code Sink.Connection.Protocol.Batch}: a flags byte, header varints for the homogeneous values
 * and the first offset and timestamp, then the body (gzip-compressed when that makes it smaller).
 *
 * <p>Decoding is strict where the original is lenient (every column must hold exactly one value
 * per event, nothing may follow the event data) and bounded by {@link BatchLimits}: nothing is
 * allocated on the word of a count or length in the input beyond the input's own size or the limits.
 */
public final class Batch {
    /** Bit 6: the body is gzip-compressed. */
    public static final int FLAG_COMPRESSED = 0x40;
    /** Bit 5: every event has the event_type_id in the header. */
    public static final int FLAG_EVENT_TYPE_ID = 0x20;
    /** Bit 4: every event has the schema_version in the header. */
    public static final int FLAG_SCHEMA_VERSION = 0x10;
    /** Bit 3: every key has the length in the header. */
    public static final int FLAG_KEY_LENGTH = 0x08;
    /** Bit 2: offsets are zigzag deltas from the previous one, starting at the header's. */
    public static final int FLAG_OFFSET_DELTA = 0x04;
    /** Bit 1: timestamps are zigzag deltas from the previous one, starting at the header's. */
    public static final int FLAG_TIMESTAMP_DELTA = 0x02;
    /** Bit 0: every event_data has the length in the header. */
    public static final int FLAG_EVENT_DATA_LENGTH = 0x01;

    private static final int RESERVED = 0x80;

    private Batch() {
    }

    /** What is left of the limits while a batch or a whole snapshot is decoded. */
    static final class Budget {
        final BatchLimits limits;
        long bodyLeft;
        long eventsLeft;

        Budget(BatchLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            this.bodyLeft = limits.maxBodySize();
            this.eventsLeft = limits.maxEvents();
        }
    }

    /**
     * Encodes a batch exactly as the original does: homogeneous flags set when a value is the same
     * for every event, offset and timestamp always delta-encoded, the body gzip-compressed
     * (mtime 0, OS 3, level 6) only when that makes it smaller.
     *
     * @throws IllegalArgumentException when {@code events} is empty (the original cannot encode that)
     */
    public static byte[] encode(List<Event> events) {
        Objects.requireNonNull(events, "events");
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a batch holds at least one event, got none");
        }
        Event first = Objects.requireNonNull(events.get(0), "events[0]");
        int n = events.size();
        boolean sameType = true;
        boolean sameSchema = true;
        boolean sameKeyLength = true;
        boolean sameDataLength = true;
        boolean offsetDelta = true;
        long keyBytes = 0;
        long dataBytes = 0;
        for (int i = 0; i < n; i++) {
            Event e = events.get(i);
            if (e == null) {
                throw new NullPointerException("events[" + i + "] is null");
            }
            sameType &= e.eventTypeId() == first.eventTypeId();
            sameSchema &= e.schemaVersion() == first.schemaVersion();
            sameKeyLength &= e.keyLength() == first.keyLength();
            sameDataLength &= e.eventDataLength() == first.eventDataLength();
            offsetDelta &= i == 0 || deltaFits(e.offset(), events.get(i - 1).offset());
            keyBytes += e.keyLength();
            dataBytes += e.eventDataLength();
        }
        if (keyBytes + dataBytes > Integer.MAX_VALUE - (long) n * 64) {
            throw new IllegalArgumentException("batch of " + n + " events is too large to encode ("
                    + (keyBytes + dataBytes) + " bytes of keys and data)");
        }
        ByteWriter types = new ByteWriter(sameType ? 0 : n * 2);
        ByteWriter schemas = new ByteWriter(sameSchema ? 0 : n);
        ByteWriter keyLengths = new ByteWriter(sameKeyLength ? 0 : n * 2);
        ByteWriter keys = new ByteWriter((int) keyBytes);
        ByteWriter offsets = new ByteWriter(n * 2);
        ByteWriter timestamps = new ByteWriter(n * 2);
        ByteWriter dataLengths = new ByteWriter(sameDataLength ? 0 : n * 2);
        ByteWriter data = new ByteWriter((int) dataBytes);
        long lastOffset = first.offset();
        long lastTimestamp = first.timestamp();
        for (int i = 0; i < n; i++) {
            Event e = events.get(i);
            if (!sameType) {
                types.varint(e.eventTypeId());
            }
            if (!sameSchema) {
                schemas.varint(e.schemaVersion());
            }
            if (!sameKeyLength) {
                keyLengths.varint(e.keyLength());
            }
            e.copyKeyTo(keys.array(), keys.reserve(e.keyLength()));
            // Timestamps are non-negative longs, so their differences fit a long; offsets are unsigned
            // 64 bits and delta-encoded only when every difference fits a long (checked above).
            offsets.varint(offsetDelta ? Zigzag.encode(e.offset() - lastOffset) : e.offset());
            timestamps.varint(Zigzag.encode(e.timestamp() - lastTimestamp));
            lastOffset = e.offset();
            lastTimestamp = e.timestamp();
            if (!sameDataLength) {
                dataLengths.varint(e.eventDataLength());
            }
            e.copyEventDataTo(data.array(), data.reserve(e.eventDataLength()));
        }
        ByteWriter body = new ByteWriter(keys.size() + data.size() + offsets.size() + timestamps.size() + 64);
        body.varint(n);
        if (!sameType) {
            body.chunk(types);
        }
        if (!sameSchema) {
            body.chunk(schemas);
        }
        if (!sameKeyLength) {
            body.chunk(keyLengths);
        }
        body.chunk(keys).chunk(offsets).chunk(timestamps);
        if (!sameDataLength) {
            body.chunk(dataLengths);
        }
        body.bytes(data.array(), 0, data.size());

        byte[] gzipped = Gzip.compress(body.array(), 0, body.size());
        boolean compressed = gzipped.length < body.size();
        int flags = (compressed ? FLAG_COMPRESSED : 0) | (sameType ? FLAG_EVENT_TYPE_ID : 0)
                | (sameSchema ? FLAG_SCHEMA_VERSION : 0) | (sameKeyLength ? FLAG_KEY_LENGTH : 0)
                | (offsetDelta ? FLAG_OFFSET_DELTA : 0) | FLAG_TIMESTAMP_DELTA
                | (sameDataLength ? FLAG_EVENT_DATA_LENGTH : 0);
        ByteWriter out = new ByteWriter(1 + 6 * Varint.MAX_SIZE + (compressed ? gzipped.length : body.size()));
        out.u8(flags);
        if (sameType) {
            out.varint(first.eventTypeId());
        }
        if (sameSchema) {
            out.varint(first.schemaVersion());
        }
        if (sameKeyLength) {
            out.varint(first.keyLength());
        }
        if (offsetDelta) {
            out.varint(first.offset());
        }
        out.varint(first.timestamp());
        if (sameDataLength) {
            out.varint(first.eventDataLength());
        }
        if (compressed) {
            out.bytes(gzipped);
        } else {
            out.bytes(body.array(), 0, body.size());
        }
        return out.toByteArray();
    }

    public static List<Event> decode(byte[] batch) throws ProtocolException {
        return decode(batch, 0, batch.length, BatchLimits.DEFAULT);
    }

    public static List<Event> decode(byte[] src, int off, int len) throws ProtocolException {
        return decode(src, off, len, BatchLimits.DEFAULT);
    }

    /**
     * Decodes the batch filling {@code src[off, off+len)} into an unmodifiable list of events.
     *
     * @throws ProtocolException {@link Kind#MALFORMED_BATCH} when it does not follow the format (including
     *     a corrupt or truncated gzip body), {@link Kind#BATCH_TOO_LARGE} beyond {@code limits},
     *     {@link Kind#VALUE_OUT_OF_RANGE} when a number does not fit an {@link Event}
     */
    public static List<Event> decode(byte[] src, int off, int len, BatchLimits limits) throws ProtocolException {
        Objects.checkFromIndexSize(off, len, src.length);
        return decode(src, off, len, new Budget(limits));
    }

    static List<Event> decode(byte[] src, int off, int len, Budget budget) throws ProtocolException {
        Reader h = new Reader(src, off, len, Kind.MALFORMED_BATCH, "batch");
        int flags = h.u8("flags byte");
        if ((flags & RESERVED) != 0) {
            throw h.malformed("flags byte 0x" + Integer.toHexString(flags) + " sets the reserved bit 7");
        }
        boolean sameType = (flags & FLAG_EVENT_TYPE_ID) != 0;
        boolean sameSchema = (flags & FLAG_SCHEMA_VERSION) != 0;
        boolean sameKeyLength = (flags & FLAG_KEY_LENGTH) != 0;
        boolean offsetDelta = (flags & FLAG_OFFSET_DELTA) != 0;
        boolean timestampDelta = (flags & FLAG_TIMESTAMP_DELTA) != 0;
        boolean sameDataLength = (flags & FLAG_EVENT_DATA_LENGTH) != 0;
        long headerType = sameType ? h.varint("header event_type_id") : 0;
        long headerSchema = sameSchema ? h.varint("header schema_version") : 0;
        long headerKeyLength = sameKeyLength ? h.varint("header key length") : 0;
        long headerOffset = offsetDelta ? h.varint("header offset") : 0;
        long headerTimestamp = timestampDelta ? h.varint63("header timestamp") : 0;
        long headerDataLength = sameDataLength ? h.varint("header event_data length") : 0;

        byte[] body;
        int bodyOff;
        int bodyLen;
        if ((flags & FLAG_COMPRESSED) != 0) {
            body = Gzip.decompress(src, h.position(), h.remaining(), (int) budget.bodyLeft, "batch");
            bodyOff = 0;
            bodyLen = body.length;
        } else {
            if (h.remaining() > budget.bodyLeft) {
                throw new ProtocolException(Kind.BATCH_TOO_LARGE, "batch body is " + h.remaining()
                        + " bytes, more than the " + budget.bodyLeft + " left of the " + budget.limits.maxBodySize()
                        + "-byte limit");
            }
            body = src;
            bodyOff = h.position();
            bodyLen = h.remaining();
        }
        budget.bodyLeft -= bodyLen;

        Reader b = new Reader(body, bodyOff, bodyLen, Kind.MALFORMED_BATCH, "batch body");
        long count = b.varint("event count");
        if (count == 0) {
            throw b.malformed("event count is 0; a batch holds at least one event");
        }
        // Every event takes at least one byte of the offsets column: a larger count is a lie.
        if (count < 0 || count > b.remaining()) {
            throw b.malformed("event count " + Long.toUnsignedString(count) + " is more than the " + b.remaining()
                    + " bytes that follow could hold");
        }
        if (count > budget.eventsLeft) {
            throw new ProtocolException(Kind.BATCH_TOO_LARGE, "batch has " + count + " events, more than the "
                    + budget.eventsLeft + " left of the limit of " + budget.limits.maxEvents());
        }
        int n = (int) count;
        budget.eventsLeft -= n;

        long[] types = sameType ? null : column(b, n, "event_type_id", false);
        long[] schemas = sameSchema ? null : column(b, n, "schema_version", false);
        long[] keyLengths = sameKeyLength ? null : column(b, n, "key length", false);
        int keysLength = b.length("keys");
        int keysStart = b.skip(keysLength, "keys");
        checkLengths(b, "keys", keysLength, n, headerKeyLength, keyLengths);
        long[] offsets = column(b, n, "offset", offsetDelta, headerOffset, false);
        long[] timestamps = column(b, n, "timestamp", timestampDelta, headerTimestamp, true);
        long[] dataLengths = sameDataLength ? null : column(b, n, "event_data length", false);
        int dataStart = b.position();
        checkLengths(b, "event_data", b.remaining(), n, headerDataLength, dataLengths);

        List<Event> events = new ArrayList<>(n);
        int keyAt = keysStart;
        int dataAt = dataStart;
        for (int i = 0; i < n; i++) {
            long type = types == null ? headerType : types[i];
            long schema = schemas == null ? headerSchema : schemas[i];
            int keyLength = (int) (keyLengths == null ? headerKeyLength : keyLengths[i]);
            int dataLength = (int) (dataLengths == null ? headerDataLength : dataLengths[i]);
            long size = (long) Limits.varintSize(type) + Limits.varintSize(schema) + Limits.chunkSize(keyLength)
                    + Limits.varintSize(offsets[i]) + Limits.varintSize(timestamps[i]) + Limits.chunkSize(dataLength);
            if (size > Limits.MAX_PUBLISH_PAYLOAD) {
                throw new ProtocolException(Kind.VALUE_OUT_OF_RANGE, "batch event " + i + " is too large for one "
                        + "frame: its PUBLISH payload would be " + size + " bytes, at most "
                        + Limits.MAX_PUBLISH_PAYLOAD);
            }
            byte[] key = new byte[keyLength];
            System.arraycopy(body, keyAt, key, 0, keyLength);
            byte[] data = new byte[dataLength];
            System.arraycopy(body, dataAt, data, 0, dataLength);
            keyAt += keyLength;
            dataAt += dataLength;
            try {
                events.add(new Event(type, schema, key, offsets[i], timestamps[i], data));
            } catch (IllegalArgumentException e) {
                // Not expected (every field and the size are checked above): never let it out.
                throw new ProtocolException(Kind.VALUE_OUT_OF_RANGE, "batch event " + i + ": " + e.getMessage());
            }
        }
        return Collections.unmodifiableList(events);
    }

    /** A chunk of exactly {@code n} plain varints. */
    private static long[] column(Reader b, int n, String name, boolean signed63) throws ProtocolException {
        String column = name + " column";
        int length = b.length(column);
        int start = b.skip(length, column);
        Reader c = new Reader(b.buffer(), start, length, Kind.MALFORMED_BATCH, "batch " + column);
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            if (c.atEnd()) {
                throw c.malformed("has " + i + " values, the batch has " + n + " events");
            }
            try {
                values[i] = signed63 ? c.varint63(name) : c.varint(name);
            } catch (ProtocolException e) {
                throw new ProtocolException(e.kind(), e.getMessage() + " (event " + i + ")");
            }
        }
        if (!c.atEnd()) {
            throw c.malformed("has more values than the " + n + " events of the batch");
        }
        return values;
    }

    /** The offsets or timestamps column: zigzag deltas from {@code start} or plain varints. */
    private static long[] column(Reader b, int n, String name, boolean delta, long start, boolean signed63)
            throws ProtocolException {
        if (!delta) {
            return column(b, n, name, signed63);
        }
        long[] values = column(b, n, name, false);
        long previous = start;
        for (int i = 0; i < n; i++) {
            long d = Zigzag.decode(values[i]);
            long value = previous + d;
            // the sum leaves the range when it wraps: 0..2^63-1 (signed63) or 0..2^64-1 (unsigned)
            boolean out = signed63 ? value < 0 : d >= 0 ? Long.compareUnsigned(value, previous) < 0
                    : Long.compareUnsigned(value, previous) > 0;
            if (out) {
                throw new ProtocolException(Kind.VALUE_OUT_OF_RANGE, "batch: " + name + " of event " + i
                        + " leaves 0.." + (signed63 ? "2^63-1" : "2^64-1") + " (previous "
                        + Long.toUnsignedString(previous) + ", delta " + d + ")");
            }
            values[i] = value;
            previous = value;
        }
        return values;
    }

    /**
     * Whether {@code offset - previous}, both unsigned 64 bits, fits a signed 64-bit delta (what
     * zigzag and the 64-bit varint carry).
     */
    static boolean deltaFits(long offset, long previous) {
        return (Long.compareUnsigned(offset, previous) >= 0) == (offset - previous >= 0);
    }

    /** The per-event lengths (or the header's common one) must add up to exactly {@code total}. */
    private static void checkLengths(Reader b, String name, int total, int n, long common, long[] lengths)
            throws ProtocolException {
        long sum = 0;
        if (lengths == null) {
            if (common < 0 || common > total || common * n != total) {
                throw b.malformed(name + " is " + total + " bytes, but " + n + (n == 1 ? " event" : " events")
                        + " of the header's length " + Long.toUnsignedString(common) + " need "
                        + (common < 0 || common > total ? "more" : String.valueOf(common * n)));
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            if (lengths[i] < 0 || lengths[i] > total) {
                throw b.malformed(name + " length of event " + i + " is " + Long.toUnsignedString(lengths[i])
                        + ", more than the " + total + " bytes there are");
            }
            sum += lengths[i];
        }
        if (sum != total) {
            throw b.malformed(name + " is " + total + " bytes, but the lengths of the " + n + " events add up to "
                    + sum);
        }
    }
}
