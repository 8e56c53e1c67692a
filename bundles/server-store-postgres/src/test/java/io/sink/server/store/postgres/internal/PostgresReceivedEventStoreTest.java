package io.sink.server.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.Event;
import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.ReceivedEventStore.Outcome;
import io.sink.server.store.contract.ReceivedEventStoreContract;
import io.sink.server.store.postgres.PostgresServer;
import io.sink.sqlite.AriesFixture;
import io.sink.sqlite.AriesSqlitePools;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.osgi.PGDataSourceFactory;

/**
 * The store contract on a real PostgreSQL server started for this class, through pgjdbc's OSGi
 * DataSourceFactory and the real Aries pools (as in the framework), and what only this store shows:
 * batches, the schema and its migrations, two stores (nodes) on one database.
 */
class PostgresReceivedEventStoreTest extends ReceivedEventStoreContract {
    @RegisterExtension
    static final PostgresServer.PerClass PG = new PostgresServer.PerClass();
    static final AriesFixture aries = new AriesFixture(new PGDataSourceFactory());
    PostgresServer pg;

    String database;
    final Map<ReceivedEventStore, AriesSqlitePools> pools = new IdentityHashMap<>();

    @AfterAll
    static void closeAries() {
        aries.close();
    }

    @Override
    protected ReceivedEventStore open(Clock clock) {
        pg = PG.server();
        if (database == null) {
            database = pg.createDatabase();
        }
        return open(database, 1000, clock);
    }

