package io.sink.protocol;

import io.sink.api.Limits;
import io.sink.api.Nack;
import io.sink.protocol.internal.Checks;
import io.sink.protocol.internal.Hex;
import java.util.Arrays;
import java.util.Objects;

/**
 * NACK (type 7): the PUBLISH with this message id was refused, with a reason.
 *
 * <p>As in the original, the payload is opaque at frame level; {@link #nack()} decodes it.
 */
public final class NackFrame implements Frame {
    private final int messageId;
    private final byte[] payload;

    private NackFrame(int messageId, byte[] payload) {
        this.messageId = messageId;
        this.payload = payload;
    }

    /** @throws IllegalArgumentException when {@code messageId} is not within 0..4095 */
    public static NackFrame of(int messageId, Nack nack) {
        Checks.messageId(messageId);
        return new NackFrame(messageId, NackPayload.encode(Objects.requireNonNull(nack, "nack")));
    }

    /**
     * A NACK with these exact payload bytes, valid or not (for tests and relays).
     *
     * @throws IllegalArgumentException when {@code messageId} is not within 0..4095 or the payload is
     *     longer than 65,533 bytes
     */
    public static NackFrame ofPayload(int messageId, byte[] payload) {
        Checks.messageId(messageId);
        if (payload.length > Limits.MAX_PUBLISH_PAYLOAD) {
            throw new IllegalArgumentException("NACK payload is " + payload.length + " bytes, at most "
                    + Limits.MAX_PUBLISH_PAYLOAD + " fit in one frame");
        }
        return new NackFrame(messageId, payload.clone());
    }

    static NackFrame decoded(int messageId, byte[] src, int off, int len) {
        return new NackFrame(messageId, Arrays.copyOfRange(src, off, off + len));
    }

    @Override
    public MessageType type() {
        return MessageType.NACK;
    }

    public int messageId() {
        return messageId;
    }

    /**
     * The reason, decoded from the payload.
     *
     * @throws ProtocolException when the payload is not a NACK payload
     */
    public Nack nack() throws ProtocolException {
        return NackPayload.decode(payload, 0, payload.length);
    }

    /** A copy of the payload bytes. */
    public byte[] payload() {
        return payload.clone();
    }

    int payloadLength() {
        return payload.length;
    }

    void copyPayloadTo(byte[] dst, int off) {
        System.arraycopy(payload, 0, dst, off, payload.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NackFrame other && messageId == other.messageId && Arrays.equals(payload, other.payload);
    }

    @Override
    public int hashCode() {
        return 31 * messageId + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "NackFrame[id=" + messageId + ", payload=" + Hex.preview(payload) + "]";
    }
}
