package io.sink.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The versioned migration runner on real SQLite files. */
class MigrationsTest {
    private static final Migrations SCHEMA = new Migrations("test store", List.of(
            new Migration(1, "table a", List.of("CREATE TABLE a (x)")),
            new Migration(2, "table b and an index", List.of("CREATE TABLE b (y)", "CREATE INDEX b_y ON b (y)")),
            new Migration(3, "column z", List.of("ALTER TABLE a ADD COLUMN z"))));

    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("m.db");
    }

    private DataSourceSqlExecutor sql() {
        return DataSourceSqlExecutor.forSqlite(SqliteSettings.builder(db()).build());
    }

    @Test
    void migrationsMustBeNumberedFromOneInOrder() {
        assertThat(SCHEMA.currentVersion()).isEqualTo(3);
        assertThat(SCHEMA.list()).extracting(Migration::version).containsExactly(1, 2, 3);
        assertThatThrownBy(() -> new Migrations("x", List.of(new Migration(2, "two", List.of("SELECT 1")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 0 has version 2");
        assertThatThrownBy(() -> new Migration(1, "empty", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no statements");
        assertThatThrownBy(() -> new Migration(0, "zero", List.of("SELECT 1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }

    @Test
    void aNewDatabaseIsBroughtUpStepByStepAndReopeningChangesNothing() throws SQLException {
        assertThat((int) sql().write(c -> SCHEMA.migrate(c, 1, "m"))).isZero();
        assertThat((int) sql().read(Migrations::version)).isEqualTo(1);
        assertThat((int) sql().write(c -> SCHEMA.migrate(c, "m"))).isEqualTo(1);
        assertThat((int) sql().write(c -> SCHEMA.migrate(c, "m"))).isEqualTo(3);
        try (Connection c = TestDb.connect(db())) {
            assertThat(Migrations.version(c)).isEqualTo(3);
            assertThat(TestDb.queryStrings(c, "SELECT name FROM sqlite_master WHERE type IN ('table', 'index')"
                    + " ORDER BY name")).containsExactly("a", "b", "b_y");
            assertThat(TestDb.queryStrings(c, "SELECT name FROM pragma_table_info('a') ORDER BY cid"))
                    .containsExactly("x", "z");
        }
    }

    @Test
    void aFailedMigrationLeavesTheDatabaseAsItWas() throws SQLException {
        sql().write(c -> SCHEMA.migrate(c, 1, "m"));
        sql().write(c -> {
            TestDb.execute(c, "CREATE TABLE b (in_the_way)");
            return null;
        });
        assertThatThrownBy(() -> sql().write(c -> SCHEMA.migrate(c, "m"))).isInstanceOf(SQLException.class)
                .hasMessageContaining("table b already exists");
        try (Connection c = TestDb.connect(db())) {
            assertThat(Migrations.version(c)).isEqualTo(1);
            assertThat(TestDb.queryStrings(c, "SELECT name FROM pragma_table_info('a')")).containsExactly("x");
        }
    }

    @Test
    void aDatabaseFromANewerVersionIsRefusedNamingIt() throws SQLException {
        sql().writeWithoutTransaction(c -> {
            TestDb.execute(c, "PRAGMA user_version = 9");
            return null;
        });
        assertThatThrownBy(() -> sql().write(c -> SCHEMA.migrate(c, db().toString())))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("the test store " + db())
                .hasMessageContaining("schema version 9")
                .hasMessageContaining("newer")
                .hasMessageContaining("up to 3");
    }

    @Test
    void unknownTargetsAreRefused() {
        assertThatThrownBy(() -> SCHEMA.migrate(null, 4, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 0 and 3, got 4");
        assertThatThrownBy(() -> SCHEMA.migrate(null, -1, "x")).isInstanceOf(IllegalArgumentException.class);
    }
}
