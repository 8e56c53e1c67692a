package io.sink.distribution;

import static io.sink.distribution.SinkDistribution.CLIENT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The client's event log swapped while the framework runs, by configuration only: the memory
 * store is configured beside the SQLite one, then the sensor, the shell commands and the poller
 * are pointed at it with {@code eventLog.target} in their {@code etc/} files; readings logged then
 * go to the memory store and still reach the server; then everything is pointed back at SQLite.
 * Last, a client restarted with both stores configured still uses SQLite and its instance id.
 *
 * <p>The steps run in order on one unpacked distribution; every process is killed afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StoreSwapIT {
    private static final String SQLITE = "(sink.store.type=sqlite)";
    private static final String MEMORY = "(sink.store.type=memory)";
    private SinkDistribution sink;
    private String clientInstanceId;

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
    @Order(1)
    void readingsGoThroughTheSqliteStoreFirst() {
        assertThat(sink.execOk("client", "sensor:log kitchen 70 40")).startsWith("logged kitchen #1 at ")
                .endsWith("(log sequence 1)\n");
        sink.awaitServerEventCount(1);
        sink.awaitOutput("client", "sink:queue-size", "0");
        String status = sink.execOk("client", "sink:status");
        assertThat(status).contains("event log      sqlite");
        clientInstanceId = instanceIds(status);
    }

    @Test
    @Order(2)
    void theSensorAndTheCommandsSwitchToTheMemoryStore() {
        sink.writeCfg(sink.etc("client", "io.sink.store.memory"), "maxEvents = 1000\n");
        sink.awaitExec("client", "scr:list", r -> r.out().matches(
                "(?s).*MemoryEventLogComponent in bundle \\d+ \\([^)]*\\) enabled, 1 instance.*"), SinkDistribution.CHANGE);
        sink.setProperty(sink.etc("client", "io.sink.client.commands"), "eventLog.target", MEMORY);
        sink.setProperty(sink.etc("client", "io.sink.sensor"), "eventLog.target", MEMORY);
        // the memory log has no reading of kitchen: the sensor service now logs into it
        sink.awaitOutput("client", "sensor:last kitchen", "no reading of sensor kitchen yet");

        // the poller still reads the SQLite log, so these stay in the memory log's queue
        assertThat(sink.execOk("client", "sensor:log garage 60 30")).startsWith("logged garage #1 at ")
                .endsWith("(log sequence 1)\n");
        assertThat(sink.execOk("client", "sensor:log garage 61 31")).startsWith("logged garage #2 at ")
                .endsWith("(log sequence 2)\n");
        // the commands count the memory log's queue (the SQLite one is empty)
        sink.awaitOutput("client", "sink:queue-size", "2");
        assertThat(sink.execOk("client", "sink:next-event")).contains("key=\"garage\"").contains("offset=1,");
        assertThat(sink.execOk("client", "sink:status")).contains("event log      sqlite");
        assertThat(sink.serverEventCount()).isEqualTo(1);
    }

    @Test
    @Order(3)
    void thePollerSwitchesToTheMemoryStoreAndDeliversItsReadings() {
        sink.setProperty(sink.etc("client", "io.sink.poller"), "eventLog.target", MEMORY);
        sink.awaitExec("client", "sink:status", r -> r.out().contains("event log      memory"),
                SinkDistribution.CHANGE);
        sink.awaitOutput("client", "sink:queue-size", "0");
        sink.awaitServerEventCount(3);
        String events = sink.execOk("server", "sink:events " + CLIENT_ID);
        assertThat(events).startsWith(CLIENT_ID + ": 3 events stored")
                .containsPattern("sensor=garage offset=2 timestamp=\\d+ temperature=61 humidity=31")
                .containsPattern("sensor=garage offset=1 timestamp=\\d+ temperature=60 humidity=30")
                .containsPattern("sensor=kitchen offset=1 timestamp=\\d+ temperature=70 humidity=40");
        String status = sink.execOk("client", "sink:status");
        assertThat(status).contains("connected      true");
        // the instance ids stay in the SQLite store (instanceIdStore.target is not changed)
        assertThat(instanceIds(status)).isEqualTo(clientInstanceId);
    }

    @Test
    @Order(4)
    void everythingSwitchesBackToSqlite() {
        sink.setProperty(sink.etc("client", "io.sink.poller"), "eventLog.target", SQLITE);
        sink.setProperty(sink.etc("client", "io.sink.sensor"), "eventLog.target", SQLITE);
        sink.setProperty(sink.etc("client", "io.sink.client.commands"), "eventLog.target", SQLITE);
        sink.awaitExec("client", "sink:status", r -> r.out().contains("event log      sqlite"),
                SinkDistribution.CHANGE);
        // the SQLite log never had a reading of garage, and continues kitchen's offsets
        sink.awaitOutput("client", "sensor:last garage", "no reading of sensor garage yet");
        assertThat(sink.execOk("client", "sensor:log kitchen 72 41")).startsWith("logged kitchen #2 at ")
                .endsWith("(log sequence 2)\n");
        sink.awaitServerEventCount(4);
        sink.awaitOutput("client", "sink:queue-size", "0");
        assertThat(sink.execOk("server", "sink:events " + CLIENT_ID + " 1"))
                .containsPattern("sensor=kitchen offset=2 timestamp=\\d+ temperature=72 humidity=41");
    }

    @Test
    @Order(5)
    void aRestartWithBothStoresConfiguredKeepsTheSqliteStoreAndTheInstanceId() {
        Path memoryCfg = sink.etc("client", "io.sink.store.memory");
        assertThat(memoryCfg).exists();
        sink.stop("client");
        sink.start("client");
        sink.awaitConnected();
        String status = sink.execOk("client", "sink:status");
        assertThat(status).contains("event log      sqlite").contains("connected      true");
        assertThat(instanceIds(status)).isEqualTo(clientInstanceId);
        assertThat(sink.execOk("client", "sensor:last kitchen")).startsWith("kitchen #2 at ");
        assertThat(sink.log("client")).doesNotContain("instance_id_mismatch").doesNotContain("| ERROR |");
        assertThat(sink.log("server")).doesNotContain("| ERROR |");
    }

    /** The client's instance id from 'sink:status' ("instance ids   client 123, server 456"). */
    private static String instanceIds(String status) {
        return status.lines().filter(l -> l.startsWith("instance ids")).findFirst()
                .orElseThrow(() -> new AssertionError("no instance ids in " + status))
                .replaceAll(",.*", "");
    }
}
