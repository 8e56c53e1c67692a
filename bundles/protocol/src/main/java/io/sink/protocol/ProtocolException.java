package io.sink.protocol;

import java.util.Objects;

/**
 * Bytes that are not acceptable Sink protocol input: the one error every decoder of this package
 * throws. The {@link #kind() kind} says what class of problem it is (the connection logic answers
 * {@link Kind#UNSUPPORTED_PROTOCOL_VERSION} with response code 4 and closes on anything else); the
 * message says exactly what is wrong, e.g. {@code "ACK frame must be exactly 2 bytes, got 3"}.
 */
public class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The classes of problem. */
    public enum Kind {
        /**
         * A frame or payload does not follow the protocol: undefined message type, wrong length,
         * truncated, trailing bytes, unterminated varint, chunk longer than what is left, text that is
         * not UTF-8.
         */
        MALFORMED_FRAME,
        /** A CONNECTION_REQUEST for a protocol version other than 0. */
        UNSUPPORTED_PROTOCOL_VERSION,
        /** A frame longer than the largest allowed (65,535 bytes, or a smaller configured limit). */
        FRAME_TOO_LARGE,
        /**
         * A well-formed number that Java cannot hold: a varint above 2<sup>64</sup>-1, or an event
         * field above 2<sup>63</sup>-1 (the largest value {@code io.sink.api.Event} accepts).
         */
        VALUE_OUT_OF_RANGE,
        /** A batch or snapshot that does not follow the format, including a corrupt gzip body. */
        MALFORMED_BATCH,
        /** A batch or snapshot whose body inflates beyond, or whose events exceed, the configured limits. */
        BATCH_TOO_LARGE,
        /** An Erlang external term that is not the expected sensor reading map. */
        MALFORMED_TERM,
        /**
         * Well-formed frames that are not allowed in the connection's state (an ACK for an id not in
         * flight, a second CONNECTION_REQUEST). Never thrown by this codec; for the connection logic.
         */
        PROTOCOL_VIOLATION
    }

    private final Kind kind;

    public ProtocolException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    public ProtocolException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** What class of problem this is. */
    public Kind kind() {
        return kind;
    }
}
