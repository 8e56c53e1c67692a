package io.sink.transport.internal.state;

/**
 * The peer broke the protocol (section 10): e.g. an ACK for a message id that is not in flight, a
 * second CONNECTION_REQUEST, a PUBLISH before the handshake. The connection must be closed; the
 * message says what happened, for the log.
 */
public final class ProtocolViolation extends Exception {
    private static final long serialVersionUID = 1L;

    public ProtocolViolation(String message) {
        super(message);
    }
}
