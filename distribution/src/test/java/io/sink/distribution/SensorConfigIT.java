package io.sink.distribution;

import static io.sink.distribution.SinkDistribution.CHANGE;
import static io.sink.distribution.SinkDistribution.CLIENT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import io.sink.distribution.SinkDistribution.Result;
import java.io.IOException;
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
 * Sensors configured from the server (issue 15), with real server and client processes: a sensor
 * added with {@code sink:sensor-add} on the server reaches the client over Sink, is applied through
 * Configuration Admin, and its readings, keyed by the sensor's uuid, reach the server; a client that
 * is stopped while a sensor is added gets it when it starts again; a removal stops the readings.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SensorConfigIT {
    private static final Pattern ADDED = Pattern.compile("^added ([0-9a-f-]{36}) ");

    private SinkDistribution sink;
    private String hall;
    private String cellar;

    @BeforeAll
    void startBoth() throws IOException {
        sink = SinkDistribution.unpack("SensorConfigIT").withCertificates();
        sink.start("server");
        sink.start("client");
        sink.awaitConnected();
    }

    @AfterAll
    void killEverything() {
        if (sink != null) {
            sink.close();
        }
    }

    private String add(String name) {
        String out = sink.execOk("server", "sink:sensor-add " + CLIENT_ID + " " + name + " 500");
        Matcher m = ADDED.matcher(out);
        assertThat(m.find()).as("a uuid in %s", out).isTrue();
        return m.group(1);
    }

    private Result awaitContains(String role, String command, String expected) {
        return sink.awaitExec(role, command, r -> r.status() == 0 && r.out().contains(expected), CHANGE);
    }

    private Result awaitReadingOf(String uuid) {
        return sink.awaitExec("server", "sink:events " + CLIENT_ID + " 20",
                r -> r.status() == 0 && r.out().contains("sensor=" + uuid), CHANGE);
    }

    @Test
    @Order(1)
    void aSensorAddedOnTheServerLogsOnTheClientWithinSeconds() {
        long start = System.nanoTime();
        hall = add("Hall");
        awaitReadingOf(hall);
        long millis = SinkDistribution.millisSince(start);
        System.out.println("SensorConfigIT: from sink:sensor-add to the first reading on the server: " + millis + " ms");
        assertThat(millis).as("from sink:sensor-add to a reading on the server").isLessThan(15_000);

        awaitContains("server", "sink:sensors " + CLIENT_ID, hall + " \"Hall\" simulated 500 ms ACKED");
        assertThat(sink.execOk("client", "sensor:list")).contains("server \"" + hall + "\" label \"Hall\" every 500 ms");

        // refusals reach the operator, escaped, with the usage
        Result refused = sink.exec("server", "sink:sensor-add nobody Hall");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("client \"nobody\" is not admitted by this server")
                .contains("usage: sink:sensor-add <client-id> <name>");
        refused = sink.exec("server", "sink:sensor-period " + CLIENT_ID + " " + hall + " 5");
        assertThat(refused.err()).contains("period 5 is out of range");
        sink.execOk("server", "sink:sensor-rename " + CLIENT_ID + " " + hall + " Main-hall");
        awaitContains("client", "sensor:list", "server \"" + hall + "\" label \"Main-hall\" every 500 ms");
    }

    @Test
    @Order(2)
    void aClientStoppedWhileASensorIsAddedGetsItOnRestartEvenAfterAServerRestart() {
        sink.stop("client");
        awaitContains("server", "sink:connected " + CLIENT_ID, "false");
        cellar = add("Cellar");
        assertThat(sink.execOk("server", "sink:sensors " + CLIENT_ID)).contains(cellar + " \"Cellar\" simulated 500 ms QUEUED");

        // the server restarts meanwhile: the queued event is in its database, not in memory
        sink.stop("server");
        sink.start("server");
        awaitContains("server", "sink:sensors " + CLIENT_ID, cellar + " \"Cellar\" simulated 500 ms QUEUED");

        sink.start("client");
        awaitReadingOf(cellar);
        awaitContains("server", "sink:sensors " + CLIENT_ID, cellar + " \"Cellar\" simulated 500 ms ACKED");
        // the sensor added before the restart came back from the client's Configuration Admin (data/config)
        assertThat(sink.execOk("client", "sensor:list")).contains("server \"" + hall + "\"");
    }

    @Test
    @Order(3)
    void removingASensorStopsItsReadings() {
        long linesBefore = sink.log("client").lines().count();
        assertThat(sink.execOk("server", "sink:sensor-remove " + CLIENT_ID + " " + hall)).contains("removed");
        // (the client's stop in the previous test stopped it once already: only lines after the removal count)
        SinkDistribution.await("the client stops the removed sensor", CHANGE, () -> sink.log("client").lines()
                .skip(linesBefore).anyMatch(l -> l.contains("simulated sensor " + hall + " stopped")));
        sink.awaitExec("server", "sink:sensors " + CLIENT_ID, r -> r.status() == 0 && !r.out().contains(hall),
                CHANGE);
        assertThat(sink.execOk("client", "sensor:list")).doesNotContain(hall).contains(cellar);
        assertThat(sink.execOk("server", "scr:list")).doesNotContain("FAILED")
                .containsPattern("SensorDirectoryComponent .*\\n\\s+Id: \\d+, State:ACTIVE");
        assertThat(sink.execOk("client", "scr:list")).doesNotContain("FAILED")
                .containsPattern("SensorConfigComponent .*\\n\\s+Id: \\d+, State:ACTIVE");
        // the cellar reads every 500 ms: once its readings are the latest 10, no hall reading came among them
        sink.awaitExec("server", "sink:events " + CLIENT_ID + " 10", r -> r.status() == 0
                && r.out().lines().filter(l -> l.contains("sensor=" + cellar)).count() == 10, CHANGE);
    }
}
