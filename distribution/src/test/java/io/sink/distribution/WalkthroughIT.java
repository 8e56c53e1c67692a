package io.sink.distribution;

import static io.sink.distribution.SinkDistribution.CLIENT_ID;
import static io.sink.distribution.SinkDistribution.millisSince;
import static org.assertj.core.api.Assertions.assertThat;

import io.sink.distribution.SinkDistribution.Result;
import java.io.IOException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The original example's walkthrough, against the unpacked distribution: readings logged on a
 * client while no server runs stay queued, also across a client restart; once the server runs
 * and the client starts again, they are delivered in order, stored and logged by the server, and
 * the client's queue is empty. Also measures the time from {@code bin/sink client start} to
 * connected, and the resident memory of an idle client and server.
 *
 * <p>The steps run in order on one unpacked distribution; every process is killed afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WalkthroughIT {
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss,SSS");
    private SinkDistribution sink;

    @BeforeAll
    void unpack() throws IOException {
        sink = SinkDistribution.unpack("WalkthroughIT").withCertificates();
    }

    @AfterAll
    void killEverything() {
        if (sink != null) {
            sink.close();
        }
    }

    @Test
    @Order(1)
    void offlineTheClientQueuesTheReadings() {
        sink.start("client");
        assertThat(sink.execOk("client", "sensor:log kitchen 70 40"))
                .startsWith("logged kitchen #1 at ").contains("temperature 70, humidity 40");
        assertThat(sink.execOk("client", "sensor:log bedroom 68 35"))
                .startsWith("logged bedroom #1 at ").contains("temperature 68, humidity 35");
        assertThat(sink.execOk("client", "sensor:log kitchen 71 39"))
                .startsWith("logged kitchen #2 at ").contains("temperature 71, humidity 39");

        // what the operator typed is checked as typed: nothing wraps, nothing is logged, the usage is shown
        String usage = "; usage: sensor:log <name> <temperature -273..1000> <humidity 0..100>";
        for (String[] bad : new String[][] {
            {"sensor:log wrap 4294967316 4294967336", "temperature 4294967316 is out of range: it must be between"
                    + " -273 and 1000 degrees" + usage},
            {"sensor:log kitchen 99999999999 40", "temperature 99999999999 is out of range: it must be between"
                    + " -273 and 1000 degrees" + usage},
            {"sensor:log kitchen hot 40", "temperature hot is not a whole number" + usage},
            {"sensor:log kitchen 70", "wrong arguments (2 given: kitchen 70)" + usage}}) {
            Result refused = sink.exec("client", bad[0]);
            assertThat(refused.status()).as(refused.toString()).isEqualTo(1);
            assertThat(refused.err()).as(bad[0]).isEqualTo("error: gogo: IllegalArgumentException: " + bad[1] + "\n");
        }

        assertThat(sink.execOk("client", "sink:queue-size")).isEqualTo("3\n");
        assertThat(sink.execOk("client", "sink:queuesize")).isEqualTo("3\n");
        assertThat(sink.execOk("client", "sink:next-event")).contains("type=1").contains("key=\"kitchen\"")
                .contains("offset=1,");
        assertThat(sink.execOk("client", "sink:connected")).isEqualTo("false\n");
        assertThat(sink.execOk("client", "sensor:last kitchen")).startsWith("kitchen #2 at ");
    }

    @Test
    @Order(2)
    void theQueueSurvivesAClientRestart() {
        long pid = sink.pid("client");
        sink.stop("client");
        sink.start("client");
        assertThat(sink.pid("client")).isNotEqualTo(pid);
        assertThat(sink.execOk("client", "sink:queue-size")).isEqualTo("3\n");
        assertThat(sink.execOk("client", "sink:next-event")).contains("key=\"kitchen\"").contains("offset=1,");
        assertThat(sink.execOk("client", "sensor:last")).contains("bedroom #1 at ").contains("kitchen #2 at ");
        sink.stop("client");
    }

    @Test
    @Order(3)
    void aNewServerHasNotSeenTheClient() {
        sink.start("server");
        assertThat(sink.execOk("server", "sink:connected " + CLIENT_ID)).isEqualTo("false\n");
        assertThat(sink.execOk("server", "sink:events " + CLIENT_ID)).isEqualTo(CLIENT_ID + ": 0 events stored\n");
    }

    @Test
    @Order(4)
    void theClientConnectsAndItsQueueDrains() {
        LocalDateTime wallClockAtStart = LocalDateTime.now();
        long started = System.nanoTime();
        sink.start("client");
        long startReturned = millisSince(started);
        // the server is asked, not the client: the client connects by itself after its start
        sink.awaitConnected();
        long seenByServer = millisSince(started);
        // the server registers the connection a moment before the client logs its answer
        sink.awaitLog("client", "connected to Sink server localhost:" + sink.port);
        Optional<Long> fromLog = connectedLogLineAfter(wallClockAtStart)
                .map(t -> Duration.between(wallClockAtStart, t).toMillis());
        System.out.printf("TIMING client: 'bin/sink client start' returned after %d ms; connected (client log) "
                + "%s ms after the start command; seen connected by the server (polled through bin/sink exec) after "
                + "%d ms%n", startReturned, fromLog.map(String::valueOf).orElse("?"), seenByServer);
        assertThat(fromLog).as("the client's 'connected to Sink server' line after the start").isPresent();

        assertThat(sink.execOk("client", "sink:connected")).isEqualTo("true\n");
        sink.awaitOutput("client", "sink:queue-size", "0");
        assertThat(sink.execOk("client", "sink:next-event")).isEqualTo("no unacknowledged event\n");
        assertThat(sink.execOk("client", "sink:status")).contains("connected      true")
                .contains("event log      sqlite").containsPattern("acked 3\\b");
    }

    @Test
    @Order(5)
    void theServerStoredAndLoggedTheThreeReadings() {
        String events = sink.execOk("server", "sink:events " + CLIENT_ID);
        assertThat(events).startsWith(CLIENT_ID + ": 3 events stored, newest first:");
        List<String> lines = events.lines().skip(1).toList();
        assertThat(lines).hasSize(3);
        // newest first: the delivery order was the logging order
        assertThat(lines.get(0)).contains("sensor=kitchen offset=2 ").contains("temperature=71 humidity=39");
        assertThat(lines.get(1)).contains("sensor=bedroom offset=1 ").contains("temperature=68 humidity=35");
        assertThat(lines.get(2)).contains("sensor=kitchen offset=1 ").contains("temperature=70 humidity=40");

        // the reading log writes its lines on its own thread, after the events were stored and ACKed
        SinkDistribution.await("the server's three 'reading from' lines", SinkDistribution.CHANGE,
                () -> readingLines().size() >= 3);
        List<String> logged = readingLines();
        assertThat(logged).hasSize(3);
        assertThat(logged.get(0)).containsPattern("sensor=kitchen offset=1 timestamp=\\d+ temperature=70 humidity=40");
        assertThat(logged.get(1)).containsPattern("sensor=bedroom offset=1 timestamp=\\d+ temperature=68 humidity=35");
        assertThat(logged.get(2)).containsPattern("sensor=kitchen offset=2 timestamp=\\d+ temperature=71 humidity=39");
        assertThat(sink.execOk("server", "sink:clients")).startsWith("1 client connected to 127.0.0.1:" + sink.port)
                .contains(CLIENT_ID);
    }

    @Test
    @Order(6)
    void residentMemoryOfIdleInstances() {
        long serverKib = sink.residentKib("server");
        long clientKib = sink.residentKib("client");
        System.out.printf("MEMORY idle after start and delivery: server VmRSS %d KiB (%d MiB), client VmRSS %d KiB "
                + "(%d MiB) (bin/sink defaults: server -Xmx512m, client -Xmx64m; SINK_SERVER_MEMORY, SINK_CLIENT_MEMORY)%n", serverKib,
                serverKib / 1024, clientKib, clientKib / 1024);
        assertThat(serverKib).isPositive();
        assertThat(clientKib).isPositive();
    }

    @Test
    @Order(7)
    void bothStopCleanly() {
        sink.stop("client");
        sink.stop("server");
        assertThat(sink.log("client")).doesNotContain("| ERROR |");
        assertThat(sink.log("server")).doesNotContain("| ERROR |");
    }

    /** The server's "reading from example-client: ..." log lines, in order. */
    private List<String> readingLines() {
        return sink.log("server").lines().filter(l -> l.contains("reading from " + CLIENT_ID + ": ")).toList();
    }

    /** The time of the client's first "connected to Sink server" log line at or after {@code after}. */
    private Optional<LocalDateTime> connectedLogLineAfter(LocalDateTime after) {
        Pattern line = Pattern.compile("^(\\S+) \\| INFO .*\\| connected to Sink server ");
        return sink.log("client").lines().map(line::matcher).filter(java.util.regex.Matcher::find)
                .map(m -> LocalDateTime.parse(m.group(1), LOG_TIME)).filter(t -> !t.isBefore(after.withNano(0)))
                .findFirst();
    }
}
