package io.sink.distribution;

import static io.sink.distribution.SinkDistribution.CHANGE;
import static io.sink.distribution.SinkDistribution.CLIENT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.sink.server.store.postgres.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two server nodes of the distribution (instances/server and a copy, instances/server2, each with the
 * opt-in bundles of bundle/server-postgresql/ in its deploy/) on one throwaway PostgreSQL server, set up
 * as the README's "Server on PostgreSQL, and a second node" says; a client logging readings every 100 ms.
 *
 * <ol>
 * <li>Node 1 is killed with SIGKILL while the client sends to it; the client, given both nodes
 * ({@code servers} of etc/io.sink.transport.client.cfg), moves to node 2 on its own and goes on. The
 * chaos invariants hold in the database:
 * every reading stored exactly once, gapless offsets, and the client's queue ends at 0.</li>
 * <li>A quarantine given through node 2 closes the client's connection on node 1 within seconds.</li>
 * <li>The duplicate-connection rule across nodes: a copy of the client (same certificate, same instance
 * ids) connecting to node 2 while the client is connected to node 1 replaces that connection, as a
 * second connection does on one node; the fleet holds one lease for the client.</li>
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresFleetIT {
    private static final String SENSOR = "fleet";
    private static final Pattern LAST_OFFSET = Pattern.compile("^" + SENSOR + " #(\\d+) at ");
    private static final Pattern STORED = Pattern.compile(": (\\d+) events? stored");
    private static final String NODE2 = "server2";
    /** What a node logs once its fleet leases are open (PostgresClientLeases). */
    private static final String FLEET_OPEN = "open: renewed every";

    private PostgresServer pg;
    private String database;
    private SinkDistribution sink;
    private int port2;

    @BeforeAll
    void startTheFleet() throws IOException {
        pg = PostgresServer.start();
        database = pg.createDatabase();
        sink = SinkDistribution.unpack("PostgresFleetIT").withCertificates();
        enablePostgres("server", "node1");
        port2 = addServerNode(NODE2, "node2");
        sink.setProperty(sink.etc("client", "io.sink.transport.client"), "servers",
                "localhost:" + sink.port + ", localhost:" + port2);
        sink.start("server");
        sink.start(NODE2);
        sink.start("client");
        sink.awaitConnected();
        // the fleet's leases open in their own component, beside the stores the transport waits for
        sink.awaitLog("server", "/" + database + " (node node1/");
        sink.awaitLog("server", FLEET_OPEN);
    }

    @AfterAll
    void stopEverything() {
        try {
            if (sink != null) {
                try {
                    for (String role : List.of(NODE2, "client2")) {
                        if (Files.isDirectory(sink.home(role)) && sink.sink(role, "status").status() == 0) {
                            sink.sink(role, "stop");
                        }
                    }
                } finally {
                    sink.close(); // kills whatever a failed stop left, instances/server2 and client2 included
                }
            }
        } finally {
            if (pg != null) {
                pg.close();
            }
        }
    }

    // ------------------------------------------------------------------------------------- the set-up

    /** The README's steps for one node: the opt-in bundles into deploy/, the database and the targets. */
    private void enablePostgres(String role, String node) throws IOException {
        Path deploy = Files.createDirectories(sink.home(role).resolve("deploy"));
        try (Stream<Path> jars = Files.list(sink.dist.resolve("bundle/server-postgresql"))) {
            for (Path jar : jars.toList()) {
                sink.deploy(role, jar, jar.getFileName().toString());
            }
        }
        assertThat(deploy.resolve("postgresql-42.7.13.jar")).exists();
        sink.writeCfg(sink.etc(role, "io.sink.server.store.postgresql"), "host = " + pg.host() + "\nport = " + pg.port()
                + "\ndatabase = " + database + "\nuser = " + PostgresServer.USER + "\npasswordFile = " + pg.passwordFile()
                + "\n");
        sink.writeCfg(sink.etc(role, "io.sink.server.fleet"), "node = " + node + "\n");
        sink.writeCfg(sink.etc(role, "io.sink.reading.log"), "store.target = (sink.store.type=postgresql)\n");
        // what the operator reads (sink:events, the console) comes from the same store
        sink.writeCfg(sink.etc(role, "io.sink.server.commands.internal.ServerCommands"),
                "store.target = (sink.store.type=postgresql)\n");
        sink.setProperty(sink.etc(role, "io.sink.console"), "store.target", "(sink.store.type=postgresql)");
        sink.setProperty(sink.etc(role, "io.sink.server.registry"), "storage.target",
                "(sink.registry.storage=postgresql)");
        sink.setProperty(sink.etc(role, "io.sink.server.sensors"), "storage.target",
                "(sink.sensors.storage=postgresql)");
    }

    /** A second node: a copy of instances/server (configuration, deploy/) with ports of its own. */
    private int addServerNode(String role, String node) throws IOException {
        copyInstance("server", role);
        Files.createSymbolicLink(sink.dist.resolve("bundle").resolve(role), Path.of("server"));
        int port = SinkDistribution.freePort();
        sink.setProperty(sink.etc(role, "io.sink.transport.server"), "port", String.valueOf(port));
        sink.setProperty(sink.etc(role, "org.apache.felix.http"), "org.osgi.service.http.port",
                String.valueOf(SinkDistribution.freePort()));
        sink.writeCfg(sink.etc(role, "io.sink.server.fleet"), "node = " + node + "\n");
        return port;
    }

    /** Copies conf/, etc/, deploy/ and data/ (without the pid file and socket) of an instance. */
    private void copyInstance(String from, String to) throws IOException {
        Path source = sink.home(from);
        Path target = sink.home(to);
        for (String folder : List.of("conf", "etc", "deploy", "data")) {
            Path dir = source.resolve(folder);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : files.toList()) {
                    String name = f.getFileName().toString();
                    if (name.equals("sink.pid") || name.equals("sink.sock") || source.relativize(f).startsWith("data/tmp")
                            || source.relativize(f).startsWith("data/felix-cache")) {
                        continue;
                    }
                    Path copy = target.resolve(source.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(copy);
                    } else {
                        Files.copy(f, copy, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
    }

    // ----------------------------------------------------------------------------------------- tests

    @Test
    @Order(1)
    void aNodeKilledWithSigkillLosesNoReadingAndStoresNoneTwice() throws Exception {
        Path sensorCfg = sink.etc("client", "io.sink.sensor.simulated-" + SENSOR);
        sink.writeCfg(sensorCfg, "name = " + SENSOR + "\nperiodMillis = 100\n");
        awaitCount(NODE2, 20); // node 2 reads what node 1 stored: one database

        long pid = sink.pid("server");
        ProcessHandle node1 = ProcessHandle.of(pid).orElseThrow();
        assertThat(node1.destroyForcibly()).isTrue(); // SIGKILL
        SinkDistribution.await("node 1 is dead", CHANGE, () -> !node1.isAlive());
        long atKill = lastOffset();
        // the client fails over to the next server of its list by itself
        sink.awaitOutput(NODE2, "sink:connected " + CLIENT_ID, "true");
        sink.awaitExec("client", "sensor:last " + SENSOR, r -> offsetIn(r.out()) >= atKill + 20, CHANGE);

        sink.delete(sensorCfg);
        sink.await("the simulated sensor stopped", CHANGE,
                () -> sink.log("client").contains("simulated sensor " + SENSOR + " stopped after"));
        long last = lastOffset();
        sink.awaitOutput("client", "sink:queue-size", "0");
        awaitCount(NODE2, last);
        assertThat(count(NODE2)).isEqualTo(last);
        assertThat(storedOffsets()).as("offsets stored in PostgreSQL, in order: each once, gapless")
                .isEqualTo(LongStream.rangeClosed(1, last).boxed().toList());
        assertThat(sink.execOk("client", "sink:nacks")).contains("no stream is parked");
        assertThat(sink.log("client")).doesNotContain("NACK for");
        assertThat(sink.log(NODE2)).doesNotContain("conflicting_event").doesNotContain("| ERROR |");
        System.out.printf("PostgresFleetIT: %d readings, node 1 killed after #%d; stored once each, gapless%n", last,
                atKill);

        // node 1 comes back (its pid file is stale; its lease expired or was taken over)
        long fleetOpened = occurrences(sink.log("server"), FLEET_OPEN);
        sink.start("server");
        assertThat(sink.log("client")).contains("trying Sink server localhost:" + port2 + " next");
        // The transport listens once its stores are there; the fleet's leases are an optional service it
        // takes when they come (a connection accepted before takes its lease then, see FleetLeaseTest).
        // Wait for them before the client comes back, so that the next tests start from a node in the fleet.
        SinkDistribution.await("node 1's fleet leases open again", CHANGE,
                () -> occurrences(sink.log("server"), FLEET_OPEN) > fleetOpened);
        // a client stays on the server it reached; restarted, it begins with the first of its list
        sink.stop("client");
        sink.start("client");
        sink.awaitConnected();
        sink.awaitOutput(NODE2, "sink:connected " + CLIENT_ID, "false");
    }

    @Test
    @Order(2)
    void aQuarantineGivenThroughOneNodeClosesTheConnectionOnTheOther() {
        sink.awaitConnected(); // on node 1
        String answer = sink.execOk(NODE2, "sink:quarantine " + CLIENT_ID + " stolen \"reported stolen\"");
        assertThat(answer).contains("quarantined " + CLIENT_ID);
        sink.awaitExec("server", "sink:connected " + CLIENT_ID, r -> r.out().equals("false\n"), Duration.ofSeconds(15));
        sink.awaitLog("server", "quarantined by the operator");
        assertThat(sink.execOk(NODE2, "sink:unquarantine " + CLIENT_ID)).contains("unquarantined");
        // refused as quarantined, the client waits refusalDelay (5 min) before trying again: restart it
        sink.stop("client");
        sink.start("client");
        sink.awaitConnected(); // admitted again on node 1
    }

    @Test
    @Order(3)
    void theSameClientConnectedToTwoNodesKeepsOneConnectionFleetWide() throws Exception {
        sink.awaitConnected();
        // a second device with the same certificate and history: a copy of the client (stopped for the copy)
        sink.stop("client");
        copyInstance("client", "client2");
        Files.createSymbolicLink(sink.dist.resolve("bundle/client2"), Path.of("client"));
        Path conf = sink.home("client2").resolve("conf/config.properties");
        Files.writeString(conf, Files.readString(conf).replace("instances/client\n", "instances/client2\n"));
        sink.setProperty(sink.etc("client2", "io.sink.transport.client"), "servers", "localhost:" + port2);
        sink.start("client");
        sink.awaitConnected();

        sink.start("client2");
        // node 2 takes the client's lease for the copy's connection: node 1 closes the older connection
        sink.awaitLog("server", "replaced by a new connection of the same client on server node node2/");
        assertThat(leaseRows()).as("one lease for the client, fleet-wide").isEqualTo(1);
        // While both copies run they displace each other: the client, closed on node 1, tries node 2 next and
        // takes the connection from the copy there, which takes it back, and so on. Which node the client is
        // on when the copy stops depends on timing; it stays on the one it reached (it does not move back).
        sink.stop("client2");
        String[] holder = new String[1];
        SinkDistribution.await("the client connected to one of the nodes", CHANGE, () -> {
            for (String role : List.of("server", NODE2)) {
                if (sink.exec(role, "sink:connected " + CLIENT_ID).out().equals("true\n")) {
                    holder[0] = role.equals("server") ? "node1/" : "node2/";
                    return true;
                }
            }
            return false;
        });
        sink.await("the fleet lease held by the node the client is connected to", CHANGE,
                () -> leaseRows() == 1 && leaseHolder().startsWith(holder[0]));
        // restarted, the client begins with the first server of its list again: node 1
        sink.stop("client");
        sink.start("client");
        sink.awaitConnected();
        sink.awaitOutput(NODE2, "sink:connected " + CLIENT_ID, "false");
        sink.await("the fleet lease held by node 1", CHANGE,
                () -> leaseRows() == 1 && leaseHolder().startsWith("node1/"));
    }

    @Test
    @Order(4)
    void aSensorAddedThroughOneNodeReachesTheClientOnTheOther() {
        sink.awaitConnected(); // on node 1
        String out = sink.execOk(NODE2, "sink:sensor-add " + CLIENT_ID + " Attic 500");
        Matcher m = Pattern.compile("^added ([0-9a-f-]{36}) ").matcher(out);
        assertThat(m.find()).as("a uuid in %s", out).isTrue();
        String attic = m.group(1);
        // node 1, which holds the connection, sends it from the shared log; its ACK is seen on node 2
        sink.awaitExec("client", "sensor:list", r -> r.status() == 0
                && r.out().contains("server \"" + attic + "\" label \"Attic\" every 500 ms"), CHANGE);
        sink.awaitExec(NODE2, "sink:sensors " + CLIENT_ID,
                r -> r.status() == 0 && r.out().contains(attic + " \"Attic\" simulated 500 ms ACKED"), CHANGE);
        assertThat(sink.execOk("server", "sink:sensors " + CLIENT_ID)).contains(attic + " \"Attic\"");
        // removed through node 1, gone from the shared directory once the client ACKed it
        assertThat(sink.execOk("server", "sink:sensor-remove " + CLIENT_ID + " " + attic)).contains(attic);
        sink.awaitExec(NODE2, "sink:sensors " + CLIENT_ID, r -> r.status() == 0 && !r.out().contains(attic), CHANGE);
        assertThat(sink.execOk("client", "sensor:list")).doesNotContain(attic);
    }

    // ---------------------------------------------------------------------------------------- helpers

    private long lastOffset() {
        Matcher m = LAST_OFFSET.matcher(sink.execOk("client", "sensor:last " + SENSOR));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static long offsetIn(String lastReading) {
        Matcher m = LAST_OFFSET.matcher(lastReading);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static long occurrences(String text, String part) {
        return text.lines().filter(l -> l.contains(part)).count();
    }

    private long count(String role) {
        String out = sink.execOk(role, "sink:events " + CLIENT_ID + " 1");
        Matcher m = STORED.matcher(out);
        assertThat(m.find()).as("an event count in %s", out).isTrue();
        return Long.parseLong(m.group(1));
    }

    private void awaitCount(String role, long atLeast) {
        sink.awaitExec(role, "sink:events " + CLIENT_ID + " 1", r -> {
            Matcher m = STORED.matcher(r.out());
            return r.status() == 0 && m.find() && Long.parseLong(m.group(1)) >= atLeast;
        }, CHANGE);
    }

    /** Every offset stored for the sensor (a duplicate would appear twice), ascending. */
    private List<Long> storedOffsets() throws SQLException {
        List<Long> offsets = new ArrayList<>();
        try (Connection c = pg.connect(database); PreparedStatement s = c.prepareStatement(
                "SELECT event_offset FROM received_events WHERE client_id = ? AND event_type_id = 1 AND event_key = ?"
                        + " ORDER BY event_offset, id")) {
            s.setString(1, CLIENT_ID);
            s.setBytes(2, SENSOR.getBytes(StandardCharsets.UTF_8));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    offsets.add(r.getLong(1));
                }
            }
        }
        return offsets;
    }

    /** How many lease rows the fleet holds for the client (one at most, fleet-wide). */
    private long leaseRows() {
        return overLeases("SELECT count(*)", r -> r.getLong(1), 0L);
    }

    /** The node holding the client's lease, or "" while there is none. */
    private String leaseHolder() {
        return overLeases("SELECT node", r -> r.getString(1), "");
    }

    @FunctionalInterface
    private interface Row<T> {
        T read(ResultSet r) throws SQLException;
    }

    /** {@code row} of the first row of {@code select} over the client's leases, {@code none} without one. */
    private <T> T overLeases(String select, Row<T> row, T none) {
        try (Connection c = pg.connect(database);
                PreparedStatement s = c.prepareStatement(select + " FROM fleet_leases WHERE client_id = ?")) {
            s.setString(1, CLIENT_ID);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? row.read(r) : none;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(select + " over fleet_leases failed", e);
        }
    }
}
