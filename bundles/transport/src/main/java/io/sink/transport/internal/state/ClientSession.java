package io.sink.transport.internal.state;

import io.sink.api.ConnectionResponse;
import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.text.Printable;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of one client connection, from the TLS handshake to the close (section 4; the
 * original's client {@code ConnectionStatus}).
 *
 * <pre>
 * CONNECTING --requestSent--> AWAITING_RESPONSE --connected--------------------------> CONNECTED
 *                                               --hello_new_client--> STORING_SERVER_ID --stored--> CONNECTED
 *                                               --codes 2..5--> REFUSED
 * any state --closed--> CLOSED
 * </pre>
 *
 * <p>A client may publish only when {@link #mayPublish() CONNECTED}: after {@code hello_new_client}
 * it must first store the server's instance id durably and then call
 * {@link #serverInstanceIdStored()}. Frames the server sends meanwhile (it is connected as soon as
 * it answered) are {@link Admission#DEFER deferred} until then.
 *
 * <p>Protocol violations (the connection must be closed): any frame before the client sent its
 * request; any frame but the CONNECTION_RESPONSE while waiting for it; a second response; a
 * CONNECTION_REQUEST from the server; an undefined response code; {@code connected} when the client
 * presented no server instance id (a conforming server says {@code hello_new_client} then);
 * {@code hello_new_client} with a server instance id other than the one the client presented.
 * After a refusal or a close, frames are {@link Admission#DISCARD discarded}.
 *
 * <p>Every refusal asks the reconnect schedule for a long delay
 * ({@link ReconnectSchedule#refusedDelay()}): a refused client must not retry in a tight loop.
 *
 * <p>Not thread-safe: used from the connection's event loop only. One instance per connection.
 */
public final class ClientSession {

    /** Where the connection stands. */
    public enum State {
        /** TLS is being set up; the CONNECTION_REQUEST is not sent yet. */
        CONNECTING,
        /** The CONNECTION_REQUEST is sent; waiting for the response. */
        AWAITING_RESPONSE,
        /** {@code hello_new_client} received; the server's instance id is being stored durably. */
        STORING_SERVER_ID,
        /** The handshake succeeded: events may be published. */
        CONNECTED,
        /** The server refused the connection; the client closes it. */
        REFUSED,
        /** The connection is closed. */
        CLOSED
    }

    /** What to do with the CONNECTION_RESPONSE. */
    public sealed interface Outcome {
        /** Whether the reconnect schedule must wait long before the next attempt. */
        boolean backOffLong();
    }

    /** {@code connected}: the connection is up. */
    public record Connected() implements Outcome {
        @Override
        public boolean backOffLong() {
            return false;
        }
    }

    /**
     * {@code hello_new_client}: store {@code serverInstanceId} durably, then call
     * {@link ClientSession#serverInstanceIdStored()}; only then is the connection up.
     */
    public record StoreServerInstanceId(InstanceId serverInstanceId) implements Outcome {
        public StoreServerInstanceId {
            Objects.requireNonNull(serverInstanceId, "serverInstanceId");
        }

        @Override
        public boolean backOffLong() {
            return false;
        }
    }

    /**
     * The server refused the connection: close it and back off long.
     *
     * @param response   the refusal: instance_id_mismatch, quarantined, unsupported_protocol_version or
     *                   unsupported_application_version
     * @param quarantine the server's reason, with {@code quarantined}
     * @param reason     what happened, in words, for the log and {@code connectionDown}
     */
    public record Refused(ConnectionResponse response, Optional<Nack> quarantine, String reason) implements Outcome {
        public Refused {
            Objects.requireNonNull(response, "response");
            Objects.requireNonNull(quarantine, "quarantine");
            Objects.requireNonNull(reason, "reason");
            if (response.isConnected()) {
                throw new IllegalArgumentException(response.protocolName() + " is not a refusal");
            }
        }

        @Override
        public boolean backOffLong() {
            return true;
        }
    }

    private State state = State.CONNECTING;
    private ClientInstanceIds presented;
    private InstanceId serverInstanceId;
    private Refused refusal;

    public State state() {
        return state;
    }

    /** The CONNECTION_REQUEST presenting {@code presented} was sent. */
    public void requestSent(ClientInstanceIds presented) {
        Objects.requireNonNull(presented, "presented");
        requireState(State.CONNECTING, "send the CONNECTION_REQUEST");
        this.presented = presented;
        this.serverInstanceId = presented.server().orElse(null);
        state = State.AWAITING_RESPONSE;
    }

    /**
     * Whether to process a frame received now.
     *
     * @throws ProtocolViolation when the server may not send that frame now
     */
    public Admission admit(FrameType type) throws ProtocolViolation {
        Objects.requireNonNull(type, "type");
        switch (state) {
            case CONNECTING:
                throw new ProtocolViolation(type + " received before this client sent its CONNECTION_REQUEST");
            case AWAITING_RESPONSE:
                if (type == FrameType.CONNECTION_RESPONSE) {
                    return Admission.PROCESS;
                }
                throw new ProtocolViolation(type + " received before the CONNECTION_RESPONSE");
            case STORING_SERVER_ID:
            case CONNECTED:
                if (type == FrameType.CONNECTION_RESPONSE) {
                    throw new ProtocolViolation("a second CONNECTION_RESPONSE received");
                }
                if (type == FrameType.CONNECTION_REQUEST) {
                    throw new ProtocolViolation("CONNECTION_REQUEST received from the server");
                }
                return state == State.CONNECTED ? Admission.PROCESS : Admission.DEFER;
            default:
                return Admission.DISCARD;
        }
    }

    /**
     * The CONNECTION_RESPONSE arrived with a code that may be undefined.
     *
     * @throws ProtocolViolation for an undefined code, and as {@link #responseReceived(ConnectionResponse,
     *         Optional, Optional)}
     */
    public Outcome responseReceived(int code, Optional<InstanceId> serverInstanceId, Optional<Nack> quarantine)
            throws ProtocolViolation {
        ConnectionResponse response = ConnectionResponse.fromCode(code);
        if (response == null) {
            throw new ProtocolViolation("CONNECTION_RESPONSE with undefined response code " + code);
        }
        return responseReceived(response, serverInstanceId, quarantine);
    }

    /**
     * The CONNECTION_RESPONSE arrived.
     *
     * @param serverInstanceId present with {@code hello_new_client} only
     * @param quarantine       present with {@code quarantined} only
     * @throws ProtocolViolation when no response was expected now or it contradicts the request
     */
    public Outcome responseReceived(ConnectionResponse response, Optional<InstanceId> serverInstanceId,
            Optional<Nack> quarantine) throws ProtocolViolation {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(serverInstanceId, "serverInstanceId");
        Objects.requireNonNull(quarantine, "quarantine");
        if ((response == ConnectionResponse.HELLO_NEW_CLIENT) != serverInstanceId.isPresent()) {
            throw new IllegalArgumentException("hello_new_client, and only it, carries a server instance id: "
                    + response.protocolName() + " with " + serverInstanceId);
        }
        if ((response == ConnectionResponse.QUARANTINED) != quarantine.isPresent()) {
            throw new IllegalArgumentException("quarantined, and only it, carries a NACK: " + response.protocolName()
                    + " with " + quarantine);
        }
        if (state != State.AWAITING_RESPONSE) {
            admit(FrameType.CONNECTION_RESPONSE); // throws the violation for CONNECTING, STORING_SERVER_ID, CONNECTED
            throw new IllegalStateException("cannot take a CONNECTION_RESPONSE in state " + state);
        }
        switch (response) {
            case CONNECTED:
                if (presented.server().isEmpty()) {
                    throw new ProtocolViolation("the server answered connected although this client presented no"
                            + " server instance id (hello_new_client was due)");
                }
                state = State.CONNECTED;
                return new Connected();
            case HELLO_NEW_CLIENT:
                InstanceId received = serverInstanceId.get();
                if (presented.server().isPresent() && !presented.server().get().equals(received)) {
                    throw new ProtocolViolation("the server answered hello_new_client with server instance id "
                            + received + " although this client presented server instance id "
                            + presented.server().get());
                }
                this.serverInstanceId = received;
                state = State.STORING_SERVER_ID;
                return new StoreServerInstanceId(received);
            default:
                refusal = new Refused(response, quarantine, refusalReason(response, quarantine));
                state = State.REFUSED;
                return refusal;
        }
    }

    private String refusalReason(ConnectionResponse response, Optional<Nack> quarantine) {
        switch (response) {
            case INSTANCE_ID_MISMATCH:
                return "the server refused the connection: instance_id_mismatch (this client presented client instance id "
                        + presented.client() + " and server instance id "
                        + presented.server().map(InstanceId::toString).orElse("none")
                        + "; the server remembers another history)";
            case QUARANTINED:
                Nack nack = quarantine.get();
                return "the server quarantined this client: " + Printable.inline(nack.humanMessage())
                        + (nack.machineMessage().length == 0 ? "" : " (" + nack + ")");
            case UNSUPPORTED_PROTOCOL_VERSION:
                return "the server refused the connection: unsupported_protocol_version (this client speaks version "
                        + ServerHandshake.PROTOCOL_VERSION + ")";
            default:
                return "the server refused the connection: unsupported_application_version";
        }
    }

    /** The server's instance id from {@code hello_new_client} is stored durably: the connection is up. */
    public void serverInstanceIdStored() {
        requireState(State.STORING_SERVER_ID, "confirm the server instance id was stored");
        state = State.CONNECTED;
    }

    /** The connection is closed (from any state). */
    public void closed() {
        state = State.CLOSED;
    }

    /** Whether events may be published: only once the handshake succeeded completely. */
    public boolean mayPublish() {
        return state == State.CONNECTED;
    }

    /** What the client presented in its request. */
    public Optional<ClientInstanceIds> presented() {
        return Optional.ofNullable(presented);
    }

    /** The server's instance id as far as known: presented in the request, or received with hello. */
    public Optional<InstanceId> serverInstanceId() {
        return Optional.ofNullable(serverInstanceId);
    }

    /** The refusal, once the server refused the connection. */
    public Optional<Refused> refusal() {
        return Optional.ofNullable(refusal);
    }

    private void requireState(State expected, String action) {
        if (state != expected) {
            throw new IllegalStateException("cannot " + action + " in state " + state + " (only in " + expected + ")");
        }
    }

    @Override
    public String toString() {
        return "ClientSession[" + state + "]";
    }
}
