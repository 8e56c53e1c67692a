package io.sink.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SqliteSettingsTest {

    @Test
    void connectionsDoNotFetchGeneratedKeysAfterEveryInsert(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        SqliteSettings settings = SqliteSettings.builder(dir.resolve("keys.db")).build();
        Properties p = settings.jdbcProperties(true);
        try (java.sql.Connection c = new org.sqlite.JDBC().connect(p.getProperty("url"), p)) {
            assertThat(c.unwrap(org.sqlite.SQLiteConnection.class).getConnectionConfig().isGetGeneratedKeys())
                    .isFalse();
        }
    }

    @Test
    void defaultsAreDurableAndTheDriverGetsThePragmas() {
        SqliteSettings s = SqliteSettings.builder(Path.of("rel/x.db")).build();
        assertThat(s.path()).isEqualTo(Path.of("rel/x.db").toAbsolutePath().normalize());
        assertThat(s.journalMode()).isEqualTo(SqliteSettings.JournalMode.WAL);
        assertThat(s.synchronous()).isEqualTo(SqliteSettings.Synchronous.FULL);
        assertThat(s.maxWritesPerTransaction()).isEqualTo(1000);
        assertThat(s.readConnections()).isEqualTo(4);
        Properties writer = s.jdbcProperties(true);
        assertThat(writer).containsEntry("url", "jdbc:sqlite:" + s.path()).containsEntry("journal_mode", "WAL")
                .containsEntry("synchronous", "FULL").containsEntry("busy_timeout", "10000")
                .containsEntry("transaction_mode", "IMMEDIATE").containsEntry("temp_store", "MEMORY");
        assertThat(s.jdbcProperties(false)).containsEntry("transaction_mode", "DEFERRED")
                .doesNotContainKey("temp_store");
    }

    @Test
    void enumValuesAreReadCaseInsensitively() {
        SqliteSettings s = SqliteSettings.builder(Path.of("x.db")).journalMode(" truncate ").synchronous("Normal")
                .build();
        assertThat(s.journalMode()).isEqualTo(SqliteSettings.JournalMode.TRUNCATE);
        assertThat(s.synchronous()).isEqualTo(SqliteSettings.Synchronous.NORMAL);
    }

    @Test
    void badValuesNameTheProperty() {
        SqliteSettings.Builder b = SqliteSettings.builder(Path.of("x.db"));
        assertThatThrownBy(() -> b.journalMode("MEMORY")).hasMessage(
                "journalMode must be one of WAL, DELETE, TRUNCATE, PERSIST, got 'MEMORY'");
        assertThatThrownBy(() -> b.journalMode("")).hasMessageContaining("journalMode must be one of")
                .hasMessageContaining("got nothing");
        assertThatThrownBy(() -> b.synchronous("sometimes")).hasMessageContaining("synchronous must be one of");
        assertThatThrownBy(() -> b.maxWritesPerTransaction(0)).hasMessageContaining("maxWritesPerTransaction");
        assertThatThrownBy(() -> b.readConnections(65)).hasMessageContaining("readConnections");
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "x.db?mode=memory", ":memory:", "file:x.db"})
    void pathsSqliteWouldReadAsSomethingElseAreRefused(String path) {
        assertThatThrownBy(() -> SqliteSettings.builder(Path.of(path))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("path");
    }
}
