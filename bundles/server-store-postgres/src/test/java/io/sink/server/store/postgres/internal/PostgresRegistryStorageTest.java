package io.sink.server.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.server.auth.contract.RegistryStorageContract;
import io.sink.server.auth.storage.RegistryStorage;
import io.sink.server.store.postgres.PostgresServer;
import io.sink.sqlite.AriesFixture;
import io.sink.sqlite.AriesSqlitePools;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.osgi.PGDataSourceFactory;

/**
 * The registry storage contract on a real PostgreSQL server, through pgjdbc's DataSourceFactory and the
 * real Aries pools, and what only this storage shows: nodes sharing one database.
 */
class PostgresRegistryStorageTest extends RegistryStorageContract {
    @RegisterExtension
    static final PostgresServer.PerClass PG = new PostgresServer.PerClass();
    static final AriesFixture aries = new AriesFixture(new PGDataSourceFactory());
    PostgresServer pg;

    String database;
    final Map<RegistryStorage, AriesSqlitePools> pools = new IdentityHashMap<>();

    @AfterAll
    static void closeAries() {
        aries.close();
    }

    @Override
    protected RegistryStorage open() {
        pg = PG.server();
        if (database == null) {
            database = pg.createDatabase();
        }
        return openNode();
    }

    /** Another node on this test's database. */
    private PostgresRegistryStorage openNode() {
        PostgresSettings settings = TestPools.settings(pg, database, 1000);
        AriesSqlitePools p = TestPools.open(aries, settings);
        try {
            PostgresRegistryStorage s = PostgresRegistryStorage.open(p.executor(), settings.databaseName(),
                    new SecureRandom());
            pools.put(s, p);
            return s;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    @Override
    protected void close(RegistryStorage storage) {
        AriesSqlitePools p = pools.remove(storage);
        if (p != null) {
            p.close();
        }
    }

    @Test
    void nodesOnOneDatabaseShareTheServerInstanceIdAndSeeEachOthersChanges() throws Exception {
        PostgresRegistryStorage other = openNode();
        try {
            assertThat(other.serverInstanceId()).isEqualTo(storage.serverInstanceId());
            storage.put(registered("alice", 7));
            assertThat(other.get("alice")).contains(registered("alice", 7));
            other.put(other.get("alice").orElseThrow().withQuarantine(Nack.of("stolen", "reported"), QUARANTINED));
            assertThat(storage.get("alice").orElseThrow().quarantine()).contains(Nack.of("stolen", "reported"));
            storage.put(storage.get("alice").orElseThrow().withoutInstanceId());
            assertThat(other.get("alice").orElseThrow().instanceId()).isEmpty();
        } finally {
            close(other);
        }
    }

    @Test
    void nodesStartingTogetherCreateOneServerInstanceId() throws Exception {
        database = pg.createDatabase(); // fresh: nobody has created the id yet
        ExecutorService starters = Executors.newFixedThreadPool(4);
        List<PostgresRegistryStorage> nodes = new ArrayList<>();
        try {
            List<Future<PostgresRegistryStorage>> started = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Callable<PostgresRegistryStorage> start = this::openNode;
                started.add(starters.submit(start));
            }
            for (Future<PostgresRegistryStorage> f : started) {
                nodes.add(f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            starters.shutdownNow();
            assertThat(starters.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        try {
            InstanceId id = nodes.get(0).serverInstanceId();
            assertThat(nodes).allSatisfy(n -> assertThat(n.serverInstanceId()).isEqualTo(id));
            try (Connection c = pg.connect(database); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*), min(instance_id) FROM registry_server")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(1);
                assertThat(rs.getLong(2)).isEqualTo(id.value());
            }
        } finally {
            nodes.forEach(this::close);
        }
    }

    @Test
    void theSchemaIsVersionedBesideTheEventStore() throws Exception {
        try (Connection c = pg.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM schema_version WHERE component = 'registry'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(RegistrySchema.RUNNER.currentVersion());
        }
        // the event store's tables go into the same database without touching the registry's
        try (AriesSqlitePools p = TestPools.open(aries, TestPools.settings(pg, database, 10));
                PostgresReceivedEventStore events = PostgresReceivedEventStore.open(p.executor(), database, 10,
                        java.time.Clock.systemUTC())) {
            assertThat(events.count("alice")).isZero();
        }
        assertThat(storage.serverInstanceId()).isEqualTo(reopen().serverInstanceId());
    }

    @Test
    void forgettingDeletesTheRow() throws Exception {
        storage.put(registered("alice", 7));
        assertThat(storage.setAside("alice")).contains("deleted");
        assertThat(storage.get("alice")).isEmpty();
        assertThat(storage.clientIds()).isEmpty();
    }
}
