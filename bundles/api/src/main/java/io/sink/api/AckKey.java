package io.sink.api;

import io.sink.api.text.Printable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The identity of an event, {@code (event_type_id, key, offset)}: what an ACK acknowledges. The
 * event type id and offset are unsigned 64-bit values (see {@link Event}).
 */
public final class AckKey {
    private final long eventTypeId;
    private final byte[] key;
    private final long offset;
    private final int hash;

    public AckKey(long eventTypeId, byte[] key, long offset) {
        this.eventTypeId = eventTypeId;
        this.key = Objects.requireNonNull(key, "key").clone();
        this.offset = offset;
        if (key.length > Limits.MAX_PUBLISH_PAYLOAD) {
            throw new IllegalArgumentException("key is " + key.length + " bytes, at most "
                    + Limits.MAX_PUBLISH_PAYLOAD + " fit in a frame");
        }
        this.hash = 31 * (31 * Long.hashCode(eventTypeId) + Arrays.hashCode(key)) + Long.hashCode(offset);
    }

    public static AckKey of(long eventTypeId, String key, long offset) {
        return new AckKey(eventTypeId, key.getBytes(StandardCharsets.UTF_8), offset);
    }

    public long eventTypeId() {
        return eventTypeId;
    }

    /** A copy of the key bytes. */
    public byte[] key() {
        return key.clone();
    }

    public String keyAsString() {
        return new String(key, StandardCharsets.UTF_8);
    }

    public long offset() {
        return offset;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AckKey other && hash == other.hash && eventTypeId == other.eventTypeId
                && offset == other.offset && Arrays.equals(key, other.key);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The key for logs and terminals: always quoted and escaped ({@link Printable}). */
    @Override
    public String toString() {
        return "(" + Long.toUnsignedString(eventTypeId) + ", " + Printable.quotedBytes(key) + ", "
                + Long.toUnsignedString(offset) + ")";
    }
}
