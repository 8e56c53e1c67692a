package io.sink.server.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.Event;
import io.sink.api.server.ReceivedEventStore.Outcome;
import io.sink.server.store.postgres.PostgresServer;
import io.sink.sqlite.AriesFixture;
import io.sink.testsupport.Await;
import io.sink.testsupport.DsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;
import org.postgresql.osgi.PGDataSourceFactory;

/**
 * The DS component's wiring, configuration checks and reconfiguration, on a real PostgreSQL server,
 * pgjdbc's own DataSourceFactory and the real Aries classes.
 */
class PostgresReceivedEventStoreComponentTest {
    @RegisterExtension
    static final PostgresServer.PerClass PG = new PostgresServer.PerClass();
    PostgresServer pg;

    @TempDir
    Path dir;
    final AriesFixture aries = new AriesFixture(new PGDataSourceFactory());

    @BeforeEach
    void server() {
        pg = PG.server();
    }

    @AfterEach
    void tearDown() {
        aries.close();
    }

    /** A Config as DS makes it: the defaults of the annotation, some overridden. */
    static PostgresReceivedEventStoreComponent.Config config(Map<String, Object> overrides) {
        return DsConfig.of(PostgresReceivedEventStoreComponent.Config.class, overrides);
    }

    /** The server's host and port, a new database, the user and its password file, and {@code more}. */
    Map<String, Object> serverConfig(String database, Map<String, Object> more) {
        Map<String, Object> c = new HashMap<>();
        c.put("host", pg.host());
        c.put("port", pg.port());
        c.put("database", database);
        c.put("user", PostgresServer.USER);
        c.put("passwordFile", pg.passwordFile().toString());
        c.putAll(more);
        return c;
    }

    private PostgresReceivedEventStoreComponent activate(Map<String, Object> config) {
        return new PostgresReceivedEventStoreComponent(aries.dataSourceFactory, aries.transactionControl,
                aries.providerFactory, config(config), config);
    }

