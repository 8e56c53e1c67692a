package io.sink.benchmarks.store;

import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.sqlite.DataSourceSqlExecutor;
import io.sink.store.sqlite.internal.EventLogSql;
import io.sink.store.sqlite.internal.SqliteEventLog;
import io.sink.store.sqlite.internal.StoreSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Fetching the next batch of 1,000 unacknowledged events from the SQLite event log, with 10,000 and
 * with 10,000,000 events in the log: all acknowledged but a backlog of 2,000 at the end. The claim
 * under test: the cost does not depend on the acknowledged history.
 *
 * <p>{@code query} runs the store's statement on one open connection; {@code store} goes through
 * {@link SqliteEventLog#unacknowledged}, which also opens a reader connection per call (the plain
 * {@link DataSourceSqlExecutor}; in the framework Aries pools them).
 *
 * <p>The databases are built once and kept, by size, in {@code ${java.io.tmpdir}/sink-benchmarks/store-sqlite}
 * (the 10M one takes about 1.5 GB and a few minutes to build): delete that folder to rebuild.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(1)
@Threads(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class UnacknowledgedBenchmark {
    static final int BATCH = 1_000;
    static final int BACKLOG = 2_000;
    static final int KEYS = 100;

    @Param({"10000", "10000000"})
    public int events;

    private Connection connection;
    private SqliteEventLog log;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path db = database(events);
        connection = DriverManager.getConnection("jdbc:sqlite:" + db);
        // no retention (it would delete the acknowledged history) and no size limit
        StoreSettings settings = StoreSettings.builder(db).retentionMaxAge(Duration.ZERO).retentionMaxCount(0)
                .maxDatabaseBytes(0).build();
        log = SqliteEventLog.open(new DataSourceSqlExecutor(dataSource(settings, true), dataSource(settings, false)),
                settings, Clock.systemUTC(), new SecureRandom());
        List<LoggedEvent> batch = query();
        if (batch.size() != BATCH || log.queueSize() != BACKLOG) {
            throw new IllegalStateException("the database " + db + " gives " + batch.size() + " events of "
                    + log.queueSize() + " unacknowledged; expected " + BATCH + " of " + BACKLOG + ": delete it");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        log.close();
        connection.close();
    }

    @Benchmark
    public List<LoggedEvent> query() throws SQLException {
        return EventLogSql.unacknowledged(connection, Set.of(), Set.of(), 0, BATCH);
    }

    @Benchmark
    public List<LoggedEvent> store() {
        return log.unacknowledged(Set.of(), Set.of(), 0, BATCH);
    }

    private static SQLiteDataSource dataSource(StoreSettings settings, boolean writer) {
        Properties p = settings.jdbcProperties(writer);
        SQLiteDataSource ds = new SQLiteDataSource(new SQLiteConfig(p));
        ds.setUrl(p.getProperty("url"));
        return ds;
    }

    /** The cached database of {@code events} events, built first if needed. */
    static Path database(int events) throws Exception {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "sink-benchmarks", "store-sqlite");
        Files.createDirectories(dir);
        Path db = dir.resolve("events-" + events + "-backlog-" + BACKLOG + ".db");
        if (!Files.exists(db)) {
            Path building = dir.resolve(db.getFileName() + ".building");
            Files.deleteIfExists(building);
            long start = System.nanoTime();
            build(building, events);
            Files.move(building, db, StandardCopyOption.ATOMIC_MOVE);
            System.out.printf("built %s in %d s%n", db, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
        }
        return db;
    }

    /**
     * Creates the schema through the store, then bulk-inserts with synchronous=OFF and no journal
     * (setup only: a crash here leaves a ".building" file that is never used), then sets WAL back.
     */
    private static void build(Path db, int events) throws SQLException, IOException {
        StoreSettings settings = StoreSettings.builder(db).build();
        SqliteEventLog.open(new DataSourceSqlExecutor(dataSource(settings, true), dataSource(settings, false)),
                settings, Clock.systemUTC(), new SecureRandom()).close();
        byte[] reading = {(byte) 0x83, 0x74, 0, 0, 0, 2, 0x64, 0, 8, 'h', 'u', 'm', 'i', 'd', 'i', 't', 'y', 0x61, 40,
            0x64, 0, 11, 't', 'e', 'm', 'p', 'e', 'r', 'a', 't', 'u', 'r', 'e', 0x61, 70};
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = OFF");
            s.execute("PRAGMA synchronous = OFF");
            s.execute("PRAGMA cache_size = -262144");
            c.setAutoCommit(false);
            long firstUnacked = events - BACKLOG;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (event_type_id, schema_version,"
                    + " event_key, event_offset, event_timestamp, event_data, acked_at) VALUES (1, 1, ?, ?, ?, ?, ?)")) {
                for (long i = 0; i < events; i++) {
                    ps.setBytes(1, ("sensor-" + i % KEYS).getBytes());
                    ps.setLong(2, i / KEYS + 1);
                    ps.setLong(3, 1_700_000_000L + i);
                    ps.setBytes(4, reading);
                    if (i < firstUnacked) {
                        ps.setLong(5, 1_700_000_000_000L + i);
                    } else {
                        ps.setNull(5, java.sql.Types.INTEGER);
                    }
                    ps.addBatch();
                    if (i % 10_000 == 9_999) {
                        ps.executeBatch();
                    }
                    if (i % 1_000_000 == 999_999) {
                        c.commit();
                    }
                }
                ps.executeBatch();
            }
            s.execute("INSERT INTO last_events SELECT event_type_id, event_key, schema_version, event_offset,"
                    + " event_timestamp, event_data FROM events WHERE sequence IN"
                    + " (SELECT max(sequence) FROM events GROUP BY event_type_id, event_key)");
            c.commit();
            c.setAutoCommit(true);
            s.execute("ANALYZE");
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
                rs.next();
            }
        }
    }
}
