package io.sink.server.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.server.sensors.ServerSensor;
import io.sink.api.server.sensors.ServerSensor.Delivery;
import io.sink.server.sensors.internal.SensorOutbox;
import io.sink.server.sensors.internal.SensorOutboxContract;
import io.sink.server.sensors.storage.SensorStorage;
import io.sink.server.store.postgres.PostgresServer;
import io.sink.sqlite.AriesFixture;
import io.sink.sqlite.AriesSqlitePools;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.osgi.PGDataSourceFactory;

/**
 * The sensor storage contract on a real PostgreSQL server, through pgjdbc's DataSourceFactory and the
 * real Aries pools, and what only this storage shows: server nodes sharing one database.
 */
class PostgresSensorStorageTest extends SensorOutboxContract {
    @RegisterExtension
    static final PostgresServer.PerClass PG = new PostgresServer.PerClass();
    static final AriesFixture aries = new AriesFixture(new PGDataSourceFactory());
    PostgresServer pg;

    String database;
    final Map<SensorStorage, AriesSqlitePools> pools = new IdentityHashMap<>();

    @AfterAll
    static void closeAries() {
        aries.close();
    }

    @Override
    protected void closeOthers() {
        new ArrayList<>(pools.keySet()).forEach(this::closeStorage);
    }

    @Override
    protected SensorStorage openStorage() {
        pg = PG.server();
        if (database == null) {
            database = pg.createDatabase();
        }
        PostgresSettings settings = TestPools.settings(pg, database, 1000);
        AriesSqlitePools p = TestPools.open(aries, settings);
        try {
            PostgresSensorStorage s = PostgresSensorStorage.open(p.executor(), settings.databaseName());
            pools.put(s, p);
            return s;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    @Override
    protected void closeStorage(SensorStorage storage) {
        AriesSqlitePools p = pools.remove(storage);
        if (p != null) {
            p.close();
        }
    }

    @Test
    void aSensorAddedThroughOneNodeIsPublishedByAnother() throws Exception {
        SensorOutbox node1 = outboxOn(openStorage());
        SensorOutbox node2 = outboxOn(openStorage());
        ServerSensor hall = node1.add("c1", "Hall", "simulated", 2000);
        assertThat(node2.clientsWithPending()).containsExactly("c1");
        SensorOutbox.Pending p = node2.next("c1").orElseThrow();
        assertThat(p.offset()).isEqualTo(1);
        assertThat(p.event().keyAsString()).isEqualTo(hall.id().toString());
        node2.sent(p);
        assertThat(node1.sensor("c1", hall.id()).orElseThrow().delivery()).isEqualTo(Delivery.SENT);
        node2.acked(p);
        assertThat(node1.sensor("c1", hall.id()).orElseThrow().delivery()).isEqualTo(Delivery.ACKED);
        assertThat(node1.clientsWithPending()).isEmpty();
        // a change through node 2 continues the same stream
        node2.rename("c1", hall.id(), "Main hall");
        assertThat(node1.next("c1").orElseThrow().offset()).isEqualTo(2);
    }

    @Test
    void twoNodesAddingForOneClientAtOnceTakeGaplessOffsets() throws Exception {
        List<SensorOutbox> nodes = List.of(outboxOn(openStorage()), outboxOn(openStorage()), outboxOn(openStorage()));
        int each = 15;
        ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int n = 0; n < nodes.size(); n++) {
                SensorOutbox node = nodes.get(n);
                int number = n;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        node.add("c1", "N" + number + "-" + i, "simulated", 1000);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        SensorOutbox reader = nodes.get(0);
        assertThat(reader.sensors("c1")).hasSize(nodes.size() * each);
        for (long offset = 1; offset <= nodes.size() * each; offset++) {
            SensorOutbox.Pending p = reader.next("c1").orElseThrow();
            assertThat(p.offset()).isEqualTo(offset);
            reader.acked(p);
        }
        assertThat(reader.next("c1")).isEmpty();
    }

    @Test
    void theSchemaVersionIsARowOfItsOwn() throws Exception {
        assertThat(version(openStorage())).isEqualTo(SensorsSchemaPg.RUNNER.currentVersion()).isEqualTo(1);
        // a second node finds it migrated and leaves it so
        assertThat(version(openStorage())).isEqualTo(1);
    }

    private static int version(SensorStorage storage) {
        return storage.read("the schema version", c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT version FROM schema_version WHERE component = 'sensors'")) {
                return rs.next() ? rs.getInt(1) : -1;
            }
        });
    }
}
