package io.sink.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.testsupport.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening a database: directory, journal mode, pragmas, migrations, clear failures. */
class SqliteDatabaseTest {
    private static final Migrations SCHEMA = new Migrations("test store", List.of(
            new Migration(1, "t", List.of("CREATE TABLE t (v)"))));

    @TempDir
    Path dir;

    private static SqliteDatabase open(SqliteSettings settings) {
        return SqliteDatabase.open(DataSourceSqlExecutor.forSqlite(settings), settings, "test store", SCHEMA);
    }

    @Test
    void aNewDatabaseGetsItsDirectoryWalAndItsSchema() throws Exception {
        Path file = dir.resolve("a/b/t.db");
        try (SqliteDatabase db = open(SqliteSettings.builder(file).build())) {
            assertThat(db.description()).isEqualTo("test store " + file);
            assertThat(db.<String>read("sync", c -> TestDb.queryStrings(c, "PRAGMA synchronous").get(0))).isEqualTo("2");
        }
        try (Connection c = TestDb.connect(file)) {
            assertThat(TestDb.queryStrings(c, "PRAGMA journal_mode")).containsExactly("wal");
            assertThat(Migrations.version(c)).isEqualTo(1);
        }
    }

    @Test
    void otherJournalModesAndSyncLevelsCanBeChosen() throws Exception {
        SqliteSettings settings = SqliteSettings.builder(dir.resolve("t.db")).journalMode("delete")
                .synchronous("normal").build();
        try (SqliteDatabase db = open(settings)) {
            assertThat(db.<String>read("mode", c -> TestDb.queryStrings(c, "PRAGMA journal_mode").get(0))).isEqualTo("delete");
            assertThat(db.<String>read("sync", c -> TestDb.queryStrings(c, "PRAGMA synchronous").get(0))).isEqualTo("1");
        }
    }

    /**
     * A migration may sort a whole table (an index created on an existing database); with the writer's
     * temp_store=MEMORY that sort would be held in memory, so migrations run with temporary files, and
     * the writer's batches are back in memory afterwards. On the framework's stack (Aries, one writer
     * connection kept), where the pragmas must reach the writer's own connection.
     */
    @Test
    void migrationsSortThroughTemporaryFilesAndTheWriterGoesBackToMemory() throws Exception {
        Migrations schema = new Migrations("test store", List.of(
                new Migration(1, "records the temp_store it ran with",
                        List.of("CREATE TABLE seen AS SELECT temp_store FROM pragma_temp_store"))));
        SqliteSettings settings = SqliteSettings.builder(dir.resolve("aries.db")).build();
        try (AriesSqlite jdbc = new AriesSqlite(settings, "test store");
                SqliteDatabase db = SqliteDatabase.open(jdbc.executor(), settings, "test store", schema)) {
            assertTempStores(db);
        }
    }

    private static void assertTempStores(SqliteDatabase db) {
        // 1 = FILE, 2 = MEMORY
        assertThat(db.<Long>read("seen", c -> TestDb.queryLong(c, "SELECT temp_store FROM seen"))).isEqualTo(1L);
        long writers = db.writer().write(c -> TestDb.queryLong(c, "PRAGMA temp_store"));
        assertThat(writers).isEqualTo(2L);
    }

    @Test
    void aDirectoryThatCannotBeCreatedIsNamed() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> open(SqliteSettings.builder(file.resolve("sub/t.db")).build()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot create the directory " + file.resolve("sub"))
                .hasMessageContaining("test store database t.db")
                .hasMessageContaining("path");
    }

    @Test
    void aFileThatIsNotADatabaseIsNamedAndNothingKeepsRunning() throws Exception {
        Path file = Files.writeString(dir.resolve("t.db"), "this is not an SQLite database, only text long enough..");
        int threadsBefore = writerThreads();
        assertThatThrownBy(() -> open(SqliteSettings.builder(file).build()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(file.toString());
        Await.until("the writer thread to end", java.time.Duration.ofSeconds(10),
                () -> writerThreads() == threadsBefore);
    }

    private static int writerThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("sink-store-writer test store")).count();
    }
}
