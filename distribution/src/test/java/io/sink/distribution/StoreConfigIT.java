package io.sink.distribution;

import static io.sink.distribution.SinkDistribution.CHANGE;
import static io.sink.distribution.SinkDistribution.CLIENT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The stores' configuration edited in {@code etc/} while server and client run (issue 11, "Why" 7:
 * {@code journalMode = BOGUS} used to stop the event log, the poller and the transport, write about
 * 1,370 ERROR/WARN lines and leave {@code sensor:log} failing with a NullPointerException). Now an
 * invalid value is refused in ONE ERROR line naming the PID, the property, the value and why, the
 * store keeps running with its previous configuration, and readings keep reaching the server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StoreConfigIT {
    private SinkDistribution sink;
    private long readings;

    @BeforeAll
    void startBoth() throws IOException {
        sink = SinkDistribution.unpack("StoreConfigIT").withCertificates();
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
    void anInvalidJournalModeOfTheClientsEventLogIsOneErrorAndEverythingKeepsRunning() {
        Path cfg = sink.etc("client", "io.sink.store.sqlite");
        assertDelivered();
        int linesBefore = sink.log("client").lines().toList().size();
        sink.setProperty(cfg, "journalMode", "BOGUS");
        String reason = "configuration io.sink.store.sqlite: journalMode = 'BOGUS' is refused: must be one of WAL,"
                + " DELETE, TRUNCATE, PERSIST; the event log keeps running with its previous configuration";
        sink.awaitLog("client", reason);
        assertDelivered();
        List<String> added = added("client", linesBefore);
        assertThat(added).filteredOn(l -> l.contains("| ERROR |")).singleElement().asString().contains(reason);
        assertThat(added).filteredOn(l -> l.contains("| WARN ")).isEmpty();
        assertThat(sink.execOk("client", "scr:list")).doesNotContain("FAILED")
                .containsPattern("SqliteEventLogComponent .*\\n\\s+Id: \\d+, State:ACTIVE")
                .containsPattern("PollerComponent .*\\n\\s+Id: \\d+, State:ACTIVE");
        assertThat(sink.execOk("client", "sink:connected")).isEqualTo("true\n");

        sink.setProperty(cfg, "journalMode", "WAL");
        sink.awaitLog("client", "io.sink.store.sqlite: configuration unchanged for the event log");
        sink.setProperty(cfg, "maxDatabaseBytes", "banana");
        sink.awaitLog("client", "configuration io.sink.store.sqlite: maxDatabaseBytes = 'banana' is refused: must be a"
                + " whole number");
        assertDelivered();
        sink.setProperty(cfg, "maxDatabaseBytes", "1073741824");
        assertDelivered();
    }

    @Test
    @Order(2)
    void anInvalidValueOfTheServersStoreIsOneErrorAndTheServerKeepsStoring() {
        Path cfg = sink.etc("server", "io.sink.server.store");
        int linesBefore = sink.log("server").lines().toList().size();
        sink.setProperty(cfg, "maxClientBytes", "a lot");
        String reason = "configuration io.sink.server.store: maxClientBytes = 'a lot' is refused: must be a whole number";
        sink.awaitLog("server", reason);
        assertDelivered();
        assertThat(added("server", linesBefore)).filteredOn(l -> l.contains("| ERROR |")).singleElement().asString()
                .contains(reason).contains("the received-event store keeps running with its previous configuration");
        assertThat(sink.execOk("server", "scr:list")).doesNotContain("FAILED");
        sink.setProperty(cfg, "maxClientBytes", "1073741824");
        sink.awaitLog("server", "io.sink.server.store: configuration unchanged for the received-event store");
        assertDelivered();
    }

    private List<String> added(String role, int linesBefore) {
        List<String> lines = sink.log(role).lines().toList();
        return lines.subList(Math.min(linesBefore, lines.size()), lines.size());
    }

    /** A reading logged now reaches the server. */
    private void assertDelivered() {
        readings++;
        assertThat(sink.execOk("client", "sensor:log store " + (60 + readings) + " 40"))
                .startsWith("logged store #" + readings + " at ");
        sink.awaitServerEventCount(readings);
        assertThat(sink.execOk("server", "sink:events " + CLIENT_ID + " 1")).contains("sensor=store offset=" + readings);
    }
}
