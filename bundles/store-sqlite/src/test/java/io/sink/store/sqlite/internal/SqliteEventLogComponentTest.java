package io.sink.store.sqlite.internal;

import io.sink.sqlite.AriesFixture;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.InstanceId;
import io.sink.api.client.ClientInstanceIds;
import io.sink.sqlite.SqliteSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;

/** The DS component's wiring, configuration checks and life cycle, on the real Aries and pax-jdbc classes. */
class SqliteEventLogComponentTest {

    @TempDir
    Path dataDir;
    final AriesFixture aries = new AriesFixture();

    @AfterEach
    void tearDown() {
        aries.close();
    }

    private SqliteEventLogComponent activate(Map<String, Object> overrides) {
        return new SqliteEventLogComponent(aries.dataSourceFactory, aries.transactionControl, aries.providerFactory,
                AriesFixture.bundleContext(Map.of(SqliteEventLogComponent.DATA_DIR_PROPERTY, dataDir.toString())),
                overrides);
    }

    @Test
    void withDefaultsTheDatabaseGoesUnderTheDataDirectoryAndSurvivesARestart() {
        SqliteEventLogComponent component = activate(Map.of());
        assertThat(dataDir.resolve("client/events.db")).isRegularFile();
        assertThat(aries.providerFactory.open).hasSize(2);
        assertThat(aries.providerFactory.resourceProperties).allSatisfy(p -> assertThat(p)
                .containsEntry(JDBCConnectionProviderFactory.USE_DRIVER, true));
        assertThat(aries.providerFactory.resourceProperties.get(0))
                .containsEntry(JDBCConnectionProviderFactory.MAX_CONNECTIONS, 1);
        assertThat(aries.providerFactory.resourceProperties.get(1))
                .containsEntry(JDBCConnectionProviderFactory.MAX_CONNECTIONS, 4);

        long sequence = component.appendNext(1, 1, "s".getBytes(UTF_8), 1, new byte[] {7}).sequence();
        ClientInstanceIds ids = component.instanceIds();
        component.storeServerInstanceId(new InstanceId(99));
        assertThat(component.queueSize()).isEqualTo(1);
        component.deactivate();
        assertThat(aries.providerFactory.open).isEmpty();

        SqliteEventLogComponent again = activate(Map.of());
        try {
            assertThat(again.unacknowledged(Set.of(), Set.of(), 0, 10)).extracting(e -> e.sequence())
                    .containsExactly(sequence);
            assertThat(again.instanceIds().client()).isEqualTo(ids.client());
            assertThat(again.instanceIds().server()).contains(new InstanceId(99));
            again.acknowledge(List.of(again.nextEvent().orElseThrow().ackKey()));
            assertThat(again.queueSize()).isZero();
            assertThat(again.lastEvents(1)).hasSize(1);
            assertThat(again.lastEvent(1, "s".getBytes(UTF_8))).isPresent();
        } finally {
            again.deactivate();
        }
    }

    @Test
    void anAbsolutePathIsUsedAsItIs(@TempDir Path elsewhere) {
        Path db = elsewhere.resolve("a/b/log.sqlite");
        SqliteEventLogComponent component = activate(Map.of("path", db.toString(), "journalMode", "truncate"));
        try {
            assertThat(db).isRegularFile();
            assertThat(component.log().settings().journalMode()).isEqualTo(SqliteSettings.JournalMode.TRUNCATE);
        } finally {
            component.deactivate();
        }
    }

