package io.sink.transport.internal.state;

import static io.sink.api.ConnectionResponse.CONNECTED;
import static io.sink.api.ConnectionResponse.HELLO_NEW_CLIENT;
import static io.sink.api.ConnectionResponse.INSTANCE_ID_MISMATCH;
import static io.sink.api.ConnectionResponse.QUARANTINED;
import static io.sink.api.ConnectionResponse.UNSUPPORTED_APPLICATION_VERSION;
import static io.sink.api.ConnectionResponse.UNSUPPORTED_PROTOCOL_VERSION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.ConnectionResponse;
import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.server.ClientRecord;
import io.sink.transport.internal.state.ServerHandshake.Decision;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every row of section 4's decision, and the order of its checks. */
class ServerHandshakeTest {
    /** S.server: the server's instance id for this client. */
    private static final InstanceId S_SERVER = new InstanceId(7);
    /** C.client as presented. */
    private static final InstanceId C_CLIENT = new InstanceId(1);
    private static final InstanceId OTHER = new InstanceId(4_294_967_295L);
    private static final Nack QUARANTINE = Nack.of("Q1", "meter tampering suspected");

    /** S.client (what the server remembers of the client) relative to C.client. */
    enum Remembered {
        NONE, SAME, DIFFERENT;

        Optional<InstanceId> id() {
            return this == NONE ? Optional.empty() : Optional.of(this == SAME ? C_CLIENT : OTHER);
        }
    }

    /** C.server (what the client presents of the server) relative to S.server. */
    enum Presented {
        NONE, SAME, DIFFERENT;

        Optional<InstanceId> id() {
            return this == NONE ? Optional.empty() : Optional.of(this == SAME ? S_SERVER : OTHER);
        }
    }

    /** The instance-id table of section 4: 3 x 3 rows. */
    static Stream<Arguments> instanceIdRows() {
        return Stream.of(
                Arguments.of(Remembered.NONE, Presented.NONE, HELLO_NEW_CLIENT),
                Arguments.of(Remembered.NONE, Presented.SAME, INSTANCE_ID_MISMATCH),
                Arguments.of(Remembered.NONE, Presented.DIFFERENT, INSTANCE_ID_MISMATCH),
                Arguments.of(Remembered.SAME, Presented.NONE, HELLO_NEW_CLIENT),
                Arguments.of(Remembered.SAME, Presented.SAME, CONNECTED),
                Arguments.of(Remembered.SAME, Presented.DIFFERENT, INSTANCE_ID_MISMATCH),
                Arguments.of(Remembered.DIFFERENT, Presented.NONE, INSTANCE_ID_MISMATCH),
                Arguments.of(Remembered.DIFFERENT, Presented.SAME, INSTANCE_ID_MISMATCH),
                Arguments.of(Remembered.DIFFERENT, Presented.DIFFERENT, INSTANCE_ID_MISMATCH));
    }

    /** Every combination of the table with quarantine and the application version policy: 36 rows. */
    static Stream<Arguments> allRows() {
        List<Arguments> rows = new ArrayList<>();
        instanceIdRows().forEach(row -> {
            for (boolean quarantined : new boolean[] {false, true}) {
                for (boolean versionAccepted : new boolean[] {true, false}) {
                    ConnectionResponse expected = !versionAccepted ? UNSUPPORTED_APPLICATION_VERSION
                            : quarantined ? QUARANTINED : (ConnectionResponse) row.get()[2];
                    rows.add(Arguments.of(row.get()[0], row.get()[1], quarantined, versionAccepted, expected));
                }
            }
        });
        return rows.stream();
    }

    private static Decision decide(Remembered remembered, Presented presented, boolean quarantined,
            boolean versionAccepted) {
        ClientRecord record = new ClientRecord(S_SERVER, remembered.id(),
                quarantined ? Optional.of(QUARANTINE) : Optional.empty());
        return ServerHandshake.decide("1.2.3", new ClientInstanceIds(C_CLIENT, presented.id()), record,
                versionAccepted);
    }

