package io.sink.server.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.Event;
import io.sink.api.server.ReceivedEventStore;
import io.sink.server.store.contract.ReceivedEventStoreContract;
import io.sink.sqlite.TestDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a real SQLite file, and what only the SQLite store shows. */
class SqliteReceivedEventStoreTest extends ReceivedEventStoreContract {

    @TempDir
    Path dir;

    @Override
    protected ReceivedEventStore open(Clock clock) {
        return TestStores.open(TestStores.settings(dir), clock);
    }

    @Override
    protected void close(ReceivedEventStore store) {
        ((SqliteReceivedEventStore) store).close();
    }

    @Override
    protected long committedEvents() throws Exception {
        try (Connection c = TestDb.connect(dir.resolve("events.db"))) {
            return TestDb.queryLong(c, "SELECT count(*) FROM received_events");
        }
    }

    @Override
    protected CountDownLatch holdWriter(ReceivedEventStore store) throws Exception {
        return TestStores.blockWriter((SqliteReceivedEventStore) store);
    }

    private SqliteReceivedEventStore sqlite() {
        return (SqliteReceivedEventStore) store;
    }

    @Test
    void theCountersTellStoredFromDuplicates() throws Exception {
        Event first = reading("kitchen", 12);
        await(store.store("alice", first));
        await(store.store("alice", first));
        await(store.store("alice", Event.of(1, 1, "kitchen", 12, 1, new byte[] {9})));
        assertThat(sqlite().storedCount()).isEqualTo(1);
        assertThat(sqlite().duplicateCount()).isEqualTo(1);
    }

    @Test
    void theDatabaseUsesWalAndFullSyncByDefault() throws Exception {
        try (Connection c = TestDb.connect(dir.resolve("events.db"))) {
            assertThat(TestDb.queryStrings(c, "PRAGMA journal_mode")).containsExactly("wal");
            assertThat(TestDb.queryLong(c, "PRAGMA user_version")).isEqualTo(ServerStoreSchema.RUNNER.currentVersion());
        }
        assertThat(sqlite().settings().synchronous().name()).isEqualTo("FULL");
    }
}
