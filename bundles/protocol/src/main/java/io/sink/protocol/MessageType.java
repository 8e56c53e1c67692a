package io.sink.protocol;

/** The message types of protocol version 0: the high nibble of a frame's first byte. */
public enum MessageType {
    CONNECTION_REQUEST(0, 1),
    CONNECTION_RESPONSE(1, 1),
    ACK(3, 2),
    PUBLISH(4, 2),
    PING(5, 2),
    PONG(6, 2),
    NACK(7, 2);

    private static final MessageType[] BY_CODE = new MessageType[16];

    static {
        for (MessageType type : values()) {
            BY_CODE[type.code] = type;
        }
    }

    private final int code;
    private final int headerSize;

    MessageType(int code, int headerSize) {
        this.code = code;
        this.headerSize = headerSize;
    }

    /** The 4-bit type code. */
    public int code() {
        return code;
    }

    /**
     * Bytes of the header: 1 for the connection messages (type + 4-bit version or response code),
     * 2 for the others (type + 12-bit message id).
     */
    public int headerSize() {
        return headerSize;
    }

    /** The type with {@code code}, or {@code null} when no type has it (2 and 8..15 are undefined). */
    public static MessageType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
