package io.sink.server.store.internal;

import io.sink.sqlite.AriesFixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.server.ReceivedEventStore.Outcome;
import io.sink.sqlite.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;

/** The DS component's wiring, configuration checks and life cycle, on the real Aries and pax-jdbc classes. */
class SqliteReceivedEventStoreComponentTest {

    @TempDir
    Path dataDir;
    final AriesFixture aries = new AriesFixture();

    @AfterEach
    void tearDown() {
        aries.close();
    }

    private SqliteReceivedEventStoreComponent activate(Map<String, Object> overrides) {
        return new SqliteReceivedEventStoreComponent(aries.dataSourceFactory, aries.transactionControl,
                aries.providerFactory, AriesFixture.bundleContext(Map.of("sink.data.dir", dataDir.toString())),
                overrides);
    }

    @Test
    void withDefaultsTheDatabaseIsServerEventsDbUnderTheDataDirectoryAndSurvivesARestart() throws Exception {
        SqliteReceivedEventStoreComponent component = activate(Map.of());
        assertThat(dataDir.resolve("server/events.db")).isRegularFile();
        assertThat(aries.providerFactory.open).hasSize(2);
        assertThat(aries.providerFactory.resourceProperties.get(0))
                .containsEntry(JDBCConnectionProviderFactory.MAX_CONNECTIONS, 1);
        assertThat(aries.providerFactory.resourceProperties.get(1))
                .containsEntry(JDBCConnectionProviderFactory.MAX_CONNECTIONS, 4);
        assertThat(component.store("alice", TestStores.reading("kitchen", 1)).toCompletableFuture()
                .get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.STORED);
        assertThat(component.store().settings().synchronous().name()).isEqualTo("FULL");
        component.deactivate();
        assertThat(aries.providerFactory.open).isEmpty();
        try (Connection c = TestDb.connect(dataDir.resolve("server/events.db"))) {
            assertThat(TestDb.queryStrings(c, "PRAGMA journal_mode")).containsExactly("wal");
        }

        SqliteReceivedEventStoreComponent again = activate(Map.of());
        try {
            assertThat(again.count("alice")).isEqualTo(1);
            assertThat(again.latest("alice", 5)).extracting(e -> e.event()).containsExactly(
                    TestStores.reading("kitchen", 1));
            assertThat(again.store("alice", TestStores.reading("kitchen", 1)).toCompletableFuture()
                    .get(60, TimeUnit.SECONDS)).isEqualTo(Outcome.DUPLICATE);
        } finally {
            again.deactivate();
        }
    }

    @Test
    void journalModeAndSynchronousAreConfigurable(@TempDir Path elsewhere) {
        Path db = elsewhere.resolve("x/received.sqlite");
        SqliteReceivedEventStoreComponent component = activate(Map.of("path", db.toString(), "journalMode", "delete",
                "synchronous", "extra"));
        try {
            assertThat(db).isRegularFile();
            assertThat(component.store().settings().journalMode().name()).isEqualTo("DELETE");
            assertThat(component.store().settings().synchronous().name()).isEqualTo("EXTRA");
        } finally {
            component.deactivate();
        }
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "journalMode, MEMORY, 'is refused: must be one of WAL, DELETE, TRUNCATE, PERSIST'",
        "journalMode, BOGUS, 'is refused: must be one of WAL, DELETE, TRUNCATE, PERSIST'",
        "synchronous, sometimes, 'is refused: must be one of OFF, NORMAL, FULL, EXTRA'",
        "path, '  ', 'is refused: must not be empty'",
        "path, 'x?mode=memory', 'path must be a plain file path'",
        "maxWritesPerTransaction, 0, 'is refused: must be between 1 and 100000'",
        "readConnections, 0, 'is refused'",
        "readConnections, four, 'is refused: must be a whole number'",
        "maxDatabaseBytes, -1, 'is refused'",
        "maxDatabaseBytes, 10GB, 'is refused: must be a whole number'",
        "maxClientBytes, -5, 'is refused'"})
    void badConfigurationIsRefusedNamingThePidThePropertyAndTheValue(String property, String value, String message) {
        Map<String, Object> overrides = new HashMap<>();
        overrides.put(property, value);
        assertThatThrownBy(() -> activate(overrides))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("configuration io.sink.server.store: " + property)
                .hasMessageContaining(value.trim())
                .hasMessageContaining(message);
        assertThat(aries.providerFactory.open).isEmpty();
    }

    @Test
    void anInvalidValueSavedWhileRunningIsRefusedInOneLineAndTheStoreKeepsRunning() throws Exception {
        SqliteReceivedEventStoreComponent component = activate(Map.of());
        try {
            SqliteReceivedEventStore before = component.store();
            java.util.List<String> lines = io.sink.sqlite.StandardError.linesOf(
                    () -> component.modified(Map.of("journalMode", "BOGUS")));
            assertThat(lines).singleElement().asString().contains("ERROR").contains("io.sink.server.store")
                    .contains("journalMode = 'BOGUS' is refused").contains("keeps running");
            assertThat(component.store()).isSameAs(before);
            assertThat(component.store(CLIENT_ID, io.sink.api.Event.of(1, 1, "k", 1, 1, new byte[1]))
                    .toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .isEqualTo(io.sink.api.server.ReceivedEventStore.Outcome.STORED);
            // a valid change is applied (reopened), the events stay
            component.modified(Map.of("maxClientBytes", "3"));
            assertThat(component.count(CLIENT_ID)).isEqualTo(1);
            assertThat(component.store(CLIENT_ID, io.sink.api.Event.of(1, 1, "k", 2, 1, new byte[1]))
                    .toCompletableFuture()).failsWithin(java.time.Duration.ofSeconds(30))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .withMessageContaining("quota maxClientBytes=3");
        } finally {
            component.deactivate();
        }
        assertThat(aries.providerFactory.open).isEmpty();
    }

    private static final String CLIENT_ID = "example-client";

    @Test
    void anUnusablePathIsRefusedAndNothingIsLeftOpen() throws Exception {
        Path file = Files.writeString(dataDir.resolve("a-file"), "x");
        assertThatThrownBy(() -> activate(Map.of("path", "a-file/events.db")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot create the directory " + file)
                .hasMessageContaining("received-event store");
        assertThat(aries.providerFactory.open).isEmpty();
    }
}