    @Test
    void withoutTheFrameworkPropertyRelativePathsGoUnderDataInTheWorkingDirectory() {
        assertThat(SqliteEventLogComponent.dataDirectory(AriesFixture.bundleContext(Map.of())))
                .isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(SqliteEventLogComponent.dataDirectory(
                AriesFixture.bundleContext(Map.of("sink.data.dir", "/var/lib/sink"))))
                .isEqualTo(Path.of("/var/lib/sink"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "journalMode, MEMORY, 'is refused: must be one of WAL, DELETE, TRUNCATE, PERSIST'",
        "journalMode, BOGUS, 'is refused: must be one of WAL, DELETE, TRUNCATE, PERSIST'",
        "synchronous, sometimes, 'is refused: must be one of OFF, NORMAL, FULL, EXTRA'",
        "path, '  ', 'is refused: must not be empty'",
        "path, 'x?mode=memory', 'path must be a plain file path'",
        "maxDatabaseBytes, -1, 'is refused: must be between 0 and'",
        "maxDatabaseBytes, banana, 'is refused: must be a whole number'",
        "retentionMaxAgeSeconds, -5, 'is refused'",
        "retentionMaxCount, -1, 'is refused'",
        "retentionBatchSize, 0, 'is refused'",
        "retentionPeriodSeconds, 0, 'is refused'",
        "retentionPeriodSeconds, 1e3, 'is refused: must be a whole number'",
        "maxWritesPerTransaction, 0, 'is refused'",
        "readConnections, 0, 'is refused'",
        "readConnections, 1.5, 'is refused: must be a whole number'"})
    void badConfigurationIsRefusedNamingThePidThePropertyAndTheValue(String property, String value, String message) {
        Map<String, Object> overrides = new HashMap<>();
        overrides.put(property, value);
        assertThatThrownBy(() -> activate(overrides))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("configuration io.sink.store.sqlite: " + property)
                .hasMessageContaining(value.trim())
                .hasMessageContaining(message);
        assertThat(aries.providerFactory.open).isEmpty();
    }

    @Test
    void anInvalidValueSavedWhileRunningIsRefusedInOneLineAndTheEventLogKeepsRunning() {
        SqliteEventLogComponent component = activate(Map.of());
        try {
            component.appendNext(1, 1, "k".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, new byte[1]);
            SqliteEventLog before = component.log();
            List<String> errors = io.sink.sqlite.StandardError.linesOf(() -> {
                component.modified(Map.of("journalMode", "BOGUS"));
                component.modified(Map.of("maxDatabaseBytes", "banana"));
            });
            assertThat(errors).filteredOn(l -> l.contains("ERROR")).hasSize(2);
            assertThat(errors).hasSize(2);
            assertThat(errors.get(0)).contains("io.sink.store.sqlite").contains("journalMode = 'BOGUS' is refused")
                    .contains("must be one of WAL").contains("keeps running with its previous configuration");
            assertThat(errors.get(1)).contains("maxDatabaseBytes = 'banana' is refused");
            assertThat(component.log()).isSameAs(before);
            component.appendNext(1, 1, "k".getBytes(java.nio.charset.StandardCharsets.UTF_8), 2, new byte[1]);
            assertThat(component.queueSize()).isEqualTo(2);
        } finally {
            component.deactivate();
        }
        assertThat(aries.providerFactory.open).isEmpty();
    }

    @Test
    void aValidChangeWhileRunningReopensTheDatabaseKeepingItsEvents() {
        SqliteEventLogComponent component = activate(Map.of());
        try {
            component.appendNext(1, 1, "k".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, new byte[1]);
            component.modified(Map.of("journalMode", "TRUNCATE", "maxDatabaseBytes", "1000000"));
            assertThat(component.log().settings().journalMode()).isEqualTo(SqliteSettings.JournalMode.TRUNCATE);
            assertThat(component.log().settings().maxDatabaseBytes()).isEqualTo(1_000_000);
            assertThat(component.queueSize()).isEqualTo(1);
            // a path that cannot be opened: the previous configuration is opened again
            component.modified(Map.of("path", "client/events.db/cannot-be-under-a-file.db"));
            assertThat(component.log().settings().journalMode()).isEqualTo(SqliteSettings.JournalMode.TRUNCATE);
            component.appendNext(1, 1, "k".getBytes(java.nio.charset.StandardCharsets.UTF_8), 2, new byte[1]);
            assertThat(component.queueSize()).isEqualTo(2);
        } finally {
            component.deactivate();
        }
        assertThat(aries.providerFactory.open).isEmpty();
    }

    @Test
    void anUnusablePathIsRefusedAndNothingIsLeftOpen() throws Exception {
        Path file = Files.writeString(dataDir.resolve("a-file"), "x");
        assertThatThrownBy(() -> activate(Map.of("path", "a-file/events.db")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot create the directory " + file);
        assertThat(aries.providerFactory.open).isEmpty();
    }
}
