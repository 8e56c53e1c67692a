package io.sink.transport.internal.state;

import io.sink.api.ConnectionResponse;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of one server connection, from the accepted TLS connection to the close (section 4;
 * the original's server {@code ConnectionStatus}).
 *
 * <pre>
 * AWAITING_REQUEST --requestReceived--> DECIDING --decided: connected, hello_new_client--> CONNECTED
 *                                                --decided: quarantined--> REFUSED (kept open, not served)
 *                                                --decided: codes 2, 4, 5--> CLOSING
 * AWAITING_REQUEST --decided: unsupported_protocol_version--> CLOSING (the request could not be decoded)
 * any state --closed--> CLOSED
 * </pre>
 *
 * <p>Protocol violations, each closing the connection as the original does: any frame but
 * CONNECTION_REQUEST before the request (a PUBLISH, ACK, NACK, PING or PONG before the handshake);
 * a second CONNECTION_REQUEST; any frame while the server is still deciding (the client has no
 * response yet, so it may not send anything); a CONNECTION_RESPONSE from the client; any frame from
 * a quarantined client, which must close. While closing, frames are discarded.
 *
 * <p>The server never sends PING; it answers the client's PINGs with PONG.
 *
 * <p>Not thread-safe: used from the connection's event loop only. One instance per connection.
 */
public final class ServerSession {

    /** Where the connection stands. */
    public enum State {
        /** Waiting for the client's CONNECTION_REQUEST. */
        AWAITING_REQUEST,
        /** The request is in; the answer is being decided (registry look-up, registering the client). */
        DECIDING,
        /** The handshake succeeded: the connection is served. */
        CONNECTED,
        /** The client was answered {@code quarantined}: the connection stays open but is not served. */
        REFUSED,
        /** The server answered a refusal and closes the connection. */
        CLOSING,
        /** The connection is closed. */
        CLOSED
    }

    private State state = State.AWAITING_REQUEST;
    private ServerHandshake.Decision decision;

    public State state() {
        return state;
    }

    /**
     * Whether to process a frame received now.
     *
     * @throws ProtocolViolation when the client may not send that frame now
     */
    public Admission admit(FrameType type) throws ProtocolViolation {
        Objects.requireNonNull(type, "type");
        switch (state) {
            case AWAITING_REQUEST:
                if (type == FrameType.CONNECTION_REQUEST) {
                    return Admission.PROCESS;
                }
                throw new ProtocolViolation(type + " received before the CONNECTION_REQUEST");
            case DECIDING:
                if (type == FrameType.CONNECTION_REQUEST) {
                    throw new ProtocolViolation("a second CONNECTION_REQUEST received");
                }
                throw new ProtocolViolation(type + " received before the CONNECTION_RESPONSE was sent");
            case CONNECTED:
                if (type == FrameType.CONNECTION_REQUEST) {
                    throw new ProtocolViolation("a second CONNECTION_REQUEST received");
                }
                if (type == FrameType.CONNECTION_RESPONSE) {
                    throw new ProtocolViolation("CONNECTION_RESPONSE received from the client");
                }
                return Admission.PROCESS;
            case REFUSED:
                throw new ProtocolViolation(type + " received from a quarantined client, which must close");
            default:
                return Admission.DISCARD;
        }
    }

    /**
     * The CONNECTION_REQUEST arrived; the caller now decides the answer
     * ({@link ServerHandshake#decide}).
     *
     * @throws ProtocolViolation when it is not the first frame
     */
    public void requestReceived() throws ProtocolViolation {
        if (admit(FrameType.CONNECTION_REQUEST) != Admission.PROCESS) {
            throw new IllegalStateException("cannot take a CONNECTION_REQUEST in state " + state);
        }
        state = State.DECIDING;
    }

    /**
     * The answer is decided (and, for {@code hello_new_client}, the client's instance id is stored):
     * the response is sent now. Allowed while {@link State#DECIDING}, and while
     * {@link State#AWAITING_REQUEST} for {@code unsupported_protocol_version}, which is found
     * while decoding the request.
     */
    public void decided(ServerHandshake.Decision decision) {
        Objects.requireNonNull(decision, "decision");
        boolean undecodable = state == State.AWAITING_REQUEST
                && decision.response() == ConnectionResponse.UNSUPPORTED_PROTOCOL_VERSION;
        if (state != State.DECIDING && !undecodable) {
            throw new IllegalStateException("cannot answer " + decision.response().protocolName() + " in state "
                    + state);
        }
        this.decision = decision;
        if (decision.connected()) {
            state = State.CONNECTED;
        } else if (decision.serverCloses()) {
            state = State.CLOSING;
        } else {
            state = State.REFUSED;
        }
    }

    /** The connection is closed (from any state). */
    public void closed() {
        state = State.CLOSED;
    }

    /** Whether the server may publish to the client and handle its PUBLISHes: only once connected. */
    public boolean mayPublish() {
        return state == State.CONNECTED;
    }

    /** The handshake decision, once made. */
    public Optional<ServerHandshake.Decision> decision() {
        return Optional.ofNullable(decision);
    }

    @Override
    public String toString() {
        return "ServerSession[" + state + "]";
    }
}
