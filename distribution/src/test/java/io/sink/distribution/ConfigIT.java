package io.sink.distribution;

import static io.sink.distribution.SinkDistribution.CHANGE;
import static io.sink.distribution.SinkDistribution.CLIENT_ID;
import static io.sink.distribution.SinkDistribution.listening;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Configuration edited in {@code etc/} while server and client run: a valid change is applied
 * without a restart; an invalid one is reported in log/sink.log (ERROR, naming the PID, the
 * property and why) and the component keeps running with its previous configuration: the poller
 * keeps its window, the server keeps listening on its port, the client stays connected, and
 * readings keep reaching the server.
 *
 * <p>The steps run in order on one unpacked distribution; each puts back a working configuration.
 * Every process is killed afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConfigIT {
    private static final String CONNECTED_LINE = "connected to Sink server localhost:";
    private SinkDistribution sink;
    private Path pollerCfg;
    private Path serverCfg;
    private Path clientCfg;
    private long clientPid;
    private long serverPid;
    private long readings;

    @BeforeAll
    void startBoth() throws IOException {
        sink = SinkDistribution.unpack("ConfigIT").withCertificates();
        pollerCfg = sink.etc("client", "io.sink.poller");
        serverCfg = sink.etc("server", "io.sink.transport.server");
        clientCfg = sink.etc("client", "io.sink.transport.client");
        sink.start("server");
        sink.start("client");
        sink.awaitConnected();
        clientPid = sink.pid("client");
        serverPid = sink.pid("server");
    }

    @AfterAll
    void killEverything() {
        if (sink != null) {
            sink.close();
        }
    }

    @Test
    @Order(1)
    void thePollerWindowChangesWithoutARestart() {
        assertThat(sink.execOk("client", "sink:status")).contains("window         1000 ("); // the distribution's default
        String componentId = pollerComponentId();
        sink.setProperty(pollerCfg, "window", "100");
        sink.awaitExec("client", "sink:status", r -> r.out().contains("window         100 ("), CHANGE);
        assertThat(pollerComponentId()).as("the same poller component, modified").isEqualTo(componentId);
        assertThat(sink.pid("client")).isEqualTo(clientPid);
        assertThat(occurrences(sink.log("client"), "poller started:")).as("poller starts").isEqualTo(1);
        assertDelivered();
    }

    @Test
    @Order(2)
    void anInvalidPollerWindowIsReportedAndTheOldOneStays() {
        for (String bad : List.of("0", "99999")) {
            sink.setProperty(pollerCfg, "window", bad);
            String reason = "configuration io.sink.poller: window must be between 1 and 4095, got " + bad
                    + "; the poller keeps running with its previous settings (window 100,";
            sink.awaitLog("client", reason);
            assertErrorReported(sink.log("client"), "PollerComponent", reason);
            assertThat(sink.execOk("client", "sink:status")).contains("window         100 (")
                    .contains("connected      true");
            assertThat(sink.execOk("client", "scr:list")).containsPattern("PollerComponent .*\\n\\s+Id: \\d+, State:ACTIVE");
            assertDelivered();
        }
        // not a number at all: one line naming the value, not SCR's stack trace
        sink.setProperty(pollerCfg, "window", "banana");
        String banana = "configuration io.sink.poller: window = \"banana\" is not a whole number (int); the poller "
                + "keeps running with its previous settings (window 100,";
        sink.awaitLog("client", banana);
        assertErrorReported(sink.log("client"), "PollerComponent", banana);
        assertNoStackTraceAfter(sink.log("client"), banana);
        assertThat(sink.execOk("client", "sink:status")).contains("window         100 (");
        assertDelivered();
        sink.setProperty(pollerCfg, "window", "100");
    }

    @Test
    @Order(3)
    void anInvalidServerPortIsReportedAndTheServerKeepsListening() {
        int port = sink.port;
        long connections = occurrences(sink.log("client"), CONNECTED_LINE);
        sink.setProperty(serverCfg, "port", "70000");
        String reason = "io.sink.transport.server: invalid configuration: port must be between 0 and 65535, got 70000; "
                + "the server keeps listening on 127.0.0.1:" + port + " with its previous configuration";
        sink.awaitLog("server", reason);
        assertErrorReported(sink.log("server"), "SinkServerComponent", reason);
        assertStillServing(port, connections);

        // not a number: one line naming property and value
        sink.setProperty(serverCfg, "port", "abc");
        String abc = "io.sink.transport.server: invalid configuration: port = \"abc\" is not a whole number (int); "
                + "the server keeps listening on 127.0.0.1:" + port + " with its previous configuration";
        sink.awaitLog("server", abc);
        assertErrorReported(sink.log("server"), "SinkServerComponent", abc);
        assertNoStackTraceAfter(sink.log("server"), abc);
        assertStillServing(port, connections);

        // a port another process holds: refused as well
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            sink.setProperty(serverCfg, "port", String.valueOf(taken.getLocalPort()));
            String notApplied = "io.sink.transport.server: the new configuration is not applied: cannot listen on "
                    + "127.0.0.1:" + taken.getLocalPort();
            sink.awaitLog("server", notApplied);
            assertErrorReported(sink.log("server"), "SinkServerComponent", notApplied);
            assertStillServing(port, connections);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        // the working value put back: nothing restarts, nobody is disconnected
        sink.setProperty(serverCfg, "port", String.valueOf(port));
        sink.awaitLog("server", "configuration unchanged for the server, still listening on 127.0.0.1:" + port);
        assertStillServing(port, connections);
    }

    @Test
    @Order(4)
    void anInvalidClientConfigurationIsReportedAndTheClientStaysConnected() {
        long connections = occurrences(sink.log("client"), CONNECTED_LINE);
        sink.setProperty(clientCfg, "port", "0");
        String reason = "io.sink.transport.client: invalid configuration: port must be between 1 and 65535, got 0; "
                + "the client keeps its previous configuration (server localhost:" + sink.port + ")";
        sink.awaitLog("client", reason);
        assertErrorReported(sink.log("client"), "SinkClientComponent", reason);

        sink.setProperty(clientCfg, "reconnectDelays", "soon");
        sink.setProperty(clientCfg, "port", String.valueOf(sink.port));
        sink.awaitLog("client", "io.sink.transport.client: invalid configuration: reconnect delay 1 \"soon\" is not a "
                + "duration");
        assertStillServing(sink.port, connections);

        sink.setProperty(clientCfg, "reconnectDelays", "50ms, 50ms, 1s, 5s, 30s, 60s");
        sink.awaitLog("client", "configuration unchanged for the client (server localhost:" + sink.port + ")");
        assertStillServing(sink.port, connections);

        // a list of servers with an entry that is no address: one ERROR naming it, the client stays
        sink.setProperty(clientCfg, "servers", "localhost:" + sink.port + ", localhost:abc");
        String servers = "io.sink.transport.client: invalid configuration: servers = \"localhost:" + sink.port
                + ", localhost:abc\": address 2 \"localhost:abc\": the port \"abc\" is not a whole number from 1 to "
                + "65535; the client keeps its previous configuration (server localhost:" + sink.port + ")";
        sink.awaitLog("client", servers);
        assertErrorReported(sink.log("client"), "SinkClientComponent", servers);
        assertThat(occurrences(sink.log("client"), "invalid configuration: servers =")).isEqualTo(1);
        assertNoStackTraceAfter(sink.log("client"), servers);
        // the one server as a list is the configuration running: nothing to apply
        String unchanged = "configuration unchanged for the client (server localhost:" + sink.port + ")";
        long unchangedBefore = occurrences(sink.log("client"), unchanged);
        sink.setProperty(clientCfg, "servers", "localhost:" + sink.port);
        SinkDistribution.await("the list of one server seen as unchanged", CHANGE,
                () -> occurrences(sink.log("client"), unchanged) > unchangedBefore);
        assertStillServing(sink.port, connections);
        assertThat(sink.execOk("client", "sink:status")).contains("localhost:" + sink.port);
        assertThat(sink.pid("client")).isEqualTo(clientPid);
        assertThat(sink.pid("server")).isEqualTo(serverPid);
        assertThat(sink.execOk("server", "scr:list")).doesNotContain("FAILED");
        assertThat(sink.execOk("client", "scr:list")).doesNotContain("FAILED");
    }

    @Test
    @Order(5)
    void aServerWhosePortIsBusyAtStartSaysSoThenListensOnceItIsFree() throws IOException {
        int port = sink.port;
        // the client's default schedule reaches 60 s between attempts while the server is away; a short
        // one keeps this step about the server (the client engine restarts with it)
        sink.setProperty(clientCfg, "reconnectDelays", "50ms, 500ms, 2s");
        sink.awaitLog("client", "io.sink.transport.client: configuration applied, connecting to localhost:" + port);
        sink.awaitConnected();
        sink.stop("server");
        SinkDistribution.await("the port free", CHANGE, () -> !listening(port));
        SinkDistribution.Result start;
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.setReuseAddress(true);
            squatter.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            start = sink.sink("server", "start");
            assertThat(start.status()).as("bin/sink server start with its port busy: %s", start).isEqualTo(1);
            assertThat(start.err()).contains("server started but does not listen: cannot listen on 127.0.0.1:" + port
                    + ": Address already in use; it keeps trying");
            assertThat(sink.sink("server", "status").status()).as("the server runs, trying again").isZero();
            // the transport writes the status file (which 'start' read) a moment before it logs the ERROR
            String notListening = "io.sink.transport.server: the server is not listening: cannot listen on 127.0.0.1:"
                    + port;
            sink.awaitLog("server", notListening);
            assertErrorReported(sink.log("server"), "SinkServerComponent", notListening);
        }
        sink.awaitLog("server", "io.sink.transport.server: the server listens on 127.0.0.1:" + port + " after ");
        sink.awaitConnected();
        assertDelivered();
    }

    @Test
    @Order(6)
    void anInvalidTargetFilterIsOneErrorAndTheOutboxKeepsItsEventLog() {
        // the outbox is the one component that chooses the client's event log (io.sink.client.outbox)
        Path outboxCfg = sink.etc("client", "io.sink.client.outbox");
        String componentId = componentId("OutboxComponent");
        sink.setProperty(outboxCfg, "eventLog.target", "(broken");
        String reason = "configuration io.sink.client.outbox: eventLog.target = '(broken' is refused: not a valid filter";
        sink.awaitLog("client", reason);
        assertErrorReported(sink.log("client"), "TargetFilterGuard", reason);
        assertThat(sink.log("client")).contains("the component keeps its previous target '(sink.store.type=sqlite)'");
        assertThat(occurrences(sink.log("client"), reason)).as("lines refusing it").isEqualTo(1);
        assertNoStackTraceAfter(sink.log("client"), reason);
        assertThat(componentId("OutboxComponent")).as("the same outbox component, never deactivated")
                .isEqualTo(componentId);
        assertDelivered();
        sink.setProperty(outboxCfg, "eventLog.target", "(sink.store.type=sqlite)");
        assertDelivered();
        assertThat(sink.execOk("client", "scr:list")).doesNotContain("FAILED");
    }

    @Test
    @Order(7)
    void anInvalidReadingLogValueIsOneErrorAndTheServerKeepsStoring() {
        Path readingLogCfg = sink.etc("server", "io.sink.reading.log");
        sink.setProperty(readingLogCfg, "logQueueCapacity", "lots");
        String reason = "configuration io.sink.reading.log: logQueueCapacity = 'lots' is refused: must be a whole number"
                + " between 1 and 1000000; the reading log keeps running with its previous configuration";
        sink.awaitLog("server", reason);
        assertErrorReported(sink.log("server"), "ReadingLogComponent", reason);
        assertNoStackTraceAfter(sink.log("server"), reason);
        assertStillServing(sink.port, occurrences(sink.log("client"), CONNECTED_LINE));
        sink.setProperty(readingLogCfg, "logQueueCapacity", "10000");
        assertDelivered();
        assertThat(sink.execOk("server", "scr:list")).doesNotContain("FAILED");
    }

    @Test
    @Order(8)
    void anInvalidShellSocketValueIsOneErrorAndTheSocketKeepsAnswering() {
        Path socketCfg = sink.etc("client", "io.sink.shell.socket");
        sink.setProperty(socketCfg, "maxConcurrentCommands", "many");
        String reason = "configuration io.sink.shell.socket: maxConcurrentCommands = 'many' is refused: must be a whole"
                + " number between 1 and 64; the shell socket keeps running with its previous configuration";
        sink.awaitLog("client", reason);
        assertErrorReported(sink.log("client"), "ShellSocketComponent", reason);
        assertNoStackTraceAfter(sink.log("client"), reason);
        // every exec goes through the socket
        assertThat(sink.execOk("client", "sink:connected")).isEqualTo("true\n");
        sink.setProperty(socketCfg, "maxConcurrentCommands", "4");
        assertDelivered();
    }

    /** The line is not followed by a stack trace. */
    private static void assertNoStackTraceAfter(String log, String line) {
        List<String> lines = log.lines().toList();
        for (int i = 0; i < lines.size() - 1; i++) {
            if (lines.get(i).contains(line)) {
                assertThat(lines.get(i + 1)).as("the line after '%s'", line).doesNotStartWith("\tat ")
                        .doesNotContain("Exception");
            }
        }
    }

    /** The server listens on {@code port}, the client stayed connected throughout, readings get through. */
    private void assertStillServing(int port, long connectionsBefore) {
        assertThat(listening(port)).as("listening on %d", port).isTrue();
        assertThat(sink.execOk("server", "scr:list")).containsPattern("SinkServerComponent .*\\n\\s+Id: \\d+, State:ACTIVE");
        assertThat(sink.execOk("server", "sink:clients")).startsWith("1 client connected to 127.0.0.1:" + port);
        assertThat(sink.execOk("client", "sink:connected")).isEqualTo("true\n");
        assertDelivered();
        assertThat(occurrences(sink.log("client"), CONNECTED_LINE)).as("connections of the client")
                .isEqualTo(connectionsBefore);
    }

    /** A reading logged now reaches the server. */
    private void assertDelivered() {
        readings++;
        assertThat(sink.execOk("client", "sensor:log config " + (60 + readings) + " 40"))
                .startsWith("logged config #" + readings + " at ");
        sink.awaitServerEventCount(readings);
        assertThat(sink.execOk("server", "sink:events " + CLIENT_ID + " 1")).contains("sensor=config offset=" + readings);
    }

    /** {@code reason} is in the log, on an ERROR line of the component or in the exception right after it. */
    private static void assertErrorReported(String log, String component, String reason) {
        List<String> lines = log.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(reason)) {
                String line = lines.get(i);
                String previous = i > 0 ? lines.get(i - 1) : "";
                boolean onErrorLine = line.contains("| ERROR |") && line.contains(component);
                boolean afterErrorLine = previous.contains("| ERROR |") && previous.contains(component);
                assertThat(onErrorLine || afterErrorLine).as("an ERROR of %s reporting '%s':%n%s%n%s", component,
                        reason, previous, line).isTrue();
                return;
            }
        }
        throw new AssertionError("'" + reason + "' is not in the log");
    }

    private String pollerComponentId() {
        return componentId("PollerComponent");
    }

    private String componentId(String simpleClassName) {
        Matcher m = Pattern.compile(simpleClassName + " .*\\n\\s+Id: (\\d+), State:ACTIVE")
                .matcher(sink.execOk("client", "scr:list"));
        assertThat(m.find()).as("an active " + simpleClassName).isTrue();
        return m.group(1);
    }

    private static long occurrences(String text, String part) {
        return text.lines().filter(l -> l.contains(part)).count();
    }
}
