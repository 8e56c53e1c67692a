package io.sink.protocol;

import io.sink.api.ConnectionResponse;
import io.sink.api.InstanceId;
import io.sink.api.Limits;
import io.sink.protocol.ProtocolException.Kind;
import io.sink.protocol.internal.Reader;
import io.sink.protocol.internal.Utf8;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * Encodes and decodes {@link Frame}s (the bytes inside the 2-byte length prefix) and handles the
 * prefix. Stateless and thread-safe, like Netty's {@code MqttEncoder}/{@code MqttDecoder} pair
 * without the Netty: a channel handler calls {@link #decode(byte[], int, int)} on each frame the
 * length-field decoder cuts, and {@link #encodedSize(Frame)} + {@link #encode(Frame, byte[], int)}
 * to write into its buffer without an intermediate array.
 *
 * <p>Decoding never throws anything but {@link ProtocolException} for any content of the given
 * range, never reads outside it, and allocates at most the frame's own size.
 */
public final class FrameCodec {
    /** Bytes of the big-endian length prefix in front of every frame. */
    public static final int LENGTH_PREFIX_SIZE = 2;
    /** Largest frame (without the prefix). */
    public static final int MAX_FRAME_SIZE = Limits.MAX_FRAME_SIZE;

    private FrameCodec() {
    }

    // ---------------------------------------------------------------- encoding

    /** Bytes of {@code frame} without the length prefix (1..65535). */
    public static int encodedSize(Frame frame) {
        if (frame instanceof PublishFrame publish) {
            // Field reads only: the hot path passes the event, not the frame, to what may not inline.
            byte[] payload = publish.payloadField();
            return 2 + (payload == null ? publish.eventField().publishPayloadSize() : payload.length);
        }
        return encodedSizeOther(frame);
    }

    private static int encodedSizeOther(Frame frame) {
        switch (frame.type()) {
            case CONNECTION_REQUEST: {
                ConnectionRequestFrame request = (ConnectionRequestFrame) frame;
                int versionBytes = Utf8.encodedLength(request.applicationVersion());
                return 1 + Chunk.size(versionBytes) + 4 + (request.serverInstanceId().isPresent() ? 4 : 0);
            }
            case CONNECTION_RESPONSE: {
                ConnectionResponseFrame response = (ConnectionResponseFrame) frame;
                return response.response() == ConnectionResponse.HELLO_NEW_CLIENT ? 5 : 1 + response.payloadLength();
            }
            case PUBLISH:
                return 2 + ((PublishFrame) frame).payloadSize();
            case NACK:
                return 2 + ((NackFrame) frame).payloadLength();
            default:
                return 2;
        }
    }

    /** Bytes of {@code frame} with the length prefix. */
    public static int encodedSizeWithLengthPrefix(Frame frame) {
        return LENGTH_PREFIX_SIZE + encodedSize(frame);
    }

    /**
     * Writes {@code frame} (without prefix) at {@code dst[off]}.
     *
     * @return the offset after the last byte written
     * @throws IndexOutOfBoundsException when {@code dst} has no room for {@link #encodedSize(Frame)}
     *     bytes at {@code off}
     */
    public static int encode(Frame frame, byte[] dst, int off) {
        Objects.checkFromIndexSize(off, encodedSize(frame), dst.length);
        return write(frame, dst, off);
    }

    private static int write(Frame frame, byte[] dst, int off) {
        // The hot path first and small, so that it inlines into the caller.
        if (frame instanceof PublishFrame publish) {
            header(dst, off, 4, publish.messageId());
            byte[] payload = publish.payloadField();
            if (payload == null) {
                return PublishPayload.encode(publish.eventField(), dst, off + 2);
            }
            System.arraycopy(payload, 0, dst, off + 2, payload.length);
            return off + 2 + payload.length;
        }
        return writeOther(frame, dst, off);
    }

    private static int writeOther(Frame frame, byte[] dst, int off) {
        switch (frame.type()) {
            case ACK:
                header(dst, off, 3, ((AckFrame) frame).messageId());
                return off + 2;
            case NACK: {
                NackFrame nack = (NackFrame) frame;
                header(dst, off, 7, nack.messageId());
                nack.copyPayloadTo(dst, off + 2);
                return off + 2 + nack.payloadLength();
            }
            case PING:
                header(dst, off, 5, 0);
                return off + 2;
            case PONG:
                header(dst, off, 6, 0);
                return off + 2;
            case CONNECTION_REQUEST:
                return writeConnectionRequest((ConnectionRequestFrame) frame, ConnectionRequestFrame.PROTOCOL_VERSION,
                        dst, off);
            case CONNECTION_RESPONSE: {
                ConnectionResponseFrame response = (ConnectionResponseFrame) frame;
                dst[off] = (byte) (0x10 | response.response().code());
                if (response.response() == ConnectionResponse.HELLO_NEW_CLIENT) {
                    return u32(dst, off + 1, response.serverInstanceId().orElseThrow().value());
                }
                response.copyPayloadTo(dst, off + 1);
                return off + 1 + response.payloadLength();
            }
            default:
                throw new IllegalStateException("unknown frame type " + frame.type());
        }
    }

    private static void header(byte[] dst, int off, int type, int messageId) {
        dst[off] = (byte) (type << 4 | messageId >>> 8);
        dst[off + 1] = (byte) messageId;
    }

    private static int u32(byte[] dst, int off, long value) {
        dst[off] = (byte) (value >>> 24);
        dst[off + 1] = (byte) (value >>> 16);
        dst[off + 2] = (byte) (value >>> 8);
        dst[off + 3] = (byte) value;
        return off + 4;
    }

    private static int writeConnectionRequest(ConnectionRequestFrame request, int protocolVersion, byte[] dst,
            int off) {
        dst[off] = (byte) protocolVersion;
        byte[] version = request.applicationVersion().getBytes(StandardCharsets.UTF_8);
        int p = Chunk.write(version, dst, off + 1);
        p = u32(dst, p, request.clientInstanceId().value());
        Optional<InstanceId> server = request.serverInstanceId();
        return server.isPresent() ? u32(dst, p, server.get().value()) : p;
    }

    /** The bytes of {@code frame} (without prefix). */
    public static byte[] encode(Frame frame) {
        byte[] out = new byte[encodedSize(frame)];
        write(frame, out, 0);
        return out;
    }

    /**
     * Writes {@code frame} (without prefix) at the buffer's position and advances it.
     *
     * @throws java.nio.BufferOverflowException when the buffer has no room
     */
    public static void encode(Frame frame, ByteBuffer dst) {
        int size = encodedSize(frame);
        if (dst.hasArray() && !dst.isReadOnly()) {
            if (dst.remaining() < size) {
                throw new java.nio.BufferOverflowException();
            }
            write(frame, dst.array(), dst.arrayOffset() + dst.position());
            dst.position(dst.position() + size);
        } else {
            byte[] out = new byte[size];
            write(frame, out, 0);
            dst.put(out);
        }
    }

    /**
     * Writes the 2-byte length prefix and {@code frame} at {@code dst[off]}.
     *
     * @return the offset after the last byte written
     */
    public static int encodeWithLengthPrefix(Frame frame, byte[] dst, int off) {
        int size = encodedSize(frame);
        Objects.checkFromIndexSize(off, LENGTH_PREFIX_SIZE + size, dst.length);
        dst[off] = (byte) (size >>> 8);
        dst[off + 1] = (byte) size;
        return write(frame, dst, off + LENGTH_PREFIX_SIZE);
    }

    /** The 2-byte length prefix followed by the bytes of {@code frame}: what goes on the TLS stream. */
    public static byte[] encodeWithLengthPrefix(Frame frame) {
        int size = encodedSize(frame);
        byte[] out = new byte[LENGTH_PREFIX_SIZE + size];
        out[0] = (byte) (size >>> 8);
        out[1] = (byte) size;
        write(frame, out, LENGTH_PREFIX_SIZE);
        return out;
    }

    /**
     * A CONNECTION_REQUEST claiming another protocol version, as a future or misbehaving client would
     * send it; for testing how a server answers (code 4). {@link #encode(Frame)} always writes
     * version 0.
     *
     * @throws IllegalArgumentException when {@code protocolVersion} is not within 0..15
     */
    public static byte[] encodeConnectionRequest(ConnectionRequestFrame request, int protocolVersion) {
        if (protocolVersion < 0 || protocolVersion > 15) {
            throw new IllegalArgumentException("protocol version must be between 0 and 15, got " + protocolVersion);
        }
        byte[] out = new byte[encodedSize(request)];
        writeConnectionRequest(request, protocolVersion, out, 0);
        return out;
    }

    // ---------------------------------------------------------------- framing

    /**
     * Checks a frame length read from a prefix (or about to be written into one).
     *
     * @return {@code length}
     * @throws ProtocolException {@link Kind#MALFORMED_FRAME} for 0 (or negative),
     *     {@link Kind#FRAME_TOO_LARGE} above 65,535
     */
    public static int checkFrameLength(int length) throws ProtocolException {
        return checkFrameLength(length, MAX_FRAME_SIZE);
    }

    /** Like {@link #checkFrameLength(int)} with a smaller limit a receiver chooses to enforce. */
    public static int checkFrameLength(int length, int maxFrameSize) throws ProtocolException {
        if (length <= 0) {
            throw new ProtocolException(Kind.MALFORMED_FRAME, "frame length is " + length + ", a frame has 1 to "
                    + MAX_FRAME_SIZE + " bytes");
        }
        if (length > Math.min(maxFrameSize, MAX_FRAME_SIZE)) {
            throw new ProtocolException(Kind.FRAME_TOO_LARGE, "frame is " + length + " bytes, at most "
                    + Math.min(maxFrameSize, MAX_FRAME_SIZE) + " are accepted");
        }
        return length;
    }

    /** The unsigned big-endian 16-bit length prefix at {@code src[off]}. */
    public static int readLengthPrefix(byte[] src, int off) {
        Objects.checkFromIndexSize(off, LENGTH_PREFIX_SIZE, src.length);
        return (src[off] & 0xff) << 8 | src[off + 1] & 0xff;
    }

    /**
     * Decodes exactly one length-prefixed frame filling {@code src[off, off+len)}.
     *
     * @throws ProtocolException when the prefix is missing, zero, or disagrees with {@code len}, or
     *     the frame is malformed
     */
    public static Frame decodeWithLengthPrefix(byte[] src, int off, int len) throws ProtocolException {
        Objects.checkFromIndexSize(off, len, src.length);
        if (len < LENGTH_PREFIX_SIZE) {
            throw new ProtocolException(Kind.MALFORMED_FRAME, "length prefix needs 2 bytes, got " + len);
        }
        int length = checkFrameLength(readLengthPrefix(src, off));
        if (length != len - LENGTH_PREFIX_SIZE) {
            throw new ProtocolException(Kind.MALFORMED_FRAME, "length prefix says " + length + " bytes but "
                    + (len - LENGTH_PREFIX_SIZE) + " follow");
        }
        return decode(src, off + LENGTH_PREFIX_SIZE, length);
    }

    // ---------------------------------------------------------------- decoding

    public static Frame decode(byte[] frame) throws ProtocolException {
        return decode(frame, 0, frame.length);
    }

    /** Decodes the frame in the buffer's remaining bytes and advances its position to its limit. */
    public static Frame decode(ByteBuffer frame) throws ProtocolException {
        int len = frame.remaining();
        Frame decoded;
        if (frame.hasArray()) {
            decoded = decode(frame.array(), frame.arrayOffset() + frame.position(), len);
        } else {
            if (len > MAX_FRAME_SIZE) {
                checkFrameLength(len);
            }
            byte[] copy = new byte[len];
            frame.duplicate().get(copy);
            decoded = decode(copy, 0, len);
        }
        frame.position(frame.limit());
        return decoded;
    }

    /**
     * Decodes the frame filling {@code frame[off, off+len)} (the bytes inside the length prefix).
     * PUBLISH and NACK payloads and a quarantined response's payload are accepted at this level as
     * the original does; {@link PublishFrame#event()}, {@link NackFrame#nack()} and
     * {@link ConnectionResponseFrame#nack()} report them when they are not valid.
     *
     * @throws ProtocolException {@link Kind#UNSUPPORTED_PROTOCOL_VERSION} for a CONNECTION_REQUEST of
     *     a version other than 0, {@link Kind#FRAME_TOO_LARGE} when {@code len} exceeds 65,535,
     *     {@link Kind#MALFORMED_FRAME} for everything else that is not a frame
     * @throws IndexOutOfBoundsException when the range is not within {@code frame}
     */
    public static Frame decode(byte[] frame, int off, int len) throws ProtocolException {
        Objects.checkFromIndexSize(off, len, frame.length);
        // The hot path first and small, so that it inlines into the caller.
        if (len >= 2 && len <= MAX_FRAME_SIZE && (frame[off] & 0xf0) == 0x40) {
            return PublishFrame.decoded(messageId(frame, off), frame, off + 2, len - 2);
        }
        return decodeOther(frame, off, len);
    }

    private static Frame decodeOther(byte[] frame, int off, int len) throws ProtocolException {
        if (len == 0) {
            throw new ProtocolException(Kind.MALFORMED_FRAME, "empty frame: a frame has at least 1 byte");
        }
        if (len > MAX_FRAME_SIZE) {
            checkFrameLength(len);
        }
        int first = frame[off] & 0xff;
        MessageType type = MessageType.fromCode(first >>> 4);
        if (type == null) {
            throw new ProtocolException(Kind.MALFORMED_FRAME, "undefined message type " + (first >>> 4)
                    + " (first byte 0x" + Integer.toHexString(first) + "); types are 0, 1 and 3 to 7");
        }
        switch (type) {
            case PUBLISH:
                atLeastHeader(type, len);
                return PublishFrame.decoded(messageId(frame, off), frame, off + 2, len - 2);
            case ACK:
                exactly(type, len, 2);
                return new AckFrame(messageId(frame, off));
            case PING:
                exactly(type, len, 2);
                return PingFrame.INSTANCE;
            case PONG:
                exactly(type, len, 2);
                return PongFrame.INSTANCE;
            case NACK:
                atLeastHeader(type, len);
                return NackFrame.decoded(messageId(frame, off), frame, off + 2, len - 2);
            case CONNECTION_REQUEST:
                return decodeConnectionRequest(frame, off, len, first & 0x0f);
            case CONNECTION_RESPONSE:
                return decodeConnectionResponse(frame, off, len, first & 0x0f);
            default:
                throw new IllegalStateException("unknown frame type " + type);
        }
    }

    private static int messageId(byte[] frame, int off) {
        return (frame[off] & 0x0f) << 8 | frame[off + 1] & 0xff;
    }

    private static void exactly(MessageType type, int len, int expected) throws ProtocolException {
        if (len != expected) {
            throw new ProtocolException(Kind.MALFORMED_FRAME, type + " frame must be exactly " + expected + " byte"
                    + (expected == 1 ? "" : "s") + ", got " + len);
        }
    }

    private static void atLeastHeader(MessageType type, int len) throws ProtocolException {
        if (len < 2) {
            throw new ProtocolException(Kind.MALFORMED_FRAME, type + " frame must have at least its 2-byte header, got "
                    + len + " byte");
        }
    }

    private static ConnectionRequestFrame decodeConnectionRequest(byte[] frame, int off, int len, int version)
            throws ProtocolException {
        if (version != ConnectionRequestFrame.PROTOCOL_VERSION) {
            throw new ProtocolException(Kind.UNSUPPORTED_PROTOCOL_VERSION, "CONNECTION_REQUEST for protocol version "
                    + version + ": only version " + ConnectionRequestFrame.PROTOCOL_VERSION + " is supported");
        }
        Reader r = new Reader(frame, off + 1, len - 1, Kind.MALFORMED_FRAME, "CONNECTION_REQUEST");
        int versionLength = r.length("application version");
        int versionStart = r.skip(versionLength, "application version");
        String applicationVersion = Utf8.decodeStrict(frame, versionStart, versionLength);
        if (applicationVersion == null) {
            throw r.malformed("application version is not valid UTF-8");
        }
        int idBytes = r.remaining();
        if (idBytes != 4 && idBytes != 8) {
            throw r.malformed("after the application version come 4 bytes of client instance id and optionally 4 of "
                    + "server instance id, got " + idBytes + " byte" + (idBytes == 1 ? "" : "s"));
        }
        InstanceId client = new InstanceId(r.u32("client instance id"));
        Optional<InstanceId> server = idBytes == 8 ? Optional.of(new InstanceId(r.u32("server instance id")))
                : Optional.empty();
        return new ConnectionRequestFrame(applicationVersion, client, server);
    }

    private static ConnectionResponseFrame decodeConnectionResponse(byte[] frame, int off, int len, int code)
            throws ProtocolException {
        ConnectionResponse response = ConnectionResponse.fromCode(code);
        if (response == null) {
            throw new ProtocolException(Kind.MALFORMED_FRAME, "undefined CONNECTION_RESPONSE code " + code
                    + "; codes are 0 to 5");
        }
        switch (response) {
            case HELLO_NEW_CLIENT:
                if (len != 5) {
                    throw new ProtocolException(Kind.MALFORMED_FRAME, "CONNECTION_RESPONSE hello_new_client must be "
                            + "exactly 5 bytes (code + 4-byte server instance id), got " + len);
                }
                long id = (frame[off + 1] & 0xffL) << 24 | (frame[off + 2] & 0xff) << 16
                        | (frame[off + 3] & 0xff) << 8 | frame[off + 4] & 0xff;
                return ConnectionResponseFrame.helloNewClient(new InstanceId(id));
            case QUARANTINED: {
                byte[] payload = new byte[len - 1];
                System.arraycopy(frame, off + 1, payload, 0, len - 1);
                return ConnectionResponseFrame.quarantinedPayload(payload);
            }
            default:
                if (len != 1) {
                    throw new ProtocolException(Kind.MALFORMED_FRAME, "CONNECTION_RESPONSE " + response.protocolName()
                            + " must be exactly 1 byte, got " + len);
                }
                return ConnectionResponseFrame.of(response);
        }
    }
}
