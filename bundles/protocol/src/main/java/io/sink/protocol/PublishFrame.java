package io.sink.protocol;

import io.sink.api.Event;
import io.sink.api.Limits;
import io.sink.protocol.internal.Checks;
import io.sink.protocol.internal.Hex;
import io.sink.protocol.internal.Reader;
import java.util.Arrays;
import java.util.Objects;

/**
 * PUBLISH (type 4): one event under a 12-bit message id.
 *
 * <p>As in the original, the frame level accepts any payload (even an empty one); {@link #event()}
 * is where a payload that is not a valid event is reported, as a {@link ProtocolException}. On the
 * normal path the decoder builds the event straight from the received bytes and keeps no second
 * copy of the payload; the received bytes are only kept when they differ from the event's own
 * encoding (non-minimal varints) or are not an event at all, so {@link #payload()} always returns
 * what was received.
 */
public final class PublishFrame implements Frame {
    private final int messageId;
    /** The event, or null when the payload is not a valid event. */
    private final Event event;
    /** The payload when it is not exactly the encoding of {@link #event}, else null. */
    private final byte[] payload;

    private PublishFrame(int messageId, Event event, byte[] payload) {
        this.messageId = messageId;
        this.event = event;
        this.payload = payload;
    }

    /**
     * A PUBLISH of {@code event}; the event is encoded straight into the output when the frame is.
     *
     * @throws IllegalArgumentException when {@code messageId} is not within 0..4095
     */
    public static PublishFrame of(int messageId, Event event) {
        return new PublishFrame(Checks.messageId(messageId), Objects.requireNonNull(event, "event"), null);
    }

    /**
     * A PUBLISH with these exact payload bytes, valid event or not (for tests and relays).
     *
     * @throws IllegalArgumentException when {@code messageId} is not within 0..4095 or the payload is
     *     longer than 65,533 bytes
     */
    public static PublishFrame ofPayload(int messageId, byte[] payload) {
        Checks.messageId(messageId);
        if (payload.length > Limits.MAX_PUBLISH_PAYLOAD) {
            throw new IllegalArgumentException("PUBLISH payload is " + payload.length + " bytes, at most "
                    + Limits.MAX_PUBLISH_PAYLOAD + " fit in one frame");
        }
        return decoded(messageId, payload, 0, payload.length);
    }

    /**
     * The frame for the PUBLISH payload in {@code src[off, off+len)} ({@code len} at most 65,533).
     * On the normal path the event is built straight from {@code src} and no copy of the payload is
     * kept; the payload is copied only when it is not the event's own encoding (non-minimal varints)
     * or not an event at all.
     */
    static PublishFrame decoded(int messageId, byte[] src, int off, int len) {
        Reader r = PublishPayload.reader(src, off, len);
        Event event;
        try {
            event = PublishPayload.decode(r, src);
        } catch (ProtocolException e) {
            // Reported again, from the kept bytes, by event(): the frame level accepts it as the original does.
            event = null;
        }
        byte[] payload = event != null && !r.sawNonMinimalVarint() ? null : Arrays.copyOfRange(src, off, off + len);
        return new PublishFrame(messageId, event, payload);
    }

    /** The event, or null; for the codec. */
    Event eventField() {
        return event;
    }

    /** The payload when it is not the event's own encoding, else null; for the codec. */
    byte[] payloadField() {
        return payload;
    }

    @Override
    public MessageType type() {
        return MessageType.PUBLISH;
    }

    public int messageId() {
        return messageId;
    }

    /**
     * The event carried by this frame.
     *
     * @throws ProtocolException when the payload is not a valid PUBLISH payload
     */
    public Event event() throws ProtocolException {
        Event e = event;
        return e != null ? e : PublishPayload.decode(payload, 0, payload.length);
    }

    /** Whether the payload is a valid event, i.e. {@link #event()} does not throw. */
    public boolean hasValidEvent() {
        return event != null;
    }

    /** A copy of the payload bytes, exactly as received (or as the event encodes). */
    public byte[] payload() {
        return payload != null ? payload.clone() : PublishPayload.encode(event);
    }

    public int payloadSize() {
        return payload != null ? payload.length : event.publishPayloadSize();
    }

    /** Equal when the message ids and the payload bytes are. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PublishFrame other) || messageId != other.messageId) {
            return false;
        }
        if (payload == null && other.payload == null) {
            return event.equals(other.event);
        }
        return Arrays.equals(payload(), other.payload());
    }

    @Override
    public int hashCode() {
        return 31 * messageId + Arrays.hashCode(payload());
    }

    @Override
    public String toString() {
        return "PublishFrame[id=" + messageId + ", "
                + (event != null ? event.toString() : "invalid payload " + Hex.preview(payload)) + "]";
    }
}
