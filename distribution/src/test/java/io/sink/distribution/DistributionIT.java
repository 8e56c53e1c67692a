package io.sink.distribution;

import static io.sink.distribution.SinkDistribution.CHANGE;
import static io.sink.distribution.SinkDistribution.CLIENT_ID;
import static io.sink.distribution.SinkDistribution.awaitListening;
import static io.sink.distribution.SinkDistribution.bundleId;
import static io.sink.distribution.SinkDistribution.bundles;
import static io.sink.distribution.SinkDistribution.listening;
import static io.sink.distribution.SinkDistribution.millisSince;
import static org.assertj.core.api.Assertions.assertThat;

import io.sink.distribution.SinkDistribution.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The distribution as an operator installs and runs it: the certificates, a server in the
 * foreground without a terminal (as systemd runs it), a client as a background service,
 * {@code exec}'s exit statuses, the shell socket's permissions, a port changed in {@code etc/}, a
 * shipped bundle updated through {@code deploy/}, and a clean stop; each role runs its own transport
 * and not the other's.
 *
 * <p>The tests share one unpacked distribution and run in order. Every process of it is killed in
 * {@link #killEverything()} (and by a shutdown hook), whatever happened.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributionIT {
    private SinkDistribution sink;
    private Path dist;
    private Path server;
    private Process serverProcess;

    @BeforeAll
    void unpack() throws IOException {
        sink = SinkDistribution.unpack("DistributionIT");
        dist = sink.dist;
        server = sink.server;
    }

    @AfterAll
    void killEverything() {
        if (sink != null) {
            sink.close();
        }
    }

    @Test
    @Order(1)
    void certsAreMadeAndTheExampleClientIsAdmitted() {
        Result certs = sink.sink("certs");
        assertThat(certs.status()).as(certs.toString()).isZero();
        assertThat(certs.out()).contains("created " + dist.resolve("certs/ca.pem"))
                .contains("admitted example-client");
        for (String file : List.of("ca.pem", "server.pem", "server-key.pem", "example-client.pem",
                "example-client-key.pem", "clients/example-client.pem")) {
            assertThat(dist.resolve("certs").resolve(file)).isRegularFile();
        }
        assertThat(dist.resolve("certs/clients/example-client.pem")).hasSameBinaryContentAs(
                dist.resolve("certs/example-client.pem"));
        // the CA's private key is kept apart, owner-only, outside what roles read and devices copy
        assertThat(certs.out()).contains("created " + dist.resolve("ca/ca-key.pem") + " (private key, owner-only)");
        assertThat(dist.resolve("ca/ca-key.pem")).isRegularFile();
        assertThat(SinkDistribution.permissions(dist.resolve("ca"))).isEqualTo("rwx------");
        assertThat(SinkDistribution.permissions(dist.resolve("ca/ca-key.pem"))).isEqualTo("rw-------");
        try (java.util.stream.Stream<java.nio.file.Path> all = java.nio.file.Files.walk(dist.resolve("certs"))) {
            assertThat(all.map(p -> p.getFileName().toString())).doesNotContain("ca-key.pem");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Result again = sink.sink("certs");
        assertThat(again.status()).isZero();
        assertThat(again.out()).contains("nothing to do");
    }

    @Test
    @Order(1)
    void eachRoleShipsItsOwnTransportAndTheSharedOneOnce() throws IOException {
        // bundle/ (both roles): the shared transport only; each role's folder: its own transport only
        assertThat(jars(dist.resolve("bundle"))).anyMatch(j -> j.matches("sink-transport-\\d.*\\.jar"))
                .noneMatch(j -> j.startsWith("sink-transport-client") || j.startsWith("sink-transport-server"));
        assertThat(jars(dist.resolve("bundle/client"))).anyMatch(j -> j.startsWith("sink-transport-client-"))
                .noneMatch(j -> j.startsWith("sink-transport-server") || j.matches("sink-transport-\\d.*\\.jar"));
        assertThat(jars(dist.resolve("bundle/server"))).anyMatch(j -> j.startsWith("sink-transport-server-"))
                .noneMatch(j -> j.startsWith("sink-transport-client") || j.matches("sink-transport-\\d.*\\.jar"));
    }

    private static List<String> jars(Path folder) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).toList();
        }
    }

    @Test
    @Order(2)
    void theServerStartsWithoutATerminalListensAtOnceAndAnswersExec() throws IOException {
        long started = System.nanoTime();
        serverProcess = sink.runInForeground("server");
        sink.awaitExec("server", "(bundle 0) state", r -> r.out().equals("32\n"), SinkDistribution.BOOT);
        System.out.printf("server: framework started %d ms after start%n", millisSince(started));
        // the real handler (reading log over the SQLite store) is there: the server listens at once
        awaitListening(sink.port);
        System.out.printf("server: listening %d ms after start%n", millisSince(started));

        String lb = sink.execOk("server", "lb");
        List<String[]> bundles = bundles(lb);
        assertThat(bundles).hasSizeGreaterThan(30);
        assertThat(bundles).allSatisfy(b -> assertThat(b[1]).as("state of %s", b[3]).isEqualTo("Active"));
        assertThat(lb).contains("Sink Transport", "Sink Transport Server", "Sink Server Authentication",
                "Sink Server Event Store", "Sink Reading Log", "Sink Server Commands", "Sink Shell Socket",
                "Apache Felix Declarative Services", "OPS4J Pax Logging - Log4Jv2 implementation")
                .doesNotContain("Sink Transport Client", "Sink Poller", "Sink Sensor Example", "Sink SQLite Event Log");
        assertThat(serverProcess.isAlive()).isTrue();
        assertThat(server.resolve("data/sink.pid")).content().isEqualTo(serverProcess.pid() + "\n");
        assertThat(sink.sink("server", "status").out())
                .isEqualTo("server is running (pid " + serverProcess.pid() + ")\n");

        String scr = sink.execOk("server", "scr:list");
        assertThat(scr).containsPattern("AuthenticatorComponent .*\\n\\s+Id: \\d+, State:ACTIVE")
                .containsPattern("RegistryComponent .*\\n\\s+Id: \\d+, State:ACTIVE")
                .containsPattern("SinkServerComponent .*\\n\\s+Id: \\d+, State:ACTIVE")
                .containsPattern("ReadingLogComponent .*\\n\\s+Id: \\d+, State:ACTIVE")
                // the client transport is not installed in a server at all
                .doesNotContain("SinkClientComponent");
        assertThat(sink.execOk("server", "sink:clients")).startsWith("0 clients connected to 127.0.0.1:" + sink.port);
        assertThat(sink.log("server"))
                .contains("Shell socket listening on " + server.resolve("data/sink.sock"))
                .contains("Allow-list " + dist.resolve("certs/clients") + " admits 1 client(s)")
                .contains("Sink server listening on 127.0.0.1:" + sink.port)
                .doesNotContain("| ERROR |");
        assertThat(server.resolve("data/registry/server.properties")).isRegularFile();
        assertThat(server.resolve("data/events.db")).isRegularFile();
    }

    @Test
    @Order(3)
    void execReportsAFailingCommandWithItsStatus() {
        Result missing = sink.exec("server", "nosuch:command");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("CommandNotFoundException: Command not found: nosuch:command");
        assertThat(missing.out()).isEmpty();

        Result thrown = sink.exec("server", "system:getproperty");
        assertThat(thrown.status()).as(thrown.toString()).isEqualTo(1);
        assertThat(thrown.err()).contains("IllegalArgumentException: Cannot coerce getproperty()");

        // a Sink command refusing its input: the message reaches the operator
        Result refused = sink.exec("server", "sink:events " + CLIENT_ID + " 100000");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("count 100000 is out of range: it must be between 1 and 1000; usage:"
                + " sink:events <client-id> [count 1..1000]");

        Result usage = sink.sink("server", "exec");
        assertThat(usage.status()).isEqualTo(64);

        Result notRunning = sink.sink("client", "exec", "lb");
        assertThat(notRunning.status()).isEqualTo(4);
        assertThat(notRunning.err()).contains("client is not running");
    }

    @Test
    @Order(4)
    void theShellSocketIsOwnerOnly() throws IOException {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.resolve("data/sink.sock"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.resolve("data"))))
                .isEqualTo("rwx------");
        assertThat(Files.getOwner(server.resolve("data/sink.sock"))).isEqualTo(Files.getOwner(dist));
    }

    @Test
    @Order(5)
    void theClientStartsAndConnectsWithoutBeingAskedTo() {
        long started = System.nanoTime();
        sink.start("client");
        // only the server is asked: the client must connect by itself, not once a command touches it
        sink.awaitConnected();
        System.out.printf("client: connected %d ms after 'bin/sink client start'%n", millisSince(started));
        // the server registers the connection before its answer reaches the client, which (on its first
        // connection) stores the server's instance id before it logs that it is connected
        sink.awaitLog("client", "connected to Sink server localhost:" + sink.port);

        String lb = sink.execOk("client", "lb");
        assertThat(lb).contains("Sink Transport", "Sink Transport Client", "Sink Poller", "Sink Sensor Example",
                "Sink SQLite Event Log", "Sink Memory Event Log", "Sink Client Commands")
                .doesNotContain("Sink Transport Server", "Sink Server Authentication", "Sink Reading Log");
        assertThat(sink.execOk("client", "scr:list")).contains("SinkClientComponent")
                .doesNotContain("SinkServerComponent");
        assertThat(bundles(lb)).allSatisfy(b -> assertThat(b[1]).as("state of %s", b[3]).isEqualTo("Active"));
        assertThat(sink.execOk("client", "sink:connected")).isEqualTo("true\n");
        assertThat(sink.log("client")).doesNotContain("| ERROR |");
    }

    @Test
    @Order(6)
    void aChangedPortInEtcIsPickedUp() {
        int oldPort = sink.port;
        int newPort = SinkDistribution.freePort();
        long edited = System.nanoTime();
        sink.setProperty(sink.etc("server", "io.sink.transport.server"), "port", String.valueOf(newPort));
        awaitListening(newPort);
        System.out.printf("server: listening on the new port %d ms after the .cfg edit%n", millisSince(edited));
        SinkDistribution.await("old port " + oldPort + " closed", CHANGE, () -> !listening(oldPort));
        assertThat(sink.execOk("server", "sink:clients")).contains("connected to 127.0.0.1:" + newPort);

        sink.setProperty(sink.etc("client", "io.sink.transport.client"), "port", String.valueOf(newPort));
        sink.port = newPort;
        sink.awaitLog("client", "connected to Sink server localhost:" + newPort);
        sink.awaitConnected();
    }

    @Test
    @Order(7)
    void aJarCopiedIntoDeployUpdatesTheRunningBundle() throws IOException {
        // a rebuild of a shipped bundle (same symbolic name and version) replaces it in place
        int transport = bundleId(sink.execOk("server", "lb"), "Sink Transport Server");
        String before = sink.execOk("server", "(bundle " + transport + ") lastModified");
        assertThat(sink.execOk("server", "headers " + transport)).doesNotContain("Sink-Test-Build");
        Path rebuilt = sink.rebuild(sink.shippedJar("sink-transport-server"), Map.of("Sink-Test-Build", "2"));
        long copied = System.nanoTime();
        sink.deploy("server", rebuilt, "sink-transport-server.jar");
        sink.awaitExec("server", "(bundle " + transport + ") lastModified",
                r -> r.status() == 0 && !r.out().equals(before), CHANGE);
        awaitListening(sink.port);
        System.out.printf("server: transport bundle updated from deploy/ and listening again %d ms after the copy%n",
                millisSince(copied));
        String lb = sink.execOk("server", "lb");
        assertThat(bundleId(lb, "Sink Transport Server")).isEqualTo(transport);
        assertThat(bundles(lb)).allSatisfy(b -> assertThat(b[1]).as("state of %s", b[3]).isEqualTo("Active"));
        assertThat(sink.execOk("server", "headers " + transport)).contains("Sink-Test-Build = 2");
        assertThat(sink.log("server"))
                .contains("A bundle with the same symbolic name (io.sink.transport-server) and version");
        // the client notices the restarted server and connects again
        sink.awaitConnected();
    }

    @Test
    @Order(8)
    void stopStopsCleanlyAndRemovesTheSocket() throws InterruptedException {
        Result stop = sink.sink("server", "stop");
        assertThat(stop.status()).as(stop.toString()).isZero();
        assertThat(stop.out()).startsWith("server stopped (pid " + serverProcess.pid());
        assertThat(serverProcess.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.resolve("data/sink.sock")).doesNotExist();
        assertThat(server.resolve("data/sink.pid")).doesNotExist();
        assertThat(listening(sink.port)).isFalse();
        assertThat(sink.sink("server", "status").status()).isEqualTo(3);
        assertThat(sink.exec("server", "lb").status()).isEqualTo(4);

        Result stopClient = sink.sink("client", "stop");
        assertThat(stopClient.status()).isZero();
        assertThat(stopClient.out()).startsWith("client stopped");
        assertThat(sink.sink("client", "stop").out()).isEqualTo("client is not running\n");
        assertThat(sink.client.resolve("data/sink.sock")).doesNotExist();
    }
}
