package io.sink.store.sqlite.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.sqlite.TestDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Databases of older schema versions are brought up to date when the log opens. */
class MigrationTest {

    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("events.db");
    }

    @Test
    void migrationsAreNumberedInOrder() {
        for (int i = 0; i < Schema.MIGRATIONS.size(); i++) {
            assertThat(Schema.MIGRATIONS.get(i).version()).isEqualTo(i + 1);
            assertThat(Schema.MIGRATIONS.get(i).statements()).isNotEmpty();
        }
        assertThat(Schema.CURRENT_VERSION).isEqualTo(Schema.MIGRATIONS.size());
    }

    @Test
    void aVersion1DatabaseWithEventsIsMigrated() throws Exception {
        try (Connection c = TestDb.connect(db())) {
            c.setAutoCommit(false);
            assertThat(Schema.migrate(c, 1, "test")).isZero();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (event_type_id, schema_version,"
                    + " event_key, event_offset, event_timestamp, event_data, acked_at) VALUES (1, 1, ?, ?, ?, ?, ?)")) {
                for (int i = 1; i <= 10; i++) {
                    ps.setBytes(1, "sensor".getBytes());
                    ps.setLong(2, i);
                    ps.setLong(3, 1000 + i);
                    ps.setBytes(4, new byte[] {(byte) i});
                    if (i <= 6) {
                        ps.setLong(5, 1); // acknowledged long ago
                    } else {
                        ps.setNull(5, java.sql.Types.INTEGER);
                    }
                    ps.executeUpdate();
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO last_events VALUES (1, CAST('sensor' AS BLOB), 1, 10, 1010, x'0a')");
                s.execute("INSERT INTO instance_ids VALUES ('client', 1234)");
            }
            c.commit();
            assertThat(Schema.version(c)).isEqualTo(1);
        }

        try (SqliteEventLog log = SqliteEventLog.open(TestStores.executor(TestStores.settings(dir).build()),
                TestStores.settings(dir).retentionMaxAge(Duration.ofDays(1)).retentionMaxCount(0).build(),
                Clock.systemUTC(), new Random(1))) {
            // migration 2 counted the existing rows; migration 3 lets retention find the old acknowledgements
            assertThat(log.queueSize()).isEqualTo(4);
            assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 100)).extracting(e -> e.event().offset())
                    .containsExactly(7L, 8L, 9L, 10L);
            assertThat(log.runRetention()).isEqualTo(6);
            assertThat(log.instanceIds().client().value()).isEqualTo(1234);
            LoggedEvent next = log.appendNext(1, 1, "sensor".getBytes(), 2000, new byte[0]);
            assertThat(next.event().offset()).isEqualTo(11);
            assertThat(log.queueSize()).isEqualTo(5);
        }
        try (Connection c = TestDb.connect(db())) {
            assertThat(Schema.version(c)).isEqualTo(Schema.CURRENT_VERSION);
            assertThat(TestDb.queryStrings(c, "SELECT name FROM sqlite_master WHERE type = 'index'"
                    + " AND name LIKE 'events_%' ORDER BY name"))
                    .containsExactly("events_ack_key", "events_acked", "events_unacked");
            assertThat(TestDb.queryStrings(c, "PRAGMA integrity_check")).containsExactly("ok");
        }
    }

    @Test
    void aVersion3DatabaseCountsAcknowledgementsPerBatchAfterMigrating() throws Exception {
        try (Connection c = TestDb.connect(db())) {
            c.setAutoCommit(false);
            Schema.migrate(c, 3, "test");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (event_type_id, schema_version,"
                    + " event_key, event_offset, event_timestamp, event_data) VALUES (1, 1, ?, ?, 1, x'00')")) {
                for (int i = 1; i <= 5; i++) {
                    ps.setBytes(1, "sensor".getBytes());
                    ps.setLong(2, i);
                    ps.executeUpdate();
                }
            }
            // version 3: the trigger counts this acknowledgement
            try (Statement s = c.createStatement()) {
                s.execute("UPDATE events SET acked_at = 1 WHERE event_offset = 1");
            }
            c.commit();
            assertThat(TestDb.queryStrings(c, "SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                    .contains("events_counted_ack");
        }
        try (SqliteEventLog log = TestStores.open(dir)) {
            assertThat(log.queueSize()).isEqualTo(4);
            // new, already acknowledged, unknown and repeated keys in one batch
            log.acknowledge(java.util.List.of(io.sink.api.AckKey.of(1, "sensor", 2),
                    io.sink.api.AckKey.of(1, "sensor", 1), io.sink.api.AckKey.of(1, "other", 2),
                    io.sink.api.AckKey.of(1, "sensor", 3), io.sink.api.AckKey.of(1, "sensor", 2)));
            assertThat(log.queueSize()).isEqualTo(2);
        }
        try (Connection c = TestDb.connect(db())) {
            assertThat(Schema.version(c)).isEqualTo(Schema.CURRENT_VERSION);
            assertThat(TestDb.queryStrings(c, "SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                    .doesNotContain("events_counted_ack");
            assertThat(TestDb.queryStrings(c, "SELECT unacked || ' ' || acked FROM queue_counters"))
                    .containsExactly(TestDb.queryStrings(c, "SELECT count(*) FILTER (WHERE acked_at IS NULL) || ' '"
                            + " || count(*) FILTER (WHERE acked_at IS NOT NULL) FROM events").get(0))
                    .containsExactly("2 3");
        }
    }

    @Test
    void reopeningAnUpToDateDatabaseChangesNothing() throws Exception {
        try (SqliteEventLog log = TestStores.open(dir)) {
            log.appendNext(1, 1, new byte[] {1}, 1, new byte[0]);
        }
        try (SqliteEventLog log = TestStores.open(dir)) {
            assertThat(log.queueSize()).isEqualTo(1);
        }
        try (Connection c = TestDb.connect(db())) {
            assertThat(Schema.version(c)).isEqualTo(Schema.CURRENT_VERSION);
        }
    }

    @Test
    void aDatabaseFromANewerVersionIsRefused() throws Exception {
        try (Connection c = TestDb.connect(db()); Statement s = c.createStatement()) {
            s.execute("PRAGMA user_version = " + (Schema.CURRENT_VERSION + 1));
        }
        assertThatThrownBy(() -> TestStores.open(dir).close())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(db().toString())
                .hasMessageContaining("schema version " + (Schema.CURRENT_VERSION + 1))
                .hasMessageContaining("newer");
    }

    @Test
    void aFailedMigrationLeavesTheDatabaseAsItWas() throws Exception {
        try (Connection c = TestDb.connect(db())) {
            c.setAutoCommit(false);
            Schema.migrate(c, 1, "test");
            try (Statement s = c.createStatement()) {
                // an object in the way of migration 2
                s.execute("CREATE TABLE queue_counters (x)");
            }
            c.commit();
        }
        assertThatThrownBy(() -> TestStores.open(dir).close()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("queue_counters");
        try (Connection c = TestDb.connect(db())) {
            assertThat(Schema.version(c)).isEqualTo(1);
            assertThat(TestDb.queryStrings(c, "SELECT name FROM sqlite_master WHERE type = 'trigger'")).isEmpty();
        }
    }

    @Test
    void migrateRefusesUnknownTargets() {
        assertThatThrownBy(() -> Schema.migrate(null, Schema.CURRENT_VERSION + 1, "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
