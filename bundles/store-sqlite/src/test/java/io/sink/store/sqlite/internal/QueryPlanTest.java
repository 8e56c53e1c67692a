package io.sink.store.sqlite.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.sqlite.TestDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The statements on the hot paths use their indexes, so their cost does not grow with the
 * acknowledged history: checked on SQLite's query plans, not on timings.
 */
class QueryPlanTest {

    @TempDir
    static Path dir;
    static Connection c;

    @BeforeAll
    static void createLog() throws Exception {
        // a log of 20,000 acknowledged events and a backlog of 100, with statistics gathered, so the
        // planner decides with a realistic picture of the data
        try (SqliteEventLog log = TestStores.open(dir)) {
            log.appendNext(1, 1, new byte[] {1}, 1, new byte[0]);
        }
        c = TestDb.connect(dir.resolve("events.db"));
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (event_type_id, schema_version, event_key,"
                + " event_offset, event_timestamp, event_data, acked_at) VALUES (?, 1, ?, ?, 0, x'00', ?)")) {
            for (int i = 0; i < 20_100; i++) {
                ps.setLong(1, i % 4);
                ps.setBytes(2, new byte[] {(byte) (i % 50)});
                ps.setLong(3, i + 2);
                if (i < 20_000) {
                    ps.setLong(4, i);
                } else {
                    ps.setNull(4, java.sql.Types.INTEGER);
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (Statement s = c.createStatement()) {
            s.execute("ANALYZE");
        }
        c.commit();
    }

    @AfterAll
    static void closeConnection() throws SQLException {
        c.close();
    }

    static String plan(String sql, int parameters) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
            for (int i = 1; i <= parameters; i++) {
                ps.setLong(i, 1);
            }
            List<String> lines = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lines.add(rs.getString("detail"));
                }
            }
            return String.join("\n", lines);
        }
    }

    @ParameterizedTest(name = "{0} types, {1} excluded")
    @CsvSource({"0, 0", "1, 0", "3, 0", "0, 1", "0, 2", "2, 1"})
    void unacknowledgedSearchesThePartialIndexInSequenceOrder(int types, int excluded) throws SQLException {
        String plan = plan(EventLogSql.unacknowledgedSql(types, excluded), 2 + types + excluded);
        assertThat(plan).contains("SEARCH events USING INDEX events_unacked (sequence>?)");
        assertThat(plan).doesNotContain("SCAN").doesNotContain("TEMP B-TREE");
    }

    @Test
    void thePlannerChoosesThePartialIndexEvenWithoutIndexedBy() throws SQLException {
        // INDEXED BY is a guard that turns a lost index into an error; the choice itself is SQLite's
        String plan = plan(EventLogSql.unacknowledgedSql(0, 0).replace(" INDEXED BY events_unacked", ""), 2);
        assertThat(plan).contains("SEARCH events USING INDEX events_unacked (sequence>?)");
    }

    @Test
    void aQueryNamingAMissingIndexFailsInsteadOfScanning(@TempDir Path other) throws Exception {
        try (Connection bare = TestDb.connect(other.resolve("bare.db")); Statement s = bare.createStatement()) {
            s.execute("CREATE TABLE events (sequence INTEGER PRIMARY KEY, event_type_id, schema_version, event_key,"
                    + " event_offset, event_timestamp, event_data, acked_at)");
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> bare.prepareStatement(EventLogSql.unacknowledgedSql(0, 0)).close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("no such index: events_unacked");
        }
    }

    @Test
    void acknowledgeFindsTheEventByItsAckKey() throws SQLException {
        String plan = plan(EventLogSql.ACKNOWLEDGE_SQL, 4);
        assertThat(plan).contains("SEARCH events USING INDEX events_ack_key (event_type_id=? AND event_key=?"
                + " AND event_offset=?)");
        assertThat(plan).doesNotContain("SCAN");
    }

    @Test
    void acknowledgeBySequenceFindsTheRowByItsRowid() throws SQLException {
        String plan = plan(EventLogSql.ACKNOWLEDGE_BY_SEQUENCE_SQL, 5);
        assertThat(plan).contains("SEARCH events USING INTEGER PRIMARY KEY (rowid=?)");
        assertThat(plan).doesNotContain("SCAN").doesNotContain("events_ack_key");
    }

    @Test
    void retentionFindsAcknowledgedEventsByAcknowledgementTime() throws SQLException {
        assertThat(plan(EventLogSql.DELETE_ACKED_BEFORE_SQL, 2))
                .containsPattern("SEARCH events USING (COVERING )?INDEX events_acked \\(acked_at>\\? AND acked_at<\\?\\)").doesNotContain("SCAN").doesNotContain("TEMP B-TREE");
        assertThat(plan(EventLogSql.DELETE_OLDEST_ACKED_SQL, 1))
                .contains("events_acked").doesNotContain("TEMP B-TREE");
    }

    @Test
    void appendNextFindsTheLastOffsetByPrimaryKey() throws SQLException {
        assertThat(plan("SELECT event_offset FROM last_events WHERE event_type_id = ? AND event_key = ?", 2))
                .contains("SEARCH last_events USING PRIMARY KEY (event_type_id=? AND event_key=?)");
    }

    @Test
    void theQueueSizeIsOneRow() throws SQLException {
        assertThat(plan("SELECT unacked FROM queue_counters WHERE id = 1", 0))
                .contains("SEARCH queue_counters USING INTEGER PRIMARY KEY (rowid=?)");
    }
}
