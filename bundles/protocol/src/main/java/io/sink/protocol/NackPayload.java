package io.sink.protocol;

import io.sink.api.Limits;
import io.sink.api.Nack;
import io.sink.protocol.ProtocolException.Kind;
import io.sink.protocol.internal.Reader;
import io.sink.protocol.internal.Utf8;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The NACK payload (section 5), also the payload of a {@code quarantined} connection response:
 * {@code chunk machine_message} followed by the human message, UTF-8, to the end.
 *
 * <p>The human message is for people: bytes that are not valid UTF-8 are replaced (U+FFFD, or
 * {@code '?'} where U+FFFD would not fit a frame) rather than refused, so that a peer's odd error
 * text cannot break the connection.
 */
public final class NackPayload {
    private NackPayload() {
    }

    public static int size(Nack nack) {
        return Chunk.size(nack.machineMessage().length) + Utf8.encodedLength(nack.humanMessage());
    }

    public static byte[] encode(Nack nack) {
        byte[] machine = nack.machineMessage();
        byte[] human = nack.humanMessage().getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[Chunk.size(machine.length) + human.length];
        int p = Chunk.write(machine, out, 0);
        System.arraycopy(human, 0, out, p, human.length);
        return out;
    }

    /** Writes the payload of {@code nack} at {@code dst[off]}; returns the offset after it. */
    public static int encode(Nack nack, byte[] dst, int off) {
        byte[] payload = encode(nack);
        System.arraycopy(payload, 0, dst, off, payload.length);
        return off + payload.length;
    }

    public static Nack decode(byte[] payload) throws ProtocolException {
        return decode(payload, 0, payload.length);
    }

    /**
     * Decodes the NACK in {@code src[off, off+len)}.
     *
     * @throws ProtocolException {@link Kind#MALFORMED_FRAME} when the machine message length is
     *     missing, unterminated or longer than what follows; {@link Kind#FRAME_TOO_LARGE} when
     *     {@code len} is more than a frame can carry
     */
    public static Nack decode(byte[] src, int off, int len) throws ProtocolException {
        Objects.checkFromIndexSize(off, len, src.length);
        if (len > Limits.MAX_PUBLISH_PAYLOAD + 1) {
            throw new ProtocolException(Kind.FRAME_TOO_LARGE, "NACK payload is " + len + " bytes, at most "
                    + (Limits.MAX_PUBLISH_PAYLOAD + 1) + " fit in one frame");
        }
        Reader r = new Reader(src, off, len, Kind.MALFORMED_FRAME, "NACK payload");
        int machineLength = r.length("machine_message");
        byte[] machine = r.bytes(machineLength, "machine_message");
        int humanStart = r.position();
        String human = Utf8.decodeLenient(src, humanStart, off + len - humanStart,
                Limits.MAX_PUBLISH_PAYLOAD - Chunk.size(machineLength));
        if (Chunk.size(machineLength) + Utf8.encodedLength(human) > Limits.MAX_PUBLISH_PAYLOAD) {
            // Only a quarantined response (1-byte header) can carry one byte more than a Nack allows.
            throw new ProtocolException(Kind.FRAME_TOO_LARGE, "NACK payload is " + len + " bytes, at most "
                    + Limits.MAX_PUBLISH_PAYLOAD + " are accepted");
        }
        try {
            return new Nack(machine, human);
        } catch (IllegalArgumentException e) {
            // Not expected (the size is checked above): never let it out.
            throw new ProtocolException(Kind.FRAME_TOO_LARGE, "NACK payload: " + e.getMessage());
        }
    }
}