    PostgresReceivedEventStore open(String db, int maxWrites, Clock clock) {
        PostgresSettings settings = TestPools.settings(pg, db, maxWrites);
        AriesSqlitePools p = TestPools.open(aries, settings);
        try {
            PostgresReceivedEventStore s = PostgresReceivedEventStore.open(p.executor(), settings.databaseName(),
                    maxWrites, clock);
            pools.put(s, p);
            return s;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    @Override
    protected void close(ReceivedEventStore store) {
        ((PostgresReceivedEventStore) store).close();
        AriesSqlitePools p = pools.remove(store);
        if (p != null) {
            p.close();
        }
    }

    @Override
    protected long committedEvents() throws Exception {
        return queryLong("SELECT count(*) FROM received_events");
    }

    @Override
    protected CountDownLatch holdWriter(ReceivedEventStore store) throws Exception {
        return hold((PostgresReceivedEventStore) store);
    }

    static CountDownLatch hold(PostgresReceivedEventStore store) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        store.onWriterThread(() -> {
            held.countDown();
            try {
                release.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        if (!held.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("the writer thread did not start the holding task");
        }
        return release;
    }

    private long queryLong(String sql) throws Exception {
        try (Connection c = pg.connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as("a row from %s", sql).isTrue();
            return rs.getLong(1);
        }
    }

    private PostgresReceivedEventStore pgStore() {
        return (PostgresReceivedEventStore) store;
    }

    @BeforeEach
    void noPoolsLeftOpen() {
        assertThat(aries.providerFactory.open).hasSize(2); // the store of this test only
    }

    @Test
    void eventsQueuedTogetherAreWrittenInOneTransaction() throws Exception {
        CountDownLatch release = holdWriter(store);
        long before = pgStore().transactions();
        List<CompletionStage<Outcome>> stages = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            stages.add(store.store("alice", reading("kitchen", i)));
        }
        release.countDown();
        for (CompletionStage<Outcome> s : stages) {
            assertThat(await(s)).isEqualTo(Outcome.STORED);
        }
        assertThat(pgStore().transactions() - before).isEqualTo(1);
        assertThat(pgStore().storedCount()).isEqualTo(50);
    }

    @Test
    void theBatchSizeIsBounded() throws Exception {
        PostgresReceivedEventStore small = open(database, 8, Clock.systemUTC());
        try {
            CountDownLatch release = hold(small);
            List<CompletionStage<Outcome>> stages = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                stages.add(small.store("alice", reading("kitchen", i)));
            }
            release.countDown();
            for (CompletionStage<Outcome> s : stages) {
                assertThat(await(s)).isEqualTo(Outcome.STORED);
            }
            assertThat(small.transactions()).isEqualTo(3); // 8 + 8 + 4
        } finally {
            close(small);
        }
    }

    @Test
    void twoStoresOnOneDatabaseStoreEachEventOnce() throws Exception {
        // two server nodes receiving the same events (a client that reconnected elsewhere and re-sent)
        PostgresReceivedEventStore other = open(database, 1000, Clock.systemUTC());
        try {
            List<CompletionStage<Outcome>> stages = new ArrayList<>();
            for (int i = 1; i <= 500; i++) {
                stages.add(store.store("alice", reading("kitchen", i)));
                stages.add(other.store("alice", reading("kitchen", i)));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (CompletionStage<Outcome> s : stages) {
                outcomes.add(await(s));
            }
            for (int i = 0; i < 500; i++) {
                assertThat(List.of(outcomes.get(2 * i), outcomes.get(2 * i + 1)))
                        .as("event %d", i + 1).containsExactlyInAnyOrder(Outcome.STORED, Outcome.DUPLICATE);
            }
        } finally {
            close(other);
        }
        assertThat(committedEvents()).isEqualTo(500);
        assertThat(store.count("alice")).isEqualTo(500);
        assertThat(queryLong("SELECT count(DISTINCT event_offset) FROM received_events")).isEqualTo(500);
    }

    @Test
    void theSchemaIsVersionedAndTheCountersMatchTheRows() throws Exception {
        assertThat(queryLong("SELECT version FROM schema_version WHERE component = 'received_events'"))
                .isEqualTo(ReceivedEventsSchema.RUNNER.currentVersion()).isEqualTo(1);
        for (int i = 1; i <= 10; i++) {
            await(store.store(i % 2 == 0 ? "alice" : "bob", reading("kitchen", i)));
        }
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            s.execute("DELETE FROM received_events WHERE client_id = 'bob' AND event_offset < 5");
        }
        assertThat(store.count("alice")).isEqualTo(5);
        assertThat(store.count("bob")).isEqualTo(3);
        assertThat(queryLong("SELECT count(*) FROM received_counts c WHERE events <> (SELECT count(*)"
                + " FROM received_events e WHERE e.client_id = c.client_id)")).isZero();
    }

    @Test
    void theDuplicateCheckAndLatestUseIndexes() throws Exception {
        try (Connection c = pg.connect(database); Statement s = c.createStatement()) {
            // few rows: show that the indexes can serve, not that the planner chooses them for an empty table
            s.execute("SET enable_seqscan = off");
            s.execute("SET enable_bitmapscan = off");
            assertThat(plan(s, "SELECT 1 FROM received_events WHERE client_id = 'a' AND event_type_id = 1"
                    + " AND sha256(event_key) = sha256('\\x00'::bytea) AND event_offset = 3"))
                    .contains("received_events_ack_key");
            assertThat(plan(s, "SELECT id FROM received_events WHERE client_id = 'a' ORDER BY id DESC LIMIT 10"))
                    .contains("Scan Backward using received_events_client").doesNotContain("Sort");
        }
    }

    private static String plan(Statement s, String sql) throws Exception {
        StringBuilder b = new StringBuilder();
        try (ResultSet rs = s.executeQuery("EXPLAIN " + sql)) {
            while (rs.next()) {
                b.append(rs.getString(1)).append('\n');
            }
        }
        return b.toString();
    }

    @Test
    void aDatabaseFromANewerVersionIsRefused() throws Exception {
        String newer = pg.createDatabase();
        try (Connection c = pg.connect(newer); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE schema_version (component text PRIMARY KEY, version integer NOT NULL,"
                    + " migrated_at timestamptz NOT NULL DEFAULT now())");
            s.execute("INSERT INTO schema_version (component, version) VALUES ('received_events', 2)");
        }
        assertThatThrownBy(() -> open(newer, 1000, Clock.systemUTC()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("received-event store postgresql://")
                .hasMessageContaining("schema version 2")
                .hasMessageContaining("newer");
    }

    @Test
    void aFailedMigrationLeavesTheDatabaseAsItWas() throws Exception {
        String blocked = pg.createDatabase();
        try (Connection c = pg.connect(blocked); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE received_counts (x integer)"); // in the way of migration 1
        }
        assertThatThrownBy(() -> open(blocked, 1000, Clock.systemUTC()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("received_counts");
        try (Connection c = pg.connect(blocked); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT to_regclass('received_events') IS NULL,"
                        + " to_regclass('schema_version') IS NULL")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getBoolean(1)).as("received_events rolled back").isTrue();
            assertThat(rs.getBoolean(2)).as("schema_version rolled back").isTrue();
        }
    }

    @Test
    void aConflictIsCountedApart() throws Exception {
        Event first = reading("kitchen", 1);
        await(store.store("alice", first));
        await(store.store("alice", first));
        await(store.store("alice", Event.of(1, 1, "kitchen", 1, 1, new byte[] {9})));
        assertThat(pgStore().storedCount()).isEqualTo(1);
        assertThat(pgStore().duplicateCount()).isEqualTo(1);
        assertThat(pgStore().conflictCount()).isEqualTo(1);
    }
}
