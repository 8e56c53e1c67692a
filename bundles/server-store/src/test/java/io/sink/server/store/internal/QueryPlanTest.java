package io.sink.server.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.sqlite.TestDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reads and the duplicate check go through indexes, whatever the number of events stored. */
class QueryPlanTest {

    @TempDir
    Path dir;

    private List<String> plan(String sql) throws Exception {
        try (SqliteReceivedEventStore store = TestStores.open(dir)) {
            store.count("x"); // opened and migrated
        }
        List<String> lines = new ArrayList<>();
        try (Connection c = TestDb.connect(dir.resolve("events.db"));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
            while (rs.next()) {
                lines.add(rs.getString("detail"));
            }
        }
        return lines;
    }

    @Test
    void latestWalksTheClientIndexBackwardsWithoutSorting() throws Exception {
        assertThat(String.join("\n", plan("SELECT event_type_id FROM received_events WHERE client_id = 'a'"
                + " ORDER BY id DESC LIMIT 10")))
                .contains("SEARCH received_events USING INDEX received_events_client (client_id=?)")
                .doesNotContain("TEMP B-TREE");
    }

    @Test
    void countReadsOneRow() throws Exception {
        assertThat(plan("SELECT events FROM received_counts WHERE client_id = 'a'"))
                .anyMatch(line -> line.contains("SEARCH received_counts USING PRIMARY KEY (client_id=?)"));
    }

    @Test
    void theDuplicateCheckUsesTheUniqueIndex() throws Exception {
        assertThat(plan("SELECT id FROM received_events WHERE client_id = 'a' AND event_type_id = 1"
                + " AND event_key = x'00' AND event_offset = 3"))
                .anyMatch(line -> line.contains("INDEX received_events_ack_key (client_id=? AND event_offset=?"
                        + " AND event_type_id=? AND event_key=?)"));
    }
}