    private static Outcome await(java.util.concurrent.CompletionStage<Outcome> stage) throws Exception {
        return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void itStoresInTheConfiguredDatabaseWithTwoPoolsAndSurvivesARestart() throws Exception {
        String db = pg.createDatabase();
        PostgresReceivedEventStoreComponent component = activate(serverConfig(db, Map.of("readConnections", 3)));
        assertThat(aries.providerFactory.open).hasSize(2);
        assertThat(aries.providerFactory.resourceProperties.get(0))
                .containsEntry(JDBCConnectionProviderFactory.MAX_CONNECTIONS, 1);
        assertThat(aries.providerFactory.resourceProperties.get(1))
                .containsEntry(JDBCConnectionProviderFactory.MAX_CONNECTIONS, 3);
        assertThat(await(component.store("alice", Event.of(1, 1, "kitchen", 1, 5, new byte[] {1}))))
                .isEqualTo(Outcome.STORED);
        component.deactivate();
        assertThat(aries.providerFactory.open).isEmpty();

        PostgresReceivedEventStoreComponent again = activate(serverConfig(db, Map.of()));
        try {
            assertThat(again.count("alice")).isEqualTo(1);
            assertThat(await(again.store("alice", Event.of(1, 1, "kitchen", 1, 5, new byte[] {1}))))
                    .isEqualTo(Outcome.DUPLICATE);
        } finally {
            again.deactivate();
        }
        try (Connection c = pg.connect(db); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM received_events")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(1);
        }
    }

    @Test
    void aUrlMayNameTheDatabase() throws Exception {
        String db = pg.createDatabase();
        Map<String, Object> config = serverConfig("ignored", Map.of("url", pg.jdbcUrl(db) + "?sslmode=disable",
                "host", "unused.invalid"));
        PostgresReceivedEventStoreComponent component = activate(config);
        try {
            assertThat(await(component.store("alice", Event.of(1, 1, "k", 1, 5, new byte[0])))).isEqualTo(Outcome.STORED);
            assertThat(component.store().toString()).isEqualTo("received-event store postgresql://" + pg.host() + ":"
                    + pg.port() + "/" + db + "?sslmode=disable");
        } finally {
            component.deactivate();
        }
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "port|0|port must be between 1 and 65535, got 0",
        "port|70000|port must be between 1 and 65535, got 70000",
        "host|'db/x?y'|host must be a host name or an IP address, got 'db/x?y'",
        "database|'a b'|database must be 1 to 63 letters",
        "user|''|user must be 1 to 63 letters",
        "url|'jdbc:mysql://h/db'|url must be a PostgreSQL JDBC URL",
        "url|'jdbc:postgresql://h/db?password=secret'|url must not hold a password (use passwordFile)",
        "maxWritesPerTransaction|0|maxWritesPerTransaction must be between 1 and 8000, got 0",
        "maxWritesPerTransaction|8001|maxWritesPerTransaction must be between 1 and 8000, got 8001",
        "readConnections|65|readConnections must be between 1 and 64, got 65",
        "connectTimeoutSeconds|0|connectTimeoutSeconds must be between 1 and 300, got 0",
        "passwordFile|/nonexistent/password|passwordFile /nonexistent/password is not a regular file"})
    void badConfigurationIsRefusedInOneLineNamingThePidThePropertyAndTheValue(String property, String value,
            String message) {
        Object typed = switch (property) {
            case "port", "maxWritesPerTransaction", "readConnections", "connectTimeoutSeconds" -> Integer.parseInt(value);
            default -> value;
        };
        Map<String, Object> config = serverConfig("sink", Map.of());
        config.put(property, typed);
        assertThatThrownBy(() -> activate(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("configuration io.sink.server.store.postgresql: ")
                .hasMessageContaining(message)
                .hasMessageNotContaining("secret")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(aries.providerFactory.open).isEmpty();
    }

    @Test
    void aWrongPasswordIsNamedNothingIsLeftOpenAndTheStoreOpensOnceThePasswordIsRight() throws Exception {
        String db = pg.createDatabase();
        Path password = Files.writeString(dir.resolve("password"), "not-the-password\n");
        PostgresReceivedEventStoreComponent component = activate(serverConfig(db,
                Map.of("passwordFile", password.toString())));
        try {
            // not a failed activation: the component keeps trying, and its callers are told why it cannot serve
            assertThatThrownBy(() -> component.count("alice"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("received-event store is not open yet")
                    .hasMessageContaining("cannot open the received-event store database postgresql://")
                    .hasMessageContaining("password authentication failed")
                    .hasMessageNotContaining("not-the-password");
            assertThat(await(component.store("alice", Event.of(1, 1, "kitchen", 1, 5, new byte[] {1}))
                    .handle((outcome, failure) -> failure == null ? outcome : null))).isNull();
            assertThat(aries.providerFactory.open).isEmpty();

            Files.writeString(password, pg.password() + "\n"); // the operator fixes the file: no restart needed
            Await.until("the store opens by itself", Duration.ofSeconds(20), () -> {
                try {
                    return component.count("alice") == 0;
                } catch (IllegalStateException e) {
                    return false;
                }
            });
            assertThat(await(component.store("alice", Event.of(1, 1, "kitchen", 1, 5, new byte[] {1}))))
                    .isEqualTo(Outcome.STORED);
        } finally {
            component.deactivate();
        }
        assertThat(aries.providerFactory.open).isEmpty();
    }

    @Test
    void anUnreachableServerIsNamedAndTriedAgainUntilTheComponentStops() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        PostgresReceivedEventStoreComponent component = activate(serverConfig("postgres", Map.of("port", closedPort,
                "connectTimeoutSeconds", 2)));
        try {
            assertThatThrownBy(() -> component.count("alice"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("postgresql://" + pg.host() + ":" + closedPort + "/postgres");
            assertThat(aries.providerFactory.open).isEmpty();
            // a valid reconfiguration while it waits replaces what it tries
            String db = pg.createDatabase();
            component.modified(config(serverConfig(db, Map.of())), serverConfig(db, Map.of()));
            assertThat(component.count("alice")).isZero();
        } finally {
            component.deactivate();
        }
        assertThat(aries.providerFactory.open).isEmpty();
    }

    @Test
    void anInvalidReconfigurationKeepsTheStoreRunningAsItWas() throws Exception {
        String db = pg.createDatabase();
        PostgresReceivedEventStoreComponent component = activate(serverConfig(db, Map.of()));
        try {
            PostgresReceivedEventStore before = component.store();
            component.modified(config(serverConfig(db, Map.of("port", -1))), serverConfig(db, Map.of("port", -1)));
            component.modified(config(serverConfig("no_such_database", Map.of())),
                    serverConfig("no_such_database", Map.of()));
            assertThat(component.store()).isSameAs(before);
            assertThat(aries.providerFactory.open).hasSize(2);
            assertThat(await(component.store("alice", Event.of(1, 1, "k", 1, 5, new byte[0])))).isEqualTo(Outcome.STORED);
        } finally {
            component.deactivate();
        }
        assertThat(aries.providerFactory.open).isEmpty();
    }

    @Test
    void aValidReconfigurationMovesToTheNewDatabase() throws Exception {
        String first = pg.createDatabase();
        String second = pg.createDatabase();
        PostgresReceivedEventStoreComponent component = activate(serverConfig(first, Map.of()));
        try {
            await(component.store("alice", Event.of(1, 1, "k", 1, 5, new byte[0])));
            PostgresReceivedEventStore before = component.store();
            // unchanged: nothing happens
            component.modified(config(serverConfig(first, Map.of())), serverConfig(first, Map.of()));
            assertThat(component.store()).isSameAs(before);
            component.modified(config(serverConfig(second, Map.of())), serverConfig(second, Map.of()));
            assertThat(component.store()).isNotSameAs(before);
            assertThat(aries.providerFactory.open).hasSize(2); // the old pools are released
            assertThat(component.count("alice")).isZero();
            assertThat(await(component.store("alice", Event.of(1, 1, "k", 1, 5, new byte[0])))).isEqualTo(Outcome.STORED);
            assertThatThrownBy(() -> before.count("alice")).hasMessageContaining("closed");
        } finally {
            component.deactivate();
        }
    }

    @Test
    void theRegistryStorageComponentUsesTheSameDatabaseWithPoolsOfItsOwn() throws Exception {
        String db = pg.createDatabase();
        PostgresReceivedEventStoreComponent events = activate(serverConfig(db, Map.of()));
        PostgresRegistryStorageComponent registry = new PostgresRegistryStorageComponent(aries.dataSourceFactory,
                aries.transactionControl, aries.providerFactory, config(serverConfig(db, Map.of())),
                serverConfig(db, Map.of()));
        try {
            assertThat(aries.providerFactory.open).hasSize(4);
            registry.put(io.sink.server.auth.storage.StoredClient.empty("alice")
                    .withInstanceId(new io.sink.api.InstanceId(7), java.time.Instant.parse("2026-01-01T00:00:00Z")));
            assertThat(registry.clientIds()).containsExactly("alice");
            assertThat(registry.toString()).isEqualTo("client registry postgresql://" + pg.host() + ":" + pg.port()
                    + "/" + db);
            io.sink.api.InstanceId id = registry.serverInstanceId();
            // refused: keeps running
            registry.modified(config(serverConfig(db, Map.of("port", 0))), serverConfig(db, Map.of("port", 0)));
            assertThat(registry.serverInstanceId()).isEqualTo(id);
            assertThat(registry.get("alice")).isPresent();
        } finally {
            registry.deactivate();
            events.deactivate();
        }
        assertThat(aries.providerFactory.open).isEmpty();
    }

    @Test
    void anUnparseableValueIsNamedWithItsPropertyAndValue() {
        Map<String, Object> config = serverConfig("sink", Map.of("port", "abc"));
        assertThatThrownBy(() -> PostgresReceivedEventStoreComponent.settings(config(config), config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("configuration io.sink.server.store.postgresql: port = \"abc\" is not a whole number (int)");
    }
}
