package io.sink.distribution;

import static io.sink.distribution.SinkDistribution.CHANGE;
import static io.sink.distribution.SinkDistribution.CLIENT_ID;
import static io.sink.distribution.SinkDistribution.bundleId;
import static io.sink.distribution.SinkDistribution.bundles;
import static io.sink.distribution.SinkDistribution.millisSince;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A newer build of the sensor bundle copied into the client's {@code deploy/} while a simulated
 * sensor logs a reading every 150 ms and the readings flow to the server: FileInstall updates the
 * running bundle in place (same bundle id, the new build's manifest), the sensor carries on, and
 * the server ends up with every reading exactly once, its offsets without a gap (read from the
 * server's SQLite database after it stopped).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HotDeployIT {
    private static final String SENSOR = "hot";
    private static final Pattern LAST_OFFSET = Pattern.compile("^" + SENSOR + " #(\\d+) at ");
    private SinkDistribution sink;

    @BeforeAll
    void unpack() throws IOException {
        sink = SinkDistribution.unpack("HotDeployIT").withCertificates();
    }

    @AfterAll
    void killEverything() {
        if (sink != null) {
            sink.close();
        }
    }

    @Test
    void aNewerSensorBuildInDeployReplacesTheRunningBundleWithoutLosingOrRepeatingAReading() throws Exception {
        sink.start("server");
        sink.start("client");
        sink.awaitConnected();
        Path sensorCfg = sink.etc("client", "io.sink.sensor.simulated-" + SENSOR);
        sink.writeCfg(sensorCfg, "name = " + SENSOR + "\nperiodMillis = 150\n");
        sink.awaitServerEventCount(5);

        String lb = sink.execOk("client", "lb");
        int sensorBundle = bundleId(lb, "Sink Sensor Example");
        String before = sink.execOk("client", "(bundle " + sensorBundle + ") lastModified");
        long offsetBefore = lastOffset();

        Path newer = sink.rebuild(sink.shippedJar("sink-sensor"), Map.of("Sink-Test-Build", "hot-deploy"));
        long copied = System.nanoTime();
        sink.deploy("client", newer, "sink-sensor.jar");
        sink.awaitExec("client", "(bundle " + sensorBundle + ") lastModified",
                r -> r.status() == 0 && !r.out().equals(before), CHANGE);
        System.out.printf("client: sensor bundle updated from deploy/ %d ms after the copy%n", millisSince(copied));

        // the same bundle, now the newer build, and nothing installed beside it
        lb = sink.execOk("client", "lb");
        assertThat(bundleId(lb, "Sink Sensor Example")).isEqualTo(sensorBundle);
        assertThat(bundles(lb)).allSatisfy(b -> assertThat(b[1]).as("state of %s", b[3]).isEqualTo("Active"));
        assertThat(sink.execOk("client", "headers " + sensorBundle)).contains("Sink-Test-Build = hot-deploy");
        assertThat(sink.log("client"))
                .contains("A bundle with the same symbolic name (io.sink.sensor) and version");

        // readings keep being logged by the new build and keep reaching the server
        long storedAfterUpdate = sink.serverEventCount();
        sink.awaitExec("client", "sensor:last " + SENSOR, r -> offsetIn(r.out()) >= offsetBefore + 10, CHANGE);
        sink.awaitServerEventCount(storedAfterUpdate + 5);
        long starts = occurrences(sink.log("client"), "simulated sensor " + SENSOR + " started");
        assertThat(starts).as("the simulated sensor started by the old and the new build").isGreaterThanOrEqualTo(2);

        // stop the sensor, let the queue drain
        sink.delete(sensorCfg);
        sink.await("the simulated sensor stopped", CHANGE,
                () -> occurrences(sink.log("client"), "simulated sensor " + SENSOR + " stopped after") == starts);
        long last = lastOffset();
        sink.awaitOutput("client", "sink:queue-size", "0");
        sink.awaitServerEventCount(last);
        assertThat(sink.serverEventCount()).isEqualTo(last);
        System.out.printf("client: %d readings of sensor %s, %d of them before the update%n", last, SENSOR,
                offsetBefore);

        sink.stop("client");
        sink.stop("server");
        List<Long> offsets = sink.storedOffsets(SENSOR);
        assertThat(offsets).as("offsets stored by the server, in order").isEqualTo(
                LongStream.rangeClosed(1, last).boxed().toList());
        long logged = sink.log("server").lines()
                .filter(l -> l.contains("reading from " + CLIENT_ID + ": sensor=" + SENSOR + " ")).count();
        assertThat(logged).as("'reading from' lines in the server's log").isEqualTo(last);
        assertThat(sink.log("client")).doesNotContain("| ERROR |");
        assertThat(sink.log("server")).doesNotContain("| ERROR |");
    }

    private long lastOffset() {
        return offsetIn(sink.execOk("client", "sensor:last " + SENSOR));
    }

    private static long offsetIn(String lastReading) {
        Matcher m = LAST_OFFSET.matcher(lastReading);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static long occurrences(String text, String part) {
        return text.lines().filter(l -> l.contains(part)).count();
    }
}
