package io.sink.transport.internal.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.ConnectionResponse;
import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.client.ClientInstanceIds;
import io.sink.transport.internal.state.ClientSession.Connected;
import io.sink.transport.internal.state.ClientSession.Outcome;
import io.sink.transport.internal.state.ClientSession.Refused;
import io.sink.transport.internal.state.ClientSession.State;
import io.sink.transport.internal.state.ClientSession.StoreServerInstanceId;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClientSessionTest {
    private static final InstanceId CLIENT = new InstanceId(11);
    private static final InstanceId SERVER = new InstanceId(22);
    private static final ClientInstanceIds NEW_CLIENT = new ClientInstanceIds(CLIENT, Optional.empty());
    private static final ClientInstanceIds KNOWN_CLIENT = new ClientInstanceIds(CLIENT, Optional.of(SERVER));
    private static final Nack QUARANTINE = Nack.of("Q", "unpaid invoice");

    private static ClientSession awaiting(ClientInstanceIds presented) {
        ClientSession session = new ClientSession();
        session.requestSent(presented);
        return session;
    }

    private static ClientSession in(State state) throws ProtocolViolation {
        ClientSession session = new ClientSession();
        if (state == State.CONNECTING) {
            return session;
        }
        if (state == State.CLOSED) {
            session.closed();
            return session;
        }
        session.requestSent(NEW_CLIENT);
        switch (state) {
            case STORING_SERVER_ID:
                session.responseReceived(ConnectionResponse.HELLO_NEW_CLIENT, Optional.of(SERVER), Optional.empty());
                break;
            case CONNECTED:
                session.responseReceived(ConnectionResponse.HELLO_NEW_CLIENT, Optional.of(SERVER), Optional.empty());
                session.serverInstanceIdStored();
                break;
            case REFUSED:
                session.responseReceived(ConnectionResponse.INSTANCE_ID_MISMATCH, Optional.empty(), Optional.empty());
                break;
            default:
                break;
        }
        assertThat(session.state()).isEqualTo(state);
        return session;
    }

    @Nested
    class Handshake {
        @Test
        void startsConnectingAndMayNotPublish() {
            ClientSession session = new ClientSession();
            assertThat(session.state()).isEqualTo(State.CONNECTING);
            assertThat(session.mayPublish()).isFalse();
            assertThat(session.presented()).isEmpty();
            assertThat(session.serverInstanceId()).isEmpty();
        }

        @Test
        void requestSentAwaitsTheResponse() {
            ClientSession session = awaiting(KNOWN_CLIENT);
            assertThat(session.state()).isEqualTo(State.AWAITING_RESPONSE);
            assertThat(session.mayPublish()).isFalse();
            assertThat(session.presented()).contains(KNOWN_CLIENT);
            assertThat(session.serverInstanceId()).contains(SERVER);
        }

        @Test
        void connectedWhenTheServerKnowsTheClient() throws ProtocolViolation {
            ClientSession session = awaiting(KNOWN_CLIENT);
            Outcome outcome = session.responseReceived(ConnectionResponse.CONNECTED, Optional.empty(), Optional.empty());
            assertThat(outcome).isEqualTo(new Connected());
            assertThat(outcome.backOffLong()).isFalse();
            assertThat(session.state()).isEqualTo(State.CONNECTED);
            assertThat(session.mayPublish()).isTrue();
            assertThat(session.refusal()).isEmpty();
        }

        @Test
        void helloMustBeStoredBeforeTheConnectionIsUp() throws ProtocolViolation {
            ClientSession session = awaiting(NEW_CLIENT);
            Outcome outcome = session.responseReceived(ConnectionResponse.HELLO_NEW_CLIENT, Optional.of(SERVER),
                    Optional.empty());
            assertThat(outcome).isEqualTo(new StoreServerInstanceId(SERVER));
            assertThat(outcome.backOffLong()).isFalse();
            assertThat(session.state()).isEqualTo(State.STORING_SERVER_ID);
            assertThat(session.mayPublish()).as("not before the server id is stored").isFalse();
            assertThat(session.serverInstanceId()).contains(SERVER);

            session.serverInstanceIdStored();
            assertThat(session.state()).isEqualTo(State.CONNECTED);
            assertThat(session.mayPublish()).isTrue();
        }

        @Test
        void helloRepeatingThePresentedServerIdIsAccepted() throws ProtocolViolation {
            ClientSession session = awaiting(KNOWN_CLIENT);
            assertThat(session.responseReceived(ConnectionResponse.HELLO_NEW_CLIENT, Optional.of(SERVER),
                    Optional.empty())).isEqualTo(new StoreServerInstanceId(SERVER));
        }

        @Test
        void helloWithAnotherServerIdThanPresentedIsAViolation() {
            ClientSession session = awaiting(KNOWN_CLIENT);
            assertThatThrownBy(() -> session.responseReceived(ConnectionResponse.HELLO_NEW_CLIENT,
                    Optional.of(new InstanceId(99)), Optional.empty()))
                    .isInstanceOf(ProtocolViolation.class)
                    .hasMessage("the server answered hello_new_client with server instance id 99 although this client"
                            + " presented server instance id 22");
            assertThat(session.mayPublish()).isFalse();
        }

        @Test
        void connectedWithoutPresentingAServerIdIsAViolation() {
            ClientSession session = awaiting(NEW_CLIENT);
            assertThatThrownBy(() -> session.responseReceived(ConnectionResponse.CONNECTED, Optional.empty(),
                    Optional.empty()))
                    .isInstanceOf(ProtocolViolation.class)
                    .hasMessage("the server answered connected although this client presented no server instance id"
                            + " (hello_new_client was due)");
            assertThat(session.mayPublish()).isFalse();
        }

        @Test
        void responseByCode() throws ProtocolViolation {
            ClientSession session = awaiting(KNOWN_CLIENT);
            assertThat(session.responseReceived(0, Optional.empty(), Optional.empty())).isEqualTo(new Connected());
        }

        @ParameterizedTest
        @ValueSource(ints = {6, 7, 15, -1})
        void undefinedResponseCodeIsAViolation(int code) {
            ClientSession session = awaiting(KNOWN_CLIENT);
            assertThatThrownBy(() -> session.responseReceived(code, Optional.empty(), Optional.empty()))
                    .isInstanceOf(ProtocolViolation.class)
                    .hasMessage("CONNECTION_RESPONSE with undefined response code " + code);
        }

        @Test
        void responseArgumentsMustMatchTheCode() {
            ClientSession session = awaiting(NEW_CLIENT);
            assertThatThrownBy(() -> session.responseReceived(ConnectionResponse.HELLO_NEW_CLIENT, Optional.empty(),
                    Optional.empty())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> session.responseReceived(ConnectionResponse.CONNECTED, Optional.of(SERVER),
                    Optional.empty())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> session.responseReceived(ConnectionResponse.QUARANTINED, Optional.empty(),
                    Optional.empty())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> session.responseReceived(ConnectionResponse.INSTANCE_ID_MISMATCH,
                    Optional.empty(), Optional.of(QUARANTINE))).isInstanceOf(IllegalArgumentException.class);
            assertThat(session.state()).isEqualTo(State.AWAITING_RESPONSE);
        }

        @Test
        void secondResponseIsAViolation() throws ProtocolViolation {
            ClientSession session = awaiting(KNOWN_CLIENT);
            session.responseReceived(ConnectionResponse.CONNECTED, Optional.empty(), Optional.empty());
            assertThatThrownBy(() -> session.responseReceived(ConnectionResponse.CONNECTED, Optional.empty(),
                    Optional.empty())).isInstanceOf(ProtocolViolation.class)
                    .hasMessage("a second CONNECTION_RESPONSE received");
        }

        @Test
        void secondResponseWhileStoringIsAViolation() throws ProtocolViolation {
            ClientSession session = in(State.STORING_SERVER_ID);
            assertThatThrownBy(() -> session.responseReceived(ConnectionResponse.HELLO_NEW_CLIENT,
                    Optional.of(SERVER), Optional.empty())).isInstanceOf(ProtocolViolation.class)
                    .hasMessage("a second CONNECTION_RESPONSE received");
        }

        @Test
        void responseBeforeTheRequestIsAViolation() {
            ClientSession session = new ClientSession();
            assertThatThrownBy(() -> session.responseReceived(ConnectionResponse.CONNECTED, Optional.empty(),
                    Optional.empty())).isInstanceOf(ProtocolViolation.class)
                    .hasMessage("CONNECTION_RESPONSE received before this client sent its CONNECTION_REQUEST");
        }

        @Test
        void responseAfterCloseIsAProgrammingError() {
            ClientSession session = awaiting(KNOWN_CLIENT);
            session.closed();
            assertThatThrownBy(() -> session.responseReceived(ConnectionResponse.CONNECTED, Optional.empty(),
                    Optional.empty())).isInstanceOf(IllegalStateException.class);
        }

        @Test
        void requestIsSentOnce() {
            ClientSession session = awaiting(NEW_CLIENT);
            assertThatThrownBy(() -> session.requestSent(NEW_CLIENT)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot send the CONNECTION_REQUEST in state AWAITING_RESPONSE (only in CONNECTING)");
        }

        @Test
        void storedOnlyAfterHello() throws ProtocolViolation {
            assertThatThrownBy(() -> in(State.CONNECTED).serverInstanceIdStored())
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> awaiting(NEW_CLIENT).serverInstanceIdStored())
                    .isInstanceOf(IllegalStateException.class);
        }

        @ParameterizedTest
        @EnumSource(State.class)
        void closedFromAnyState(State state) throws ProtocolViolation {
            ClientSession session = in(state);
            session.closed();
            assertThat(session.state()).isEqualTo(State.CLOSED);
            assertThat(session.mayPublish()).isFalse();
        }
    }

    @Nested
    class Refusals {
        private Refused refuse(ConnectionResponse response, Optional<Nack> nack, ClientInstanceIds presented)
                throws ProtocolViolation {
            ClientSession session = awaiting(presented);
            Outcome outcome = session.responseReceived(response, Optional.empty(), nack);
            assertThat(outcome).isInstanceOf(Refused.class);
            assertThat(outcome.backOffLong()).as("a refusal is not retried in a tight loop").isTrue();
            assertThat(session.state()).isEqualTo(State.REFUSED);
            assertThat(session.mayPublish()).isFalse();
            assertThat(session.refusal()).contains((Refused) outcome);
            assertThat(((Refused) outcome).response()).isEqualTo(response);
            return (Refused) outcome;
        }

        @Test
        void instanceIdMismatch() throws ProtocolViolation {
            Refused refused = refuse(ConnectionResponse.INSTANCE_ID_MISMATCH, Optional.empty(), KNOWN_CLIENT);
            assertThat(refused.quarantine()).isEmpty();
            assertThat(refused.reason()).isEqualTo("the server refused the connection: instance_id_mismatch (this"
                    + " client presented client instance id 11 and server instance id 22; the server remembers"
                    + " another history)");
            assertThat(refuse(ConnectionResponse.INSTANCE_ID_MISMATCH, Optional.empty(), NEW_CLIENT).reason())
                    .contains("server instance id none");
        }

        @Test
        void quarantinedCarriesTheServersReason() throws ProtocolViolation {
            Refused refused = refuse(ConnectionResponse.QUARANTINED, Optional.of(QUARANTINE), KNOWN_CLIENT);
            assertThat(refused.quarantine()).contains(QUARANTINE);
            assertThat(refused.reason()).isEqualTo("the server quarantined this client: unpaid invoice"
                    + " (Nack[machine=\"Q\", human=\"unpaid invoice\"])");
        }

        @Test
        void quarantinedWithoutMachineMessage() throws ProtocolViolation {
            Refused refused = refuse(ConnectionResponse.QUARANTINED, Optional.of(Nack.of("", "go away")), NEW_CLIENT);
            assertThat(refused.reason()).isEqualTo("the server quarantined this client: go away");
        }

        @Test
        void unsupportedProtocolVersion() throws ProtocolViolation {
            assertThat(refuse(ConnectionResponse.UNSUPPORTED_PROTOCOL_VERSION, Optional.empty(), NEW_CLIENT).reason())
                    .isEqualTo("the server refused the connection: unsupported_protocol_version (this client speaks"
                            + " version 0)");
        }

        @Test
        void unsupportedApplicationVersion() throws ProtocolViolation {
            assertThat(refuse(ConnectionResponse.UNSUPPORTED_APPLICATION_VERSION, Optional.empty(), KNOWN_CLIENT)
                    .reason()).isEqualTo("the server refused the connection: unsupported_application_version");
        }

        @Test
        void refusedIsNotBuiltFromAConnectedResponse() {
            assertThatThrownBy(() -> new Refused(ConnectionResponse.CONNECTED, Optional.empty(), "r"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** What {@link ClientSession#admit} says for every state and frame type. */
    @Nested
    class Admissions {
        @ParameterizedTest
        @EnumSource(FrameType.class)
        void nothingBeforeTheRequest(FrameType type) {
            assertThatThrownBy(() -> new ClientSession().admit(type)).isInstanceOf(ProtocolViolation.class)
                    .hasMessage(type + " received before this client sent its CONNECTION_REQUEST");
        }

        @ParameterizedTest
        @EnumSource(value = FrameType.class, names = "CONNECTION_RESPONSE", mode = EnumSource.Mode.EXCLUDE)
        void onlyTheResponseWhileAwaitingIt(FrameType type) {
            ClientSession session = awaiting(NEW_CLIENT);
            assertThatThrownBy(() -> session.admit(type)).isInstanceOf(ProtocolViolation.class)
                    .hasMessage(type + " received before the CONNECTION_RESPONSE");
        }

        @Test
        void theResponseWhileAwaitingIt() throws ProtocolViolation {
            assertThat(awaiting(NEW_CLIENT).admit(FrameType.CONNECTION_RESPONSE)).isEqualTo(Admission.PROCESS);
        }

        @Test
        void publishBeforeTheResponseIsAViolation() {
            ClientSession session = awaiting(NEW_CLIENT);
            assertThatThrownBy(() -> session.admit(FrameType.PUBLISH)).isInstanceOf(ProtocolViolation.class)
                    .hasMessage("PUBLISH received before the CONNECTION_RESPONSE");
        }

        @ParameterizedTest
        @EnumSource(value = State.class, names = {"STORING_SERVER_ID", "CONNECTED"})
        void handshakeFramesAfterTheHandshakeAreViolations(State state) throws ProtocolViolation {
            ClientSession session = in(state);
            assertThatThrownBy(() -> session.admit(FrameType.CONNECTION_RESPONSE))
                    .isInstanceOf(ProtocolViolation.class).hasMessage("a second CONNECTION_RESPONSE received");
            assertThatThrownBy(() -> session.admit(FrameType.CONNECTION_REQUEST))
                    .isInstanceOf(ProtocolViolation.class).hasMessage("CONNECTION_REQUEST received from the server");
        }

        @Test
        void connectedProcessesTheRest() throws ProtocolViolation {
            ClientSession session = in(State.CONNECTED);
            for (FrameType type : EnumSet.of(FrameType.PUBLISH, FrameType.ACK, FrameType.NACK, FrameType.PING,
                    FrameType.PONG)) {
                assertThat(session.admit(type)).as(type.name()).isEqualTo(Admission.PROCESS);
            }
        }

        @Test
        void framesWhileStoringTheServerIdAreDeferred() throws ProtocolViolation {
            ClientSession session = in(State.STORING_SERVER_ID);
            for (FrameType type : EnumSet.of(FrameType.PUBLISH, FrameType.ACK, FrameType.NACK, FrameType.PING,
                    FrameType.PONG)) {
                assertThat(session.admit(type)).as(type.name()).isEqualTo(Admission.DEFER);
            }
        }

        @ParameterizedTest
        @EnumSource(FrameType.class)
        void framesAfterARefusalOrCloseAreDiscarded(FrameType type) throws ProtocolViolation {
            assertThat(in(State.REFUSED).admit(type)).isEqualTo(Admission.DISCARD);
            assertThat(in(State.CLOSED).admit(type)).isEqualTo(Admission.DISCARD);
        }
    }

    @Test
    void toStringShowsTheState() {
        assertThat(new ClientSession()).hasToString("ClientSession[CONNECTING]");
    }
}
