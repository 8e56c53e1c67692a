package io.sink.server.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.server.ClientLeases;
import io.sink.server.store.postgres.PostgresServer;
import io.sink.sqlite.AriesFixture;
import io.sink.testsupport.DsConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postgresql.osgi.PGDataSourceFactory;

/** The fleet leases' DS component: its two PIDs, the checks of io.sink.server.fleet, reconfiguration. */
class PostgresClientLeasesComponentTest {
    @RegisterExtension
    static final PostgresServer.PerClass PG = new PostgresServer.PerClass();
    PostgresServer pg;
    final AriesFixture aries = new AriesFixture(new PGDataSourceFactory());
    String database;

    @BeforeEach
    void server() {
        pg = PG.server();
        database = pg.createDatabase();
    }

    @AfterEach
    void tearDown() {
        aries.close();
    }

    /** Both PIDs' properties, merged as SCR does. */
    Map<String, Object> config(Map<String, Object> fleet) {
        Map<String, Object> c = new HashMap<>();
        c.put("host", pg.host());
        c.put("port", pg.port());
        c.put("database", database);
        c.put("user", PostgresServer.USER);
        c.put("passwordFile", pg.passwordFile().toString());
        c.putAll(fleet);
        return c;
    }

    private PostgresClientLeasesComponent activate(Map<String, Object> config) {
        return new PostgresClientLeasesComponent(aries.dataSourceFactory, aries.transactionControl, aries.providerFactory,
                DsConfig.of(PostgresReceivedEventStoreComponent.Config.class, config),
                DsConfig.of(PostgresClientLeasesComponent.Config.class, config), config);
    }

    @Test
    void itTakesLeasesInTheConfiguredDatabaseUnderItsNodeName() throws Exception {
        PostgresClientLeasesComponent component = activate(config(Map.of("node", "node-a", "renewMillis", 200L,
                "leaseSeconds", 2)));
        try {
            List<String> lost = new CopyOnWriteArrayList<>();
            ClientLeases.Lease lease = component.acquire("alice", lost::add);
            assertThat(component.toString()).contains("fleet leases").contains("(node node-a/");
            try (var c = pg.connect(database); var s = c.createStatement();
                    var rs = s.executeQuery("SELECT node FROM fleet_leases WHERE client_id = 'alice'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).startsWith("node-a/");
            }
            lease.release();
            assertThat(lost).isEmpty();
        } finally {
            component.deactivate();
        }
        assertThat(aries.providerFactory.open).isEmpty();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "node|'a b'|node must be 1 to 100 letters, digits",
        "renewMillis|50|renewMillis must be between 100 and 60000, got 50",
        "leaseSeconds|0|leaseSeconds must be between 1 and 3600, got 0",
        "leaseSeconds|1|leaseSeconds must last at least two renewMillis (2000 ms), got 1"})
    void badFleetConfigurationIsRefusedInOneLineNamingThePidThePropertyAndTheValue(String property, String value,
            String message) {
        Object typed = switch (property) {
            case "renewMillis" -> Long.parseLong(value);
            case "leaseSeconds" -> Integer.parseInt(value);
            default -> value;
        };
        assertThatThrownBy(() -> activate(config(Map.of(property, typed))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("configuration io.sink.server.fleet: ")
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(aries.providerFactory.open).isEmpty();
    }

    @Test
    void anInvalidReconfigurationKeepsTheLeasesAndAValidOneRestartsThemUnderTheNewName() throws Exception {
        PostgresClientLeasesComponent component = activate(config(Map.of("node", "node-a")));
        try {
            List<String> lost = new CopyOnWriteArrayList<>();
            component.acquire("alice", lost::add);
            Map<String, Object> invalid = config(Map.of("node", "node-a", "renewMillis", 5L));
            component.modified(DsConfig.of(PostgresReceivedEventStoreComponent.Config.class, invalid),
                    DsConfig.of(PostgresClientLeasesComponent.Config.class, invalid), invalid);
            assertThat(component.toString()).contains("(node node-a/");
            assertThat(lost).isEmpty();

            Map<String, Object> renamed = config(Map.of("node", "node-b"));
            component.modified(DsConfig.of(PostgresReceivedEventStoreComponent.Config.class, renamed),
                    DsConfig.of(PostgresClientLeasesComponent.Config.class, renamed), renamed);
            assertThat(component.toString()).contains("(node node-b/");
            // the old leases were given up: their connections are closed and the clients reconnect
            assertThat(lost).containsExactly("the fleet leases stopped on this node");
        } finally {
            component.deactivate();
        }
        assertThat(aries.providerFactory.open).isEmpty();
    }
}
