package io.sink.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.distribution.SinkDistribution;
import io.sink.interop.RefPeer.LoggedEvent;
import io.sink.interop.RefPeer.Server;
import io.sink.stress.FaultProxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 * Our client (the distribution's client role, driven by {@code bin/sink}) against the original
 * Elixir server ({@code bin/server.sh} of the reference peer), as real processes on loopback. The
 * client uses the reference peer's certificates ({@code client-1}, its CA), so the original server
 * admits it as {@code client-1}. One client runs for the whole class; each test starts the
 * original server in the mode it needs and points the client at it by changing the port in
 * {@code etc/io.sink.transport.client.cfg} (the client reconnects at once).
 *
 * <p>The tests run in order and build on each other (the client's instance ids and its log carry
 * over, as on a real device).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OurClientToOriginalServerIT {
    private static final String CLIENT_ID = "client-1";
    private static final Pattern IDS = Pattern.compile("instance ids   client (\\d+), server (\\S+)");
    private static final Pattern READING = Pattern.compile(
            "837400000002" + "640008" + "68756d6964697479" + "(61[0-9a-f]{2}|62[0-9a-f]{8})" + "64000b"
                    + "74656d7065726174757265" + "(61[0-9a-f]{2}|62[0-9a-f]{8})");
    private static final Duration DRAIN = Duration.ofSeconds(180);

    private SinkDistribution sink;
    private Path work;
    private Path clientCfg;
    private final List<AutoCloseable> running = new ArrayList<>();
    private String clientInstanceId;

    @BeforeAll
    void startTheClient() throws IOException {
        sink = SinkDistribution.unpack(getClass().getSimpleName());
        work = sink.dist.resolveSibling("refpeer");
        Path certs = RefPeer.certs();
        clientCfg = sink.etc("client", "io.sink.transport.client");
        sink.writeCfg(clientCfg, String.join("\n",
                "host = 127.0.0.1",
                "port = " + SinkDistribution.freePort(), // nothing there yet
                "applicationVersion = 1.0.0",
                "certificate = " + certs.resolve("client-1.pem"),
                "privateKey = " + certs.resolve("client-1.key"),
                "trustedCertificates = " + certs.resolve("ca.pem"), ""));
        // part 1 is the original's one-at-a-time behaviour (the default window is larger); part 2 sets 1000
        sink.setProperty(sink.etc("client", "io.sink.poller"), "window", "1");
        sink.start("client");
    }

    @AfterAll
    void stopEverything() {
        for (AutoCloseable c : running) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e);
            }
        }
        if (sink != null) {
            sink.close();
        }
    }

    /** Part 1: readings byte-exact and in log order at window 1; the server's publishes are NACKed. */
    @Test
    @Order(1)
    void readingsArriveByteExactAndInOrderAtWindow1AndServerPublishesAreNacked() throws IOException {
        long before = Instant.now().getEpochSecond();
        // -5 and 300 do not fit a SMALL_INTEGER_EXT: the term has an INTEGER_EXT there
        sink.execOk("client", "sensor:log kitchen 70 40; sensor:log bedroom 68 35; sensor:log kitchen 71 39;"
                + " sensor:log garage -5 100; sensor:log kitchen 300 0");
        long after = Instant.now().getEpochSecond();
        assertThat(sink.clientQueueSize()).isEqualTo(5);

        Server server = server("ack", Map.of("SINK_SERVER_PUBLISH_N", "3"));
        connectTo(server);
        server.awaitOut("connection_response client_id=client-1 response=hello_new_client server_instance_id=777");
        awaitQueueEmpty(Duration.ofSeconds(60));

        List<LoggedEvent> events = server.events();
        List<String[]> expected = List.of(new String[] {"kitchen", "1", reading(70, 40)},
                new String[] {"bedroom", "1", reading(68, 35)}, new String[] {"kitchen", "2", reading(71, 39)},
                new String[] {"garage", "1", reading(-5, 100)}, new String[] {"kitchen", "3", reading(300, 0)});
        assertThat(events).as("the server's event log").hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            LoggedEvent e = events.get(i);
            String[] x = expected.get(i);
            assertThat(e.clientId()).isEqualTo(CLIENT_ID);
            assertThat(e.eventTypeId()).isEqualTo(1);
            assertThat(e.keyHex()).as("key of event %d", i).isEqualTo(RefPeer.hex(x[0].getBytes(StandardCharsets.UTF_8)));
            assertThat(e.offset()).as("offset of event %d", i).isEqualTo(x[1]);
            assertThat(e.schemaVersion()).isEqualTo(1);
            assertThat(e.dataHex()).as("the Erlang term of event %d", i).isEqualTo(x[2]);
            assertThat(e.timestamp()).as("Unix seconds").isBetween(before, after);
            assertThat(e.answer()).isEqualTo("ack");
        }

        // the server's 3 publishes: answered, each with the NACK the README documents
        server.awaitOut("server acked 0/3 client_id=client-1 nacked=3");
        assertThat(server.count("nack received client_id=client-1 ack_key={1, \"server-")).isEqualTo(3);
        assertThat(server.out()).contains("machine=\"unsupported\" human=\"this client accepts no events from the server\"");

        String status = sink.execOk("client", "sink:status");
        Matcher ids = IDS.matcher(status);
        assertThat(ids.find()).as(status).isTrue();
        assertThat(ids.group(2)).isEqualTo("777");
        clientInstanceId = ids.group(1);
        assertThat(server.out()).contains("client_instance_id=" + clientInstanceId);
        assertThat(status).startsWith("connected      true\n").contains("published      5, acked 5, nacked 0");
        server.close();
    }

    /** Part 1: the client restarted presents both ids and the original answers connected. */
    @Test
    @Order(2)
    void aRestartedClientIsAKnownInstance() throws IOException {
        Server server = server("ack", Map.of("SINK_SERVER_KNOWN_CLIENTS", CLIENT_ID + "=" + clientInstanceId()));
        connectTo(server);
        server.awaitOut("response=connected");
        sink.stop("client");
        sink.start("client");
        server.awaitOut("disconnected client_id=client-1");
        awaitCount(server, "connection_response client_id=client-1 response=connected", 2);
        assertThat(server.out()).doesNotContain("hello_new_client").doesNotContain("mismatch");
        sink.execOk("client", "sensor:log kitchen 72 38");
        awaitQueueEmpty(Duration.ofSeconds(60));
        assertThat(server.events()).singleElement().satisfies(e -> {
            assertThat(e.key()).isEqualTo("kitchen");
            assertThat(e.offset()).isEqualTo("4");
            assertThat(e.dataHex()).isEqualTo(reading(72, 38));
        });
        server.close();
    }

    /**
     * Part 1: 10,000 readings or more, logged while offline by simulated sensors, delivered at window
     * 1,000: each exactly once, each sensor's offsets in order without a gap.
     */
    @Test
    @Order(3)
    void tenThousandReadingsAtWindow1000() throws IOException {
        sink.setProperty(sink.etc("client", "io.sink.poller"), "window", "1000");
        int sensors = 10;
        for (int i = 0; i < sensors; i++) {
            sink.writeCfg(sink.etc("client", "io.sink.sensor.simulated-bulk" + i),
                    "name = bulk" + i + "\nperiodMillis = 10\n");
        }
        sink.awaitExec("client", "sink:queue-size", r -> r.status() == 0 && Long.parseLong(r.out().trim()) >= 10_000,
                Duration.ofSeconds(180));
        for (int i = 0; i < sensors; i++) {
            sink.delete(sink.etc("client", "io.sink.sensor.simulated-bulk" + i));
        }
        // every simulated sensor deactivated (its thread stopped and awaited): the queue stays as it is
        sink.awaitExec("client", "scr:list", r -> r.status() == 0 && Pattern.compile(
                "SimulatedSensorComponent in bundle \\d+ \\([^)]*\\) enabled, 0 instances").matcher(r.out()).find(),
                SinkDistribution.CHANGE);
        long queued = sink.clientQueueSize();
        assertThat(queued).isGreaterThanOrEqualTo(10_000);

        Server server = server("ack", Map.of("SINK_SERVER_KNOWN_CLIENTS", CLIENT_ID + "=" + clientInstanceId()));
        long start = System.nanoTime();
        connectTo(server);
        awaitQueueEmpty(DRAIN);
        long millis = SinkDistribution.millisSince(start);
        System.out.printf("our client -> original server: %d readings at window 1000 in %d ms (%.0f events/s,"
                + " from the port change to queue 0)%n", queued, millis, queued * 1000.0 / millis);

        List<LoggedEvent> events = server.events();
        assertThat(events).as("every reading exactly once").hasSize((int) queued);
        Map<String, Long> next = new HashMap<>();
        for (LoggedEvent e : events) {
            assertThat(e.key()).startsWith("bulk");
            long expectedOffset = next.getOrDefault(e.key(), 1L);
            assertThat(e.offset()).as("offset of %s after %d", e.key(), expectedOffset - 1)
                    .isEqualTo(String.valueOf(expectedOffset));
            next.put(e.key(), expectedOffset + 1);
            assertThat(e.dataHex()).matches(READING);
            assertThat(e.answer()).isEqualTo("ack");
        }
        assertThat(next).hasSize(sensors);
        assertThat(server.count("connection_response client_id=client-1")).isEqualTo(1);
        server.close();
    }

    /**
     * Part 1: the original server restarted without its memory of instance ids answers
     * instance_id_mismatch. Our client keeps its ids and its events, says why in sink:status, and
     * connects again once the server knows it (here: the server's memory restored).
     */
    @Test
    @Order(4)
    void anOriginalServerWithoutMemoryAnswersMismatchAndTheClientKeepsItsEvents() throws IOException {
        Server forgetful = server("ack", Map.of("SINK_SERVER_REMEMBER_CLIENTS", "0"));
        sink.execOk("client", "sensor:log kitchen 73 37");
        connectTo(forgetful);
        forgetful.awaitOut("instance_id_mismatch");
        String status = awaitStatus("instance_id_mismatch");
        assertThat(status).startsWith("connected      false (the server refused the connection: instance_id_mismatch"
                + " (this client presented client instance id " + clientInstanceId() + " and server instance id 777");
        assertThat(status).contains("instance ids   client " + clientInstanceId() + ", server 777");
        assertThat(sink.clientQueueSize()).isEqualTo(1);
        assertThat(forgetful.events()).isEmpty();
        assertThat(sink.log("client")).contains("WARN").contains("instance_id_mismatch");
        forgetful.close();

        Server restored = server("ack", Map.of("SINK_SERVER_KNOWN_CLIENTS", CLIENT_ID + "=" + clientInstanceId()));
        connectTo(restored);
        restored.awaitOut("response=connected");
        awaitQueueEmpty(Duration.ofSeconds(60));
        assertThat(restored.events()).singleElement().satisfies(e -> assertThat(e.dataHex()).isEqualTo(reading(73, 37)));
        restored.close();
    }

    /** Part 1: quarantined: nothing is published, sink:status says so and gives the server's reason. */
    @Test
    @Order(5)
    void quarantinedTheClientPublishesNothingAndSaysWhy() throws IOException {
        sink.execOk("client", "sensor:log kitchen 74 36");
        long published = published();
        Server server = server("quarantine", Map.of("SINK_QUARANTINE_HUMAN", "device reported stolen"));
        connectTo(server);
        server.awaitOut("response=quarantined machine=\"quarantined\" human=\"device reported stolen\"");
        String status = awaitStatus("quarantined");
        assertThat(status).startsWith("connected      false (the server quarantined this client: device reported stolen");
        assertThat(sink.execOk("client", "sink:connected")).isEqualTo("false\n");
        assertThat(sink.clientQueueSize()).isEqualTo(1);
        assertThat(published()).isEqualTo(published);
        assertThat(sink.log("client")).contains("the server quarantined this client: device reported stolen");
        server.close(); // after the close: nothing can have reached it any more
        assertThat(server.events()).as("events the quarantined client published").isEmpty();
    }

    /** Part 1: an unsupported application version: nothing is published, sink:status says so. */
    @Test
    @Order(6)
    void anUnsupportedApplicationVersionIsRefusedAndSaid() throws IOException {
        long published = published();
        Server server = server("reject_app_version", Map.of());
        connectTo(server);
        server.awaitOut("unsupported_application_version");
        String status = awaitStatus("unsupported_application_version");
        assertThat(status).startsWith("connected      false (the server refused the connection:"
                + " unsupported_application_version");
        assertThat(sink.clientQueueSize()).isEqualTo(1);
        assertThat(published()).isEqualTo(published);
        server.close();
        assertThat(server.events()).isEmpty();
    }

    /** Part 1: a NACK parks the stream; sink:resume sends the event again, then the rest in order. */
    @Test
    @Order(7)
    void aNackParksTheStreamAndResumeResumesIt() throws IOException {
        Map<String, String> known = Map.of("SINK_SERVER_KNOWN_CLIENTS", CLIENT_ID + "=" + clientInstanceId());
        Server nacking = server("nack_key", known);
        connectTo(nacking);
        nacking.awaitOut("response=connected");
        String status = awaitStatus("PARKED by 1 NACK(s)");
        assertThat(status).startsWith("connected      true\n");
        assertThat(sink.execOk("client", "sink:nacks")).contains("event (1, \"kitchen\", 6)")
                .contains("machine message \"rejected-key\", human message \"reference server NACKs this key\"");
        assertThat(nacking.events()).singleElement().satisfies(e -> {
            assertThat(e.offset()).isEqualTo("6");
            assertThat(e.answer()).isEqualTo("nack");
        });
        sink.execOk("client", "sensor:log kitchen 75 35"); // behind the parked one: not sent
        nacking.close();

        Server acking = server("ack", known);
        connectTo(acking);
        acking.awaitOut("response=connected");
        awaitStatus("PARKED by 1 NACK(s)"); // parking outlives the connection
        assertThat(sink.clientQueueSize()).isEqualTo(2);
        assertThat(acking.events()).as("sent by a parked stream").isEmpty();
        assertThat(sink.execOk("client", "sink:resume default")).isEqualTo("stream default resumed\n");
        awaitQueueEmpty(Duration.ofSeconds(60));
        List<LoggedEvent> events = acking.events();
        assertThat(events).extracting(LoggedEvent::offset).containsExactly("6", "7");
        assertThat(events).extracting(LoggedEvent::dataHex).containsExactly(reading(74, 36), reading(75, 35));
        assertThat(sink.execOk("client", "sink:nacks")).isEqualTo("no stream is parked\n");
        acking.close();
    }

    /**
     * Part 1: a 2 s keepalive on both sides: an idle link stays up for 10 s (our client pings, the
     * original answers), and a link that stops forwarding (a stalled proxy) is detected by our client.
     */
    @Test
    @Order(8)
    void keepaliveKeepsAnIdleLinkAndDetectsAStalledOne() throws IOException {
        Map<String, String> variables = new HashMap<>();
        variables.put("SINK_SERVER_KNOWN_CLIENTS", CLIENT_ID + "=" + clientInstanceId());
        variables.put("SINK_KEEPALIVE_MS", "2000");
        Server server = server("ack", variables);
        FaultProxy proxy = FaultProxy.start("127.0.0.1", server.port);
        running.add(proxy);
        sink.setProperty(clientCfg, "keepaliveMillis", "2000");
        connectTo(server, proxy.port());
        server.awaitOut("response=connected");
        awaitStatus("connected      true");

        long upBefore = proxy.bytesUp();
        long downBefore = proxy.bytesDown();
        int downsBefore = count(sink.log("client"), "disconnected from Sink server");
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(10)); // the idle period under test
        assertThat(server.out()).as("the server dropped nobody").doesNotContain("disconnected client_id");
        assertThat(server.count("connection_response client_id=client-1")).isEqualTo(1);
        assertThat(proxy.acceptedConnections()).isEqualTo(1);
        assertThat(count(sink.log("client"), "disconnected from Sink server")).isEqualTo(downsBefore);
        assertThat(sink.execOk("client", "sink:connected")).isEqualTo("true\n");
        // pings up and pongs down kept it alive: 10 s at one PING per 2 s idle is at least 3 of each
        assertThat(proxy.bytesUp() - upBefore).as("bytes from our client (PINGs in TLS records)").isGreaterThan(3 * 20);
        assertThat(proxy.bytesDown() - downBefore).as("bytes from the server (PONGs)").isGreaterThan(3 * 20);

        long stalled = System.nanoTime();
        proxy.stall(Duration.ofSeconds(30));
        SinkDistribution.await("our client detects the stalled link", Duration.ofSeconds(15),
                () -> count(sink.log("client"), "disconnected from Sink server") > downsBefore);
        long detectedMillis = SinkDistribution.millisSince(stalled);
        System.out.printf("our client detected the stalled link after %d ms (keepalive 2000 ms)%n", detectedMillis);
        assertThat(sink.log("client")).contains("the peer is dead or the link stalled");
        assertThat(detectedMillis).as("dead after 1.5 K = 3 s without a frame, checked every K/2").isLessThan(6_000);
        proxy.resume();
        awaitCount(server, "connection_response client_id=client-1 response=connected", 2);
        awaitStatus("connected      true");
        proxy.close();
        server.close();
    }

    // ------------------------------------------------------------------------------------ helpers

    private Server server(String mode, Map<String, String> variables) throws IOException {
        Map<String, String> all = new HashMap<>(variables);
        all.put("SINK_SERVER_MODE", mode);
        Server server = Server.start(work, "server-" + (running.size() + 1) + "-" + mode, all);
        running.add(server);
        return server;
    }

    private void connectTo(Server server) {
        connectTo(server, server.port);
    }

    /** Points the client at {@code port}: it reconnects at once; waits for the server to see the request. */
    private void connectTo(Server server, int port) {
        int requests = server.count("connection_request client_id=" + CLIENT_ID);
        sink.setProperty(clientCfg, "port", String.valueOf(port));
        awaitCount(server, "connection_request client_id=" + CLIENT_ID, requests + 1);
    }

    private static void awaitCount(Server server, String text, int atLeast) {
        SinkDistribution.await(atLeast + " x '" + text + "' from " + server + "; it said:\n" + server.out(),
                SinkDistribution.CHANGE, () -> server.count(text) >= atLeast);
    }

    private void awaitQueueEmpty(Duration timeout) {
        sink.awaitExec("client", "sink:queue-size", r -> r.status() == 0 && r.out().equals("0\n"), timeout);
    }

    private String awaitStatus(String text) {
        return sink.awaitExec("client", "sink:status", r -> r.status() == 0 && r.out().contains(text),
                SinkDistribution.CHANGE).out();
    }

    private String clientInstanceId() {
        assertThat(clientInstanceId).as("the client instance id, learned by the first test").isNotNull();
        return clientInstanceId;
    }

    private long published() {
        Matcher m = Pattern.compile("published      (\\d+),").matcher(sink.execOk("client", "sink:status"));
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + part.length())) {
            n++;
        }
        return n;
    }

    /**
     * {@code :erlang.term_to_binary(%{temperature: t, humidity: h})} as OTP 25 writes it, built here by
     * hand from the external term format: a map of 2 (keys sorted), ATOM_EXT keys, SMALL_INTEGER_EXT
     * for 0..255, INTEGER_EXT (32-bit two's complement) otherwise.
     */
    static String reading(int temperature, int humidity) {
        return "83" + "74" + "00000002" + "64" + "0008" + RefPeer.hex("humidity".getBytes(StandardCharsets.US_ASCII))
                + integer(humidity) + "64" + "000b" + RefPeer.hex("temperature".getBytes(StandardCharsets.US_ASCII))
                + integer(temperature);
    }

    private static String integer(int value) {
        return value >= 0 && value <= 255 ? String.format("61%02x", value) : String.format("62%08x", value);
    }
}
