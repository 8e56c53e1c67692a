package io.sink.transport.internal.state;

/**
 * What a session says to do with a received frame that is not a protocol violation.
 * (A violation is thrown as {@link ProtocolViolation} instead.)
 */
public enum Admission {
    /** Handle the frame now. */
    PROCESS,
    /**
     * Keep the frame and handle it, in order, once the session is connected: the client received it
     * while it was still storing the server's instance id after {@code hello_new_client}.
     */
    DEFER,
    /** Drop the frame silently: the connection is being closed anyway. */
    DISCARD
}