    @ParameterizedTest(name = "S.client {0}, C.server {1} -> {2}")
    @MethodSource("instanceIdRows")
    void instanceIdTable(Remembered remembered, Presented presented, ConnectionResponse expected) {
        Decision decision = decide(remembered, presented, false, true);
        assertThat(decision.response()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "S.client {0}, C.server {1}, quarantined {2}, version accepted {3} -> {4}")
    @MethodSource("allRows")
    void everyRowWithItsSideEffects(Remembered remembered, Presented presented, boolean quarantined,
            boolean versionAccepted, ConnectionResponse expected) {
        Decision decision = decide(remembered, presented, quarantined, versionAccepted);

        assertThat(decision.response()).isEqualTo(expected);
        assertThat(decision.connected()).isEqualTo(expected == CONNECTED || expected == HELLO_NEW_CLIENT);
        assertThat(decision.serverInstanceId())
                .isEqualTo(expected == HELLO_NEW_CLIENT ? Optional.of(S_SERVER) : Optional.empty());
        assertThat(decision.clientInstanceIdToRegister())
                .isEqualTo(expected == HELLO_NEW_CLIENT ? Optional.of(C_CLIENT) : Optional.empty());
        assertThat(decision.quarantine())
                .isEqualTo(expected == QUARANTINED ? Optional.of(QUARANTINE) : Optional.empty());
        assertThat(decision.serverCloses())
                .isEqualTo(expected == INSTANCE_ID_MISMATCH || expected == UNSUPPORTED_APPLICATION_VERSION);
        assertThat(decision.reason()).isNotBlank();
    }

    @Test
    void helloRegistersThePresentedClientId() {
        Decision decision = decide(Remembered.NONE, Presented.NONE, false, true);
        assertThat(decision.clientInstanceIdToRegister()).contains(C_CLIENT);
        assertThat(decision.serverInstanceId()).contains(S_SERVER);
        assertThat(decision.reason()).isEqualTo(
                "the client does not know this server yet (client instance id 1, server instance id 7)");
    }

    @Test
    void connectedNeedsBothIdsToMatch() {
        Decision decision = decide(Remembered.SAME, Presented.SAME, false, true);
        assertThat(decision.response()).isEqualTo(CONNECTED);
        assertThat(decision.reason()).isEqualTo("instance ids match (client 1, server 7)");
    }

    @Test
    void mismatchReasonNamesAllFourIds() {
        Decision decision = decide(Remembered.DIFFERENT, Presented.DIFFERENT, false, true);
        assertThat(decision.reason()).isEqualTo("instance ids do not match: the client presented client instance id 1"
                + " and server instance id 4294967295, the server remembers client instance id 4294967295 and"
                + " server instance id 7");
        assertThat(decide(Remembered.NONE, Presented.SAME, false, true).reason())
                .isEqualTo("instance ids do not match: the client presented client instance id 1 and server instance"
                        + " id 7, the server remembers client instance id none and server instance id 7");
        assertThat(decide(Remembered.DIFFERENT, Presented.NONE, false, true).reason())
                .contains("server instance id none");
    }

    @Test
    void applicationVersionIsCheckedFirst() {
        Decision decision = decide(Remembered.SAME, Presented.SAME, true, false);
        assertThat(decision.response()).isEqualTo(UNSUPPORTED_APPLICATION_VERSION);
        assertThat(decision.quarantine()).isEmpty();
        assertThat(decision.reason()).isEqualTo("application version \"1.2.3\" is not accepted");
    }

    @Test
    void quarantineIsCheckedBeforeInstanceIdsAndCarriesTheNack() {
        Decision decision = decide(Remembered.SAME, Presented.SAME, true, true);
        assertThat(decision.response()).isEqualTo(QUARANTINED);
        assertThat(decision.quarantine()).contains(QUARANTINE);
        assertThat(decision.serverCloses()).as("the original keeps a quarantined connection open").isFalse();
        assertThat(decision.connected()).isFalse();
        assertThat(decision.reason()).contains("meter tampering suspected");
    }

    @Test
    void unsupportedProtocolVersionClosesAfterCode4() {
        Decision decision = ServerHandshake.unsupportedProtocolVersion(3);
        assertThat(decision.response()).isEqualTo(UNSUPPORTED_PROTOCOL_VERSION);
        assertThat(decision.response().code()).isEqualTo(4);
        assertThat(decision.serverCloses()).isTrue();
        assertThat(decision.connected()).isFalse();
        assertThat(decision.reason()).isEqualTo("protocol version 3 is not supported (only 0)");
    }

    @Test
    void version0IsSupported() {
        assertThat(ServerHandshake.isSupportedProtocolVersion(0)).isTrue();
        assertThat(ServerHandshake.isSupportedProtocolVersion(1)).isFalse();
        assertThat(ServerHandshake.isSupportedProtocolVersion(15)).isFalse();
        assertThatThrownBy(() -> ServerHandshake.unsupportedProtocolVersion(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("protocol version 0 is supported");
    }

    @Test
    void rejectsNulls() {
        ClientRecord record = new ClientRecord(S_SERVER, Optional.empty(), Optional.empty());
        ClientInstanceIds ids = new ClientInstanceIds(C_CLIENT, Optional.empty());
        assertThatThrownBy(() -> ServerHandshake.decide(null, ids, record, true))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ServerHandshake.decide("1", null, record, true))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ServerHandshake.decide("1", ids, null, true))
                .isInstanceOf(NullPointerException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hello without server id", "connected with server id", "connected registering",
            "quarantined without nack", "mismatch with nack", "mismatch kept open", "connected closing",
            "quarantined closing"})
    void inconsistentDecisionsCannotBeBuilt(String which) {
        Optional<InstanceId> none = Optional.empty();
        Optional<InstanceId> id = Optional.of(S_SERVER);
        Optional<Nack> noNack = Optional.empty();
        Optional<Nack> nack = Optional.of(QUARANTINE);
        assertThatThrownBy(() -> {
            switch (which) {
                case "hello without server id":
                    new Decision(HELLO_NEW_CLIENT, none, noNack, Optional.of(C_CLIENT), false, "r");
                    break;
                case "connected with server id":
                    new Decision(CONNECTED, id, noNack, none, false, "r");
                    break;
                case "connected registering":
                    new Decision(CONNECTED, none, noNack, Optional.of(C_CLIENT), false, "r");
                    break;
                case "quarantined without nack":
                    new Decision(QUARANTINED, none, noNack, none, false, "r");
                    break;
                case "mismatch with nack":
                    new Decision(INSTANCE_ID_MISMATCH, none, nack, none, true, "r");
                    break;
                case "mismatch kept open":
                    new Decision(INSTANCE_ID_MISMATCH, none, noNack, none, false, "r");
                    break;
                case "connected closing":
                    new Decision(CONNECTED, none, noNack, none, true, "r");
                    break;
                default:
                    new Decision(QUARANTINED, none, nack, none, true, "r");
            }
        }).isInstanceOf(IllegalArgumentException.class);
    }
}
