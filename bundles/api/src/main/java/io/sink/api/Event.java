package io.sink.api;

import io.sink.api.text.Printable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * One Sink event, as carried by a PUBLISH frame.
 *
 * <p>Immutable: the byte arrays are copied in and out. An event is validated on
 * construction: the encoded PUBLISH payload fits in one frame and the timestamp is non-negative.
 * The event type id, schema version and offset are unsigned 64-bit values, the whole range of the
 * protocol's varints: 2<sup>63</sup>..2<sup>64</sup>-1 are held as the negative {@code long}s with
 * the same bits; compare them with {@link Long#compareUnsigned} and print them with
 * {@link Long#toUnsignedString(long)}.
 */
public final class Event {
    private final long eventTypeId;
    private final long schemaVersion;
    private final byte[] key;
    private final long offset;
    private final long timestamp;
    private final byte[] eventData;

    public Event(long eventTypeId, long schemaVersion, byte[] key, long offset, long timestamp, byte[] eventData) {
        this(eventTypeId, schemaVersion, Objects.requireNonNull(key, "key"), 0, key.length, offset, timestamp,
                Objects.requireNonNull(eventData, "event_data"), 0, eventData.length);
    }

    /**
     * An event whose key and data are copied from ranges of larger arrays, e.g. straight from a
     * received frame: each is copied once.
     *
     * @throws IndexOutOfBoundsException when a range is not within its array
     */
    public Event(long eventTypeId, long schemaVersion, byte[] key, int keyOffset, int keyLength, long offset,
            long timestamp, byte[] eventData, int dataOffset, int dataLength) {
        this.eventTypeId = eventTypeId;
        this.schemaVersion = schemaVersion;
        Objects.checkFromIndexSize(keyOffset, keyLength, Objects.requireNonNull(key, "key").length);
        Objects.checkFromIndexSize(dataOffset, dataLength, Objects.requireNonNull(eventData, "event_data").length);
        this.key = Arrays.copyOfRange(key, keyOffset, keyOffset + keyLength);
        this.offset = offset;
        this.timestamp = Limits.requireNonNegative("timestamp", timestamp);
        this.eventData = Arrays.copyOfRange(eventData, dataOffset, dataOffset + dataLength);
        int size = publishPayloadSize();
        if (size > Limits.MAX_PUBLISH_PAYLOAD) {
            throw new IllegalArgumentException("event is too large for one frame: its PUBLISH payload would be "
                    + size + " bytes, at most " + Limits.MAX_PUBLISH_PAYLOAD + " fit (key " + keyLength
                    + " bytes, event_data " + dataLength + " bytes)");
        }
    }

    /** An event whose key is the UTF-8 bytes of {@code key}. */
    public static Event of(long eventTypeId, long schemaVersion, String key, long offset, long timestamp,
            byte[] eventData) {
        return new Event(eventTypeId, schemaVersion, key.getBytes(StandardCharsets.UTF_8), offset, timestamp,
                eventData);
    }

    /** The event type id, unsigned 64 bits. */
    public long eventTypeId() {
        return eventTypeId;
    }

    /** The schema version, unsigned 64 bits. */
    public long schemaVersion() {
        return schemaVersion;
    }

    /** A copy of the key bytes. */
    public byte[] key() {
        return key.clone();
    }

    public int keyLength() {
        return key.length;
    }

    /** The key read as UTF-8 (malformed bytes become U+FFFD). */
    public String keyAsString() {
        return new String(key, StandardCharsets.UTF_8);
    }

    /** The offset, unsigned 64 bits: order offsets with {@link Long#compareUnsigned}. */
    public long offset() {
        return offset;
    }

    public long timestamp() {
        return timestamp;
    }

    /** A copy of the event data. */
    public byte[] eventData() {
        return eventData.clone();
    }

    public int eventDataLength() {
        return eventData.length;
    }

    /** The identity of this event: (event_type_id, key, offset). */
    public AckKey ackKey() {
        return new AckKey(eventTypeId, key, offset);
    }

    /** Size in bytes of this event's PUBLISH payload (section 3 of the protocol). */
    public int publishPayloadSize() {
        return Limits.varintSize(eventTypeId) + Limits.varintSize(schemaVersion) + Limits.chunkSize(key.length)
                + Limits.varintSize(offset) + Limits.varintSize(timestamp) + Limits.chunkSize(eventData.length);
    }

    /**
     * Writes the key into {@code target} at {@code position} without a copy of the array; for codecs.
     */
    public void copyKeyTo(byte[] target, int position) {
        System.arraycopy(key, 0, target, position, key.length);
    }

    /**
     * Writes the event data into {@code target} at {@code position} without a copy of the array; for codecs.
     */
    public void copyEventDataTo(byte[] target, int position) {
        System.arraycopy(eventData, 0, target, position, eventData.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Event other && eventTypeId == other.eventTypeId && schemaVersion == other.schemaVersion
                && offset == other.offset && timestamp == other.timestamp && Arrays.equals(key, other.key)
                && Arrays.equals(eventData, other.eventData);
    }

    @Override
    public int hashCode() {
        int h = Long.hashCode(eventTypeId);
        h = 31 * h + Long.hashCode(schemaVersion);
        h = 31 * h + Arrays.hashCode(key);
        h = 31 * h + Long.hashCode(offset);
        h = 31 * h + Long.hashCode(timestamp);
        return 31 * h + Arrays.hashCode(eventData);
    }

    @Override
    public String toString() {
        return "Event[type=" + Long.toUnsignedString(eventTypeId) + ", schema=" + Long.toUnsignedString(schemaVersion)
                + ", key=" + Printable.quotedBytes(key) + ", offset=" + Long.toUnsignedString(offset)
                + ", timestamp=" + timestamp + ", data=" + eventData.length + " bytes "
                + HexFormat.of().formatHex(eventData, 0, Math.min(eventData.length, 16))
                + (eventData.length > 16 ? "..." : "") + "]";
    }
}
