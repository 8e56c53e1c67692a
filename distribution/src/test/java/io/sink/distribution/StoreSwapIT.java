package io.sink.distribution;

import static io.sink.distribution.SinkDistribution.CHANGE;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The store of a running client swapped by one configuration change, and back, while a simulated
 * sensor logs every 100 ms: {@code eventLog.target} in {@code etc/io.sink.client.outbox.cfg} goes
 * from SQLite to the memory store and back to SQLite. The outbox moves the events not yet
 * acknowledged with their ack keys and continues every key's offsets, so at the server every
 * reading arrives once, the offsets of the sensor are gapless, nothing is refused as a
 * {@code conflicting_event} and no stream is parked. The instance ids stay in SQLite.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoreSwapIT {
    private static final String SQLITE = "(sink.store.type=sqlite)";
    private static final String MEMORY = "(sink.store.type=memory)";
    private static final String SENSOR = "swap";
    private static final Pattern LAST_OFFSET = Pattern.compile("^" + SENSOR + " #(\\d+) at ");
    private SinkDistribution sink;

    @BeforeAll
    void startBoth() throws IOException {
        sink = SinkDistribution.unpack("StoreSwapIT").withCertificates();
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

    @Test
    void oneConfigurationChangeSwapsTheStoreOfARunningClientAndBackWithoutLosingOrRepeatingAReading() {
        String idsBefore = instanceIds(sink.execOk("client", "sink:status"));
        sink.writeCfg(sink.etc("client", "io.sink.store.memory"), "maxEvents = 100000\n");
        sink.awaitExec("client", "scr:list", r -> r.out().matches(
                "(?s).*MemoryEventLogComponent in bundle \\d+ \\([^)]*\\) enabled, 1 instance.*"), CHANGE);
        Path sensorCfg = sink.etc("client", "io.sink.sensor.simulated-" + SENSOR);
        sink.writeCfg(sensorCfg, "name = " + SENSOR + "\nperiodMillis = 100\n");
        sink.awaitServerEventCount(10);

        Path outbox = sink.etc("client", "io.sink.client.outbox");
        assertThat(outbox).as("the distribution ships the outbox's configuration").exists();
        sink.setProperty(outbox, "eventLog.target", MEMORY);
        sink.awaitExec("client", "sink:status", r -> r.out().contains("event log      memory"), CHANGE);
        long atSwap = lastOffset();
        sink.awaitExec("client", "sensor:last " + SENSOR, r -> offsetIn(r.out()) >= atSwap + 20, CHANGE);
        sink.awaitServerEventCount(atSwap + 10);

        sink.setProperty(outbox, "eventLog.target", SQLITE);
        sink.awaitExec("client", "sink:status", r -> r.out().contains("event log      sqlite"), CHANGE);
        long atSwapBack = lastOffset();
        sink.awaitExec("client", "sensor:last " + SENSOR, r -> offsetIn(r.out()) >= atSwapBack + 20, CHANGE);

        sink.delete(sensorCfg);
        sink.await("the simulated sensor stopped", CHANGE,
                () -> sink.log("client").contains("simulated sensor " + SENSOR + " stopped after"));
        long last = lastOffset();
        sink.awaitOutput("client", "sink:queue-size", "0");
        sink.awaitServerEventCount(last);
        assertThat(sink.serverEventCount()).isEqualTo(last);
        assertThat(sink.execOk("client", "sink:nacks")).contains("no stream is parked");
        String status = sink.execOk("client", "sink:status");
        assertThat(status).contains("event log      sqlite").contains("connected      true");
        assertThat(instanceIds(status)).as("the instance ids stay in SQLite").isEqualTo(idsBefore);
        System.out.printf("client: %d readings of sensor %s; swapped to memory after #%d, back to SQLite after #%d%n",
                last, SENSOR, atSwap, atSwapBack);

        String clientLog = sink.log("client");
        assertThat(clientLog).contains("outbox: event log sqlite -> memory").contains("outbox: event log memory -> sqlite")
                .doesNotContain("NACK for").doesNotContain("| ERROR |");
        sink.stop("client");
        sink.stop("server");
        List<Long> offsets = sink.storedOffsets(SENSOR);
        assertThat(offsets).as("offsets stored by the server, in order: each once, gapless").isEqualTo(
                LongStream.rangeClosed(1, last).boxed().toList());
        assertThat(sink.log("server")).doesNotContain("conflicting_event").doesNotContain("| ERROR |");
    }

    private long lastOffset() {
        return offsetIn(sink.execOk("client", "sensor:last " + SENSOR));
    }

    private static long offsetIn(String lastReading) {
        Matcher m = LAST_OFFSET.matcher(lastReading);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** The client's instance id from 'sink:status' ("instance ids   client 123, server 456"). */
    private static String instanceIds(String status) {
        return status.lines().filter(l -> l.startsWith("instance ids")).findFirst()
                .orElseThrow(() -> new AssertionError("no instance ids in " + status))
                .replaceAll(",.*", "");
    }
}
