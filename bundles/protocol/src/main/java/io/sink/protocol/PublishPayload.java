package io.sink.protocol;

import io.sink.api.Event;
import io.sink.api.Limits;
import io.sink.protocol.ProtocolException.Kind;
import io.sink.protocol.internal.Reader;
import java.util.Objects;

/**
 * The PUBLISH payload (section 3): one event as {@code varint event_type_id, varint schema_version,
 * chunk key, varint offset, varint timestamp, chunk event_data}, nothing after it.
 */
public final class PublishPayload {
    private PublishPayload() {
    }

    /** Bytes of the payload of {@code event}. */
    public static int size(Event event) {
        return event.publishPayloadSize();
    }

    /** Writes the payload of {@code event} at {@code dst[off]}; returns the offset after it. */
    public static int encode(Event event, byte[] dst, int off) {
        int keyLength = event.keyLength();
        int dataLength = event.eventDataLength();
        int p = Varint.write(event.eventTypeId(), dst, off);
        p = Varint.write(event.schemaVersion(), dst, p);
        p = Varint.write(keyLength, dst, p);
        event.copyKeyTo(dst, p);
        p = Varint.write(event.offset(), dst, p + keyLength);
        p = Varint.write(event.timestamp(), dst, p);
        p = Varint.write(dataLength, dst, p);
        event.copyEventDataTo(dst, p);
        return p + dataLength;
    }

    public static byte[] encode(Event event) {
        byte[] out = new byte[event.publishPayloadSize()];
        encode(event, out, 0);
        return out;
    }

    public static Event decode(byte[] payload) throws ProtocolException {
        return decode(payload, 0, payload.length);
    }

    /**
     * Decodes the event in {@code src[off, off+len)}, which must hold exactly one payload.
     * Non-minimal varints are accepted.
     *
     * @throws ProtocolException {@link Kind#MALFORMED_FRAME} when a field is missing, truncated or
     *     followed by trailing bytes; {@link Kind#VALUE_OUT_OF_RANGE} when a number is above
     *     2<sup>63</sup>-1 (the message names the field); {@link Kind#FRAME_TOO_LARGE} when
     *     {@code len} is more than a frame can carry
     */
    public static Event decode(byte[] src, int off, int len) throws ProtocolException {
        Objects.checkFromIndexSize(off, len, src.length);
        if (len > Limits.MAX_PUBLISH_PAYLOAD) {
            throw new ProtocolException(Kind.FRAME_TOO_LARGE, "PUBLISH payload is " + len + " bytes, at most "
                    + Limits.MAX_PUBLISH_PAYLOAD + " fit in one frame");
        }
        return decode(reader(src, off, len), src);
    }

    static Reader reader(byte[] src, int off, int len) {
        return new Reader(src, off, len, Kind.MALFORMED_FRAME, "PUBLISH payload");
    }

    /** Decodes the event filling what is left of {@code r}, a reader over {@code src}; no range checks. */
    static Event decode(Reader r, byte[] src) throws ProtocolException {
        long eventTypeId = r.varint("event_type_id");
        long schemaVersion = r.varint("schema_version");
        int keyLength = r.length("key");
        int keyStart = r.skip(keyLength, "key");
        long offset = r.varint("offset");
        long timestamp = r.varint63("timestamp");
        int dataLength = r.length("event_data");
        int dataStart = r.skip(dataLength, "event_data");
        r.expectEnd("event_data");
        try {
            return new Event(eventTypeId, schemaVersion, src, keyStart, keyLength, offset, timestamp, src, dataStart,
                    dataLength);
        } catch (IllegalArgumentException e) {
            // Not expected (the numbers are checked above and the payload fits a frame): never let it out.
            throw new ProtocolException(Kind.VALUE_OUT_OF_RANGE, "PUBLISH payload: " + e.getMessage());
        }
    }
}
