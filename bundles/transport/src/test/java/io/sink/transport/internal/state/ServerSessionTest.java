package io.sink.transport.internal.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.server.ClientRecord;
import io.sink.transport.internal.state.ServerHandshake.Decision;
import io.sink.transport.internal.state.ServerSession.State;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ServerSessionTest {
    private static final InstanceId CLIENT = new InstanceId(1);
    private static final InstanceId SERVER = new InstanceId(2);

    private static Decision hello() {
        return ServerHandshake.decide("1.0.0", new ClientInstanceIds(CLIENT, Optional.empty()),
                new ClientRecord(SERVER, Optional.empty(), Optional.empty()), true);
    }

    private static Decision connected() {
        return ServerHandshake.decide("1.0.0", new ClientInstanceIds(CLIENT, Optional.of(SERVER)),
                new ClientRecord(SERVER, Optional.of(CLIENT), Optional.empty()), true);
    }

    private static Decision mismatch() {
        return ServerHandshake.decide("1.0.0", new ClientInstanceIds(CLIENT, Optional.of(new InstanceId(3))),
                new ClientRecord(SERVER, Optional.of(CLIENT), Optional.empty()), true);
    }

    private static Decision quarantined() {
        return ServerHandshake.decide("1.0.0", new ClientInstanceIds(CLIENT, Optional.of(SERVER)),
                new ClientRecord(SERVER, Optional.of(CLIENT), Optional.of(Nack.of("", "stolen"))), true);
    }

    private static Decision versionRefused() {
        return ServerHandshake.decide("0.0.1", new ClientInstanceIds(CLIENT, Optional.of(SERVER)),
                new ClientRecord(SERVER, Optional.of(CLIENT), Optional.empty()), false);
    }

    private static ServerSession in(State state) throws ProtocolViolation {
        ServerSession session = new ServerSession();
        switch (state) {
            case AWAITING_REQUEST:
                break;
            case DECIDING:
                session.requestReceived();
                break;
            case CONNECTED:
                session.requestReceived();
                session.decided(connected());
                break;
            case REFUSED:
                session.requestReceived();
                session.decided(quarantined());
                break;
            case CLOSING:
                session.requestReceived();
                session.decided(mismatch());
                break;
            default:
                session.closed();
        }
        assertThat(session.state()).isEqualTo(state);
        return session;
    }

    @Test
    void handshakeToConnected() throws ProtocolViolation {
        ServerSession session = new ServerSession();
        assertThat(session.state()).isEqualTo(State.AWAITING_REQUEST);
        assertThat(session.mayPublish()).isFalse();
        assertThat(session.admit(FrameType.CONNECTION_REQUEST)).isEqualTo(Admission.PROCESS);
        session.requestReceived();
        assertThat(session.state()).isEqualTo(State.DECIDING);
        assertThat(session.mayPublish()).isFalse();
        assertThat(session.decision()).isEmpty();
        Decision decision = hello();
        session.decided(decision);
        assertThat(session.state()).isEqualTo(State.CONNECTED);
        assertThat(session.mayPublish()).isTrue();
        assertThat(session.decision()).contains(decision);
    }

    @Test
    void connectedAnswerConnects() throws ProtocolViolation {
        ServerSession session = in(State.DECIDING);
        session.decided(connected());
        assertThat(session.mayPublish()).isTrue();
    }

    @Test
    void refusalsThatCloseGoToClosing() throws ProtocolViolation {
        for (Decision decision : new Decision[] {mismatch(), versionRefused()}) {
            ServerSession session = in(State.DECIDING);
            session.decided(decision);
            assertThat(session.state()).isEqualTo(State.CLOSING);
            assertThat(session.mayPublish()).isFalse();
        }
    }

    @Test
    void quarantinedStaysOpenButIsNotServed() throws ProtocolViolation {
        ServerSession session = in(State.DECIDING);
        session.decided(quarantined());
        assertThat(session.state()).isEqualTo(State.REFUSED);
        assertThat(session.mayPublish()).isFalse();
    }

    @Test
    void unsupportedProtocolVersionIsAnsweredWithoutADecodedRequest() {
        ServerSession session = new ServerSession();
        session.decided(ServerHandshake.unsupportedProtocolVersion(1));
        assertThat(session.state()).isEqualTo(State.CLOSING);
    }

    @Test
    void otherAnswersNeedTheRequestFirst() {
        ServerSession session = new ServerSession();
        assertThatThrownBy(() -> session.decided(hello())).isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot answer hello_new_client in state AWAITING_REQUEST");
    }

    @Test
    void decidedOnlyOnce() throws ProtocolViolation {
        ServerSession session = in(State.CONNECTED);
        assertThatThrownBy(() -> session.decided(connected())).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @EnumSource(value = FrameType.class, names = "CONNECTION_REQUEST", mode = EnumSource.Mode.EXCLUDE)
    void nothingButTheRequestBeforeTheHandshake(FrameType type) {
        assertThatThrownBy(() -> new ServerSession().admit(type)).isInstanceOf(ProtocolViolation.class)
                .hasMessage(type + " received before the CONNECTION_REQUEST");
    }

    @Test
    void publishBeforeTheHandshakeIsAViolation() {
        assertThatThrownBy(() -> new ServerSession().admit(FrameType.PUBLISH)).isInstanceOf(ProtocolViolation.class)
                .hasMessage("PUBLISH received before the CONNECTION_REQUEST");
    }

    @ParameterizedTest
    @EnumSource(value = State.class, names = {"DECIDING", "CONNECTED"})
    void secondRequestIsAViolation(State state) throws ProtocolViolation {
        ServerSession session = in(state);
        assertThatThrownBy(() -> session.admit(FrameType.CONNECTION_REQUEST)).isInstanceOf(ProtocolViolation.class)
                .hasMessage("a second CONNECTION_REQUEST received");
        assertThatThrownBy(session::requestReceived).isInstanceOf(ProtocolViolation.class)
                .hasMessage("a second CONNECTION_REQUEST received");
        assertThat(session.state()).isEqualTo(state);
    }

    @ParameterizedTest
    @EnumSource(value = FrameType.class, names = "CONNECTION_REQUEST", mode = EnumSource.Mode.EXCLUDE)
    void nothingWhileDeciding(FrameType type) throws ProtocolViolation {
        ServerSession session = in(State.DECIDING);
        assertThatThrownBy(() -> session.admit(type)).isInstanceOf(ProtocolViolation.class)
                .hasMessage(type + " received before the CONNECTION_RESPONSE was sent");
    }

    @Test
    void connectedProcessesTheRestButNotAResponse() throws ProtocolViolation {
        ServerSession session = in(State.CONNECTED);
        for (FrameType type : EnumSet.of(FrameType.PUBLISH, FrameType.ACK, FrameType.NACK, FrameType.PING,
                FrameType.PONG)) {
            assertThat(session.admit(type)).as(type.name()).isEqualTo(Admission.PROCESS);
        }
        assertThatThrownBy(() -> session.admit(FrameType.CONNECTION_RESPONSE)).isInstanceOf(ProtocolViolation.class)
                .hasMessage("CONNECTION_RESPONSE received from the client");
    }

    @ParameterizedTest
    @EnumSource(FrameType.class)
    void anyFrameFromAQuarantinedClientIsAViolation(FrameType type) throws ProtocolViolation {
        ServerSession session = in(State.REFUSED);
        assertThatThrownBy(() -> session.admit(type)).isInstanceOf(ProtocolViolation.class)
                .hasMessage(type + " received from a quarantined client, which must close");
    }

    @ParameterizedTest
    @EnumSource(FrameType.class)
    void framesWhileClosingAreDiscarded(FrameType type) throws ProtocolViolation {
        assertThat(in(State.CLOSING).admit(type)).isEqualTo(Admission.DISCARD);
        assertThat(in(State.CLOSED).admit(type)).isEqualTo(Admission.DISCARD);
    }

    @Test
    void requestAfterCloseIsAProgrammingError() throws ProtocolViolation {
        ServerSession session = in(State.CLOSED);
        assertThatThrownBy(session::requestReceived).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @EnumSource(State.class)
    void closedFromAnyState(State state) throws ProtocolViolation {
        ServerSession session = in(state);
        session.closed();
        assertThat(session.state()).isEqualTo(State.CLOSED);
        assertThat(session.mayPublish()).isFalse();
    }

    @Test
    void toStringShowsTheState() {
        assertThat(new ServerSession()).hasToString("ServerSession[AWAITING_REQUEST]");
    }
}
