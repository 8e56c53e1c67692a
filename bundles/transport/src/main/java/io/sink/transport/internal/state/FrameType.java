package io.sink.transport.internal.state;

import java.util.Optional;

/**
 * The frame types of protocol version 0 (section 2), as far as the session state machines care.
 * The codec has its own message classes; the channel handler maps a decoded message to one of
 * these before asking a session whether to process it.
 */
public enum FrameType {
    CONNECTION_REQUEST(0),
    CONNECTION_RESPONSE(1),
    ACK(3),
    PUBLISH(4),
    PING(5),
    PONG(6),
    NACK(7);

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    /** The 4-bit type on the wire. */
    public int code() {
        return code;
    }

    /** The type with {@code code}; empty for the undefined types 2 and 8..15 (and anything else). */
    public static Optional<FrameType> fromCode(int code) {
        for (FrameType type : values()) {
            if (type.code == code) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
