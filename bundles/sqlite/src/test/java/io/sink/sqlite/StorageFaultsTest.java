package io.sink.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage faults on real files: a full disk (a real tmpfs, and SQLite's page limit), a failed
 * transaction, a deleted or replaced file, a corrupt file. Every write whose call returns is in the
 * database and every write whose call fails is not; after the fault passes, writes go on without
 * anyone reopening anything.
 */
class StorageFaultsTest {
    private static final Migrations SCHEMA = new Migrations("test store", List.of(
            new Migration(1, "a table of values", List.of("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)"))));

    @TempDir
    Path dir;
    final AriesFixture aries = new AriesFixture();
    final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        aries.close();
    }

    private SqliteDatabase openOnAries(Path file) {
        SqliteSettings settings = SqliteSettings.builder(file).build();
        AriesSqlitePools pools = AriesSqlitePools.open(aries.dataSourceFactory, aries.transactionControl,
                aries.providerFactory, settings, "test store");
        toClose.add(pools);
        SqliteDatabase db = SqliteDatabase.open(pools.executor(), settings, "test store", SCHEMA);
        toClose.add(db);
        return db;
    }

    /** One write of a row of {@code bytes}; true when the call returned (it says the row is committed). */
    private static boolean tryWrite(SqliteDatabase db, int id, int bytes, List<String> failures) {
        try {
            db.writer().write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (id, v) VALUES (?, randomblob(?))")) {
                    ps.setInt(1, id);
                    ps.setInt(2, bytes);
                    ps.executeUpdate();
                }
                return null;
            });
            return true;
        } catch (RuntimeException e) {
            failures.add(e.getMessage());
            return false;
        }
    }

    private static List<Long> ids(SqliteDatabase db) {
        return db.read("ids", c -> {
            List<Long> ids = new ArrayList<>();
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT id FROM t ORDER BY id")) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            return ids;
        });
    }

    private static void onWriter(SqliteDatabase db, SqlWork<Void> work) throws Exception {
        var done = new java.util.concurrent.CompletableFuture<Void>();
        db.writer().execute(() -> {
            try {
                db.sql().writeWithoutTransaction(work);
                done.complete(null);
            } catch (SQLException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        done.get();
    }

    @Test
    void afterAFullDatabaseEveryWriteReportsTheTruthAndWritesResumeWhenSpaceReturns() throws Exception {
        SqliteDatabase db = openOnAries(dir.resolve("full.db"));
        // SQLite's page limit, on the writer's one connection: the "disk" holds ~40 pages
        onWriter(db, c -> {
            TestDb.execute(c, "PRAGMA max_page_count = 40");
            return null;
        });
        List<Long> reportedStored = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        int id = 0;
        while (failures.isEmpty() && id < 1000) {
            id++;
            if (tryWrite(db, id, 3000, failures)) {
                reportedStored.add((long) id);
            }
        }
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0)).contains("full").contains("SQLITE_FULL").contains("not stored")
                .contains(dir.resolve("full.db").toString());
        // SQLite rolled the transaction back by itself; the writer's connection was replaced (and the new
        // one has no page limit: the space is back). Before the fix, every write from here on was
        // committed and reported failed ("cannot commit - no transaction is active").
        for (int i = 0; i < 5; i++) {
            id++;
            if (tryWrite(db, id, 100, failures)) {
                reportedStored.add((long) id);
            }
        }
        assertThat(failures).hasSize(1);
        assertThat(ids(db)).isEqualTo(reportedStored);
    }

    @Test
    void aRealFullDiskFailsWritesTruthfullyAndWritesResumeOnceTheSpaceIsFreed() throws Exception {
        SmallFilesystem fs = SmallFilesystem.mount(dir.resolve("small"), "2m");
        toClose.add(fs);
        SqliteDatabase db = openOnAries(fs.path().resolve("events.db"));
        List<Long> reportedStored = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        int id = 0;
        for (; id < 5; id++) {
            assertThat(tryWrite(db, id, 2000, failures)).isTrue();
            reportedStored.add((long) id);
        }
        fs.fill();
        for (int i = 0; i < 20; i++, id++) {
            if (tryWrite(db, id, 2000, failures)) {
                reportedStored.add((long) id);
            }
        }
        assertThat(failures).isNotEmpty();
        assertThat(failures.get(0)).contains("full").contains("not stored");
        assertThat(ids(db)).isEqualTo(reportedStored);

        fs.free();
        int failedWhileFull = failures.size();
        for (int i = 0; i < 10; i++, id++) {
            assertThat(tryWrite(db, id, 2000, failures)).as("write %d after freeing: %s", id, failures).isTrue();
            reportedStored.add((long) id);
        }
        assertThat(failures).hasSize(failedWhileFull);
        assertThat(ids(db)).isEqualTo(reportedStored);
        assertThat(db.<List<String>>read("integrity", c -> TestDb.queryStrings(c, "PRAGMA integrity_check"))).containsExactly("ok");
    }

    @Test
    void aDeletedDatabaseFileIsNoticedAndWritesAreRefused() throws Exception {
        Path file = dir.resolve("gone.db");
        SqliteDatabase db = openOnAries(file);
        List<String> failures = new ArrayList<>();
        assertThat(tryWrite(db, 1, 10, failures)).isTrue();
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(dir.resolve("gone.db" + suffix));
        }
        assertThat(tryWrite(db, 2, 10, failures)).isFalse();
        assertThat(failures.get(0)).contains(file.toString()).contains("deleted").contains("refused")
                .contains("Restart");
        assertThatThrownBy(() -> db.requireSameFile()).isInstanceOf(DatabaseFileChangedException.class);
    }

    @Test
    void aReplacedDatabaseFileIsNoticedAndWritesAreRefused() throws Exception {
        Path file = dir.resolve("replaced.db");
        SqliteDatabase db = openOnAries(file);
        List<String> failures = new ArrayList<>();
        assertThat(tryWrite(db, 1, 10, failures)).isTrue();
        Path other = dir.resolve("other.db");
        try (Connection c = TestDb.connect(other)) {
            TestDb.execute(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
        }
        Files.move(other, file, StandardCopyOption.REPLACE_EXISTING);
        assertThat(tryWrite(db, 2, 10, failures)).isFalse();
        assertThat(failures.get(0)).contains(file.toString()).contains("replaced by another file");
        try (Connection c = TestDb.connect(file)) {
            assertThat(TestDb.queryLong(c, "SELECT count(*) FROM t WHERE id = 2")).isZero();
        }
    }

    @Test
    void aFileOfGarbageIsRefusedAtOpenNamingTheFileAndWhatToDo() throws Exception {
        Path file = dir.resolve("garbage.db");
        byte[] garbage = new byte[8192];
        new java.util.Random(7).nextBytes(garbage);
        Files.write(file, garbage);
        SqliteSettings settings = SqliteSettings.builder(file).build();
        assertThatThrownBy(() -> AriesSqlitePools.open(aries.dataSourceFactory, aries.transactionControl,
                aries.providerFactory, settings, "test store"))
                .hasMessageContaining(file.toString()).hasMessageContaining("corrupt or is not a SQLite database")
                .hasMessageContaining("move the file");
        assertThat(aries.providerFactory.open).isEmpty();
        assertThatThrownBy(() -> SqliteDatabase.open(DataSourceSqlExecutor.forSqlite(settings), settings,
                "test store", SCHEMA))
                .hasMessageContaining(file.toString()).hasMessageContaining("corrupt or is not a SQLite database");
        assertThat(Files.readAllBytes(file)).isEqualTo(garbage);
    }

    @Test
    void aDamagedDatabaseIsRefusedAtOpenByQuickCheck() throws Exception {
        Path file = databaseOf2000Rows("damaged.db");
        // scribble over pages in the middle of the file, keeping the header intact
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long length = raf.length();
            byte[] junk = new byte[4096 * 3];
            new java.util.Random(3).nextBytes(junk);
            raf.seek(length / 2 / 4096 * 4096);
            raf.write(junk);
        }
        SqliteSettings settings = SqliteSettings.builder(file).build();
        assertThatThrownBy(() -> SqliteDatabase.open(DataSourceSqlExecutor.forSqlite(settings), settings,
                "test store", SCHEMA))
                .hasMessageContaining(file.toString()).hasMessageContaining("corrupt or is not a SQLite database")
                .hasMessageContaining("restore a backup");
    }

    @Test
    void aTruncatedDatabaseIsRefusedAtOpen() throws Exception {
        Path file = databaseOf2000Rows("truncated.db");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() / 2);
        }
        SqliteSettings settings = SqliteSettings.builder(file).build();
        assertThatThrownBy(() -> SqliteDatabase.open(DataSourceSqlExecutor.forSqlite(settings), settings,
                "test store", SCHEMA))
                .hasMessageContaining(file.toString()).hasMessageContaining("corrupt or is not a SQLite database");
    }

    /** A database in rollback-journal mode (all in the one file) with an indexed table of 2000 rows. */
    private Path databaseOf2000Rows(String name) throws SQLException {
        Path file = dir.resolve(name);
        try (Connection c = TestDb.connect(file)) {
            TestDb.execute(c, "PRAGMA journal_mode = DELETE");
            TestDb.execute(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
            TestDb.execute(c, "CREATE INDEX t_v ON t (v)");
            TestDb.execute(c, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
                    + " INSERT INTO t SELECT i, randomblob(100) FROM n");
        }
        return file;
    }

    @Test
    void databaseFilesAreOwnerOnly() throws Exception {
        Path file = dir.resolve("private.db");
        SqliteDatabase db = openOnAries(file);
        assertThat(tryWrite(db, 1, 10, new ArrayList<>())).isTrue();
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Path f = dir.resolve("private.db" + suffix);
            assertThat(f).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).as(f.toString())
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void anExistingDatabaseReadableByOthersIsNarrowedToOwnerOnly() throws Exception {
        Path file = dir.resolve("wide.db");
        try (Connection c = TestDb.connect(file)) {
            TestDb.execute(c, "CREATE TABLE x (v)");
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        openOnAries(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
}
