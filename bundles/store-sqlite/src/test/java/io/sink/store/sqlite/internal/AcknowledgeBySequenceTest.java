package io.sink.store.sqlite.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.AckKey;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.sqlite.TestDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acknowledgements that find their row by sequence ({@link HandedOut}): a sequence is only a hint, so
 * a wrong or stale one never acknowledges another event, and the queue counters move by what changed.
 */
class AcknowledgeBySequenceTest {

    @TempDir
    Path dir;
    private final List<LoggedEvent> logged = new ArrayList<>();

    @BeforeEach
    void logThreeEvents() {
        try (SqliteEventLog log = TestStores.open(dir)) {
            for (String sensor : List.of("a", "b", "c")) {
                logged.add(log.appendNext(1, 1, sensor.getBytes(UTF_8), 1000, new byte[] {1}));
            }
        }
    }

    @Test
    void theRightSequenceAcknowledgesItsEvent() throws SQLException {
        try (Connection c = TestDb.connect(dir.resolve("events.db"))) {
            int changed = EventLogSql.acknowledge(c, List.of(key(0), key(2)),
                    new long[] {sequence(0), sequence(2)}, 5);

            assertThat(changed).isEqualTo(2);
            assertThat(unacknowledged(c)).containsExactly(sequence(1));
            assertThat(counters(c)).containsExactly(1, 2);
        }
    }

    @Test
    void aSequenceOfAnotherEventAcknowledgesTheKeysEventOnly() throws SQLException {
        try (Connection c = TestDb.connect(dir.resolve("events.db"))) {
            // b's key with c's sequence: c's row does not hold b's key, so b is found by its key
            int changed = EventLogSql.acknowledge(c, List.of(key(1)), new long[] {sequence(2)}, 5);

            assertThat(changed).isEqualTo(1);
            assertThat(unacknowledged(c)).containsExactly(sequence(0), sequence(2));
            assertThat(counters(c)).containsExactly(2, 1);
        }
    }

    @Test
    void anAcknowledgedOrUnknownEventChangesNothing() throws SQLException {
        try (Connection c = TestDb.connect(dir.resolve("events.db"))) {
            EventLogSql.acknowledge(c, List.of(key(0)), new long[] {sequence(0)}, 5);

            int changed = EventLogSql.acknowledge(c, List.of(key(0), AckKey.of(1, "z", 1)),
                    new long[] {sequence(0), 999}, 6);

            assertThat(changed).isZero();
            assertThat(unacknowledged(c)).containsExactly(sequence(1), sequence(2));
            assertThat(counters(c)).containsExactly(2, 1);
        }
    }

    @Test
    void theLogAcknowledgesWhatItHandedOutAndWhatItDidNot() {
        try (SqliteEventLog log = TestStores.open(dir)) {
            List<LoggedEvent> handed = log.unacknowledged(Set.of(), Set.of(), 0, 2); // a and b

            log.acknowledge(List.of(key(1), key(2))); // b by sequence, c by key

            assertThat(handed).containsExactly(logged.get(0), logged.get(1));
            assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 10)).containsExactly(logged.get(0));
            assertThat(log.queueSize()).isEqualTo(1);
        }
    }

    @Test
    void handedOutRemembersAtMostItsCapacity() {
        HandedOut handedOut = new HandedOut(2);

        handedOut.handedOut(logged);

        assertThat(handedOut.size()).isEqualTo(2);
        assertThat(handedOut.sequencesOf(List.of(key(0), key(1), key(2))))
                .containsExactly(sequence(0), sequence(1), 0);
        handedOut.acknowledged(List.of(key(0)));
        assertThat(handedOut.sequencesOf(List.of(key(0), key(1)))).containsExactly(0, sequence(1));
    }

    private AckKey key(int i) {
        return logged.get(i).event().ackKey();
    }

    private long sequence(int i) {
        return logged.get(i).sequence();
    }

    private static List<Long> unacknowledged(Connection c) throws SQLException {
        List<Long> sequences = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT sequence FROM events WHERE acked_at IS NULL ORDER BY 1");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                sequences.add(rs.getLong(1));
            }
        }
        return sequences;
    }

    private static long[] counters(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT unacked, acked FROM queue_counters");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }
}
