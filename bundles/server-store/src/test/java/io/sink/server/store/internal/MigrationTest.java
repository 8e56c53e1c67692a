package io.sink.server.store.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.Event;
import io.sink.api.server.ReceivedEventStore.Outcome;
import io.sink.sqlite.Migrations;
import io.sink.sqlite.TestDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Databases of older schema versions are brought up to date when the store opens. */
class MigrationTest {

    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("events.db");
    }

    @Test
    void theSchemaIsNumberedInOrder() {
        assertThat(ServerStoreSchema.RUNNER.currentVersion()).isEqualTo(5);
    }

    @Test
    void aVersion1DatabaseWithEventsGetsItsCountersFromTheExistingRows() throws Exception {
        try (Connection c = TestDb.connect(db())) {
            c.setAutoCommit(false);
            assertThat(ServerStoreSchema.RUNNER.migrate(c, 1, "test")).isZero();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO received_events (client_id, event_type_id,"
                    + " schema_version, event_key, event_offset, event_timestamp, event_data, received_at)"
                    + " VALUES (?, 1, 1, ?, ?, ?, ?, 5)")) {
                for (int i = 1; i <= 7; i++) {
                    // the same content as TestStores.reading("kitchen", i), so that storing it again is a duplicate
                    ps.setString(1, i <= 4 ? "alice" : "bob");
                    ps.setBytes(2, "kitchen".getBytes());
                    ps.setLong(3, i);
                    ps.setLong(4, TestStores.reading("kitchen", i).timestamp());
                    ps.setBytes(5, TestStores.reading("kitchen", i).eventData());
                    ps.executeUpdate();
                }
            }
            c.commit();
            assertThat(Migrations.version(c)).isEqualTo(1);
        }
        try (SqliteReceivedEventStore store = TestStores.open(dir)) {
            assertThat(store.count("alice")).isEqualTo(4);
            assertThat(store.count("bob")).isEqualTo(3);
            assertThat(store.store("alice", TestStores.reading("kitchen", 4)).toCompletableFuture()
                    .get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.DUPLICATE);
            assertThat(store.store("alice", TestStores.reading("kitchen", 5)).toCompletableFuture()
                    .get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.STORED);
            assertThat(store.count("alice")).isEqualTo(5);
            assertThat(store.latest("alice", 1).get(0).event().offset()).isEqualTo(5);
        }
        try (Connection c = TestDb.connect(db())) {
            assertThat(Migrations.version(c)).isEqualTo(5);
            assertThat(TestDb.queryStrings(c, "PRAGMA integrity_check")).containsExactly("ok");
            // migration 3 counted the bytes of the existing rows, and the store the new one
            long perEvent = "kitchen".length() + TestStores.reading("kitchen", 1).eventData().length;
            assertThat(TestDb.queryLong(c, "SELECT bytes FROM received_counts WHERE client_id = 'alice'"))
                    .isEqualTo(5 * perEvent);
            assertThat(TestDb.queryLong(c, "SELECT bytes FROM received_counts WHERE client_id = 'bob'"))
                    .isEqualTo(3 * perEvent);
        }
    }

    @Test
    void aVersion3DatabaseCountedByTriggersKeepsItsCountsAndTheStoreCountsFromThenOn() throws Exception {
        long perEvent = "kitchen".length() + TestStores.reading("kitchen", 1).eventData().length;
        try (Connection c = TestDb.connect(db())) {
            c.setAutoCommit(false);
            assertThat(ServerStoreSchema.RUNNER.migrate(c, 3, "test")).isZero();
            try (PreparedStatement ps = c.prepareStatement(ReceivedEventsSql.INSERT)) {
                for (int i = 1; i <= 6; i++) {
                    // counted by version 3's insert trigger
                    assertThat(ReceivedEventsSql.insertIfNew(ps, i <= 4 ? "alice" : "bob",
                            TestStores.reading("kitchen", i), 5)).isTrue();
                }
            }
            c.commit();
            assertThat(TestDb.queryLong(c, "SELECT events FROM received_counts WHERE client_id = 'alice'"))
                    .isEqualTo(4);
        }
        try (SqliteReceivedEventStore store = TestStores.open(dir)) {
            assertThat(store.count("alice")).isEqualTo(4);
            assertThat(store.count("bob")).isEqualTo(2);
            List<Event> events = new ArrayList<>();
            for (int i = 3; i <= 9; i++) {
                events.add(TestStores.reading("kitchen", i));
            }
            assertThat(storeTogether(store, "alice", events)).containsExactly(Outcome.DUPLICATE, Outcome.DUPLICATE,
                    Outcome.STORED, Outcome.STORED, Outcome.STORED, Outcome.STORED, Outcome.STORED);
            assertThat(store.count("alice")).isEqualTo(9);
            assertThat(store.count("bob")).isEqualTo(2);
        }
        try (Connection c = TestDb.connect(db())) {
            assertThat(Migrations.version(c)).isEqualTo(5);
            // counted once: by the store, no trigger left on inserts (the one on deletes stays)
            assertThat(TestDb.queryStrings(c, "SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                    .containsExactly("received_events_uncounted");
            assertThat(TestDb.queryLong(c, "SELECT bytes FROM received_counts WHERE client_id = 'alice'"))
                    .isEqualTo(9 * perEvent);
            assertThat(TestDb.queryLong(c, "SELECT count(*) FROM received_counts c WHERE events <> (SELECT count(*)"
                    + " FROM received_events e WHERE e.client_id = c.client_id)")).isZero();
            assertThat(TestDb.queryStrings(c, "PRAGMA integrity_check")).containsExactly("ok");
        }
    }

    @Test
    void aVersion4DatabaseGetsItsAckKeyIndexOrderedByOffsetAndStillRecognisesDuplicates() throws Exception {
        try (Connection c = TestDb.connect(db())) {
            c.setAutoCommit(false);
            assertThat(ServerStoreSchema.RUNNER.migrate(c, 4, "test")).isZero();
            long bytes = 0;
            try (PreparedStatement ps = c.prepareStatement(ReceivedEventsSql.INSERT)) {
                for (int i = 1; i <= 6; i++) {
                    // two keys, offsets side by side, as two sensors append them
                    Event event = TestStores.reading(i % 2 == 0 ? "kitchen" : "garage", i);
                    assertThat(ReceivedEventsSql.insertIfNew(ps, "alice", event, 5)).isTrue();
                    bytes += ReceivedEventsSql.bytesOf(event);
                }
            }
            ReceivedEventsSql.addToCounts(c, "alice", 6, bytes);
            c.commit();
            assertThat(ackKeyIndexColumns(c))
                    .containsExactly("client_id", "event_type_id", "event_key", "event_offset");
        }
        try (SqliteReceivedEventStore store = TestStores.open(dir)) {
            List<Event> events = new ArrayList<>();
            for (int i = 5; i <= 8; i++) {
                events.add(TestStores.reading(i % 2 == 0 ? "kitchen" : "garage", i));
            }
            assertThat(storeTogether(store, "alice", events))
                    .containsExactly(Outcome.DUPLICATE, Outcome.DUPLICATE, Outcome.STORED, Outcome.STORED);
            assertThat(store.count("alice")).isEqualTo(8);
        }
        try (Connection c = TestDb.connect(db())) {
            assertThat(Migrations.version(c)).isEqualTo(5);
            assertThat(ackKeyIndexColumns(c))
                    .containsExactly("client_id", "event_offset", "event_type_id", "event_key");
            assertThat(TestDb.queryLong(c, "SELECT count(*) FROM received_events")).isEqualTo(8);
            assertThat(TestDb.queryStrings(c, "PRAGMA integrity_check")).containsExactly("ok");
        }
    }

    /** Stores the events without waiting between them (one batch, as a connection's read hands them over). */
    private static List<Outcome> storeTogether(SqliteReceivedEventStore store, String client, List<Event> events)
            throws Exception {
        List<CompletableFuture<Outcome>> stages = new ArrayList<>();
        for (Event event : events) {
            stages.add(store.store(client, event).toCompletableFuture());
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (CompletableFuture<Outcome> s : stages) {
            outcomes.add(s.get(60, TimeUnit.SECONDS));
        }
        return outcomes;
    }

    private static List<String> ackKeyIndexColumns(Connection c) throws Exception {
        return TestDb.queryStrings(c, "SELECT name FROM pragma_index_info('received_events_ack_key') ORDER BY seqno");
    }

    @Test
    void aDatabaseFromANewerVersionIsRefused() throws Exception {
        try (Connection c = TestDb.connect(db()); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = 6");
        }
        assertThatThrownBy(() -> TestStores.open(dir).close()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("received-event store " + db())
                .hasMessageContaining("schema version 6")
                .hasMessageContaining("newer");
    }

    @Test
    void aFailedMigrationLeavesTheDatabaseAsItWas() throws Exception {
        try (Connection c = TestDb.connect(db())) {
            c.setAutoCommit(false);
            ServerStoreSchema.RUNNER.migrate(c, 1, "test");
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE received_counts (x)"); // in the way of migration 2
            }
            c.commit();
        }
        assertThatThrownBy(() -> TestStores.open(dir).close()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("received_counts");
        try (Connection c = TestDb.connect(db())) {
            assertThat(Migrations.version(c)).isEqualTo(1);
            assertThat(TestDb.queryStrings(c, "SELECT name FROM sqlite_master WHERE type = 'trigger'")).isEmpty();
        }
    }
}
