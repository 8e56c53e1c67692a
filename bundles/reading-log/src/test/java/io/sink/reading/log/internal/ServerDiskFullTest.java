package io.sink.reading.log.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.Event;
import io.sink.api.PublishResult;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.sqlite.SmallFilesystem;
import io.sink.testsupport.Await;
import io.sink.testsupport.RecordingClient;
import io.sink.transport.client.internal.SinkClientEngine;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's disk fills up while a client delivers, then space returns: the events that could not
 * be stored are neither ACKed nor NACKed (a NACK would park the client's stream until an operator
 * resumed it), the connection is closed, the client reconnects by itself and, once space is back,
 * every event is stored exactly once. Real TLS on loopback, a real 2 MB tmpfs (needs root; skipped
 * otherwise).
 */
class ServerDiskFullTest {
    private static final String CLIENT = "example-client";

    @TempDir
    static Path pki;
    @TempDir
    Path root;
    final RecordingLines lines = new RecordingLines();
    SmallFilesystem disk;
    ServerHarness server;
    SinkClientEngine client;

    @BeforeAll
    static void certificates() throws Exception {
        ServerHarness.certificates(pki, List.of(CLIENT));
    }

    @AfterEach
    void stopAll() throws Exception {
        if (client != null) {
            client.stop();
        }
        if (server != null) {
            server.close();
        }
        if (disk != null) {
            disk.close();
        }
    }

    private static Event reading(long offset) {
        return SensorReadingCodec.event("kitchen", offset, 1_700_000_000L + offset,
                new SensorReading(60 + (int) offset, 40));
    }

    private static PublishResult await(CompletionStage<PublishResult> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void eventsNotStoredForAFullDiskAreNotNackedAndAreStoredOnceAfterSpaceReturns() throws Exception {
        disk = SmallFilesystem.mount(root.resolve("server"), "2m");
        ServerHarness.allow(root, pki, CLIENT);
        server = new ServerHarness(root, pki, 0, "", lines);
        client = server.client(CLIENT, new RecordingClient(101), server.clientSettings());
        Await.until("connected", client::connected);
        Map<Long, PublishResult> results = new TreeMap<>();
        for (long offset = 1; offset <= 5; offset++) {
            results.put(offset, await(client.publish(reading(offset))));
        }
        assertThat(results.values()).allMatch(r -> r instanceof PublishResult.Acked);

        disk.fill();
        List<Long> unanswered = new ArrayList<>();
        for (long offset = 6; offset <= 10; offset++) {
            Await.until("connected", client::connected);
            PublishResult result = await(client.publish(reading(offset)));
            assertThat(result).as("offset %d while the disk is full", offset).isNotInstanceOf(PublishResult.Nacked.class);
            if (!(result instanceof PublishResult.Acked)) {
                unanswered.add(offset);
            }
        }
        assertThat(unanswered).as("events the full disk refused").isNotEmpty();
        assertThat(server.handler.nackCount()).isZero();
        assertThat(server.handler.withheldCount()).isPositive();

        // space returns; the client, reconnected by itself, sends the unanswered events again
        disk.free();
        for (long offset : unanswered) {
            Await.until("connected", client::connected);
            PublishResult result = await(client.publish(reading(offset)));
            if (!(result instanceof PublishResult.Acked)) {
                // the connection condemned while the disk was full may still have been closing: once more
                Await.until("connected", client::connected);
                result = await(client.publish(reading(offset)));
            }
            assertThat(result).as("offset %d after space returned", offset).isInstanceOf(PublishResult.Acked.class);
        }
        assertThat(server.handler.nackCount()).isZero();
        assertThat(server.store.count(CLIENT)).isEqualTo(10);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ServerHarness.database(root));
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(DISTINCT event_offset), count(*) FROM received_events")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(10);
                assertThat(rs.getLong(2)).isEqualTo(10);
            }
            try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
        }
        await("the warning", () -> !lines.texts("WARN").isEmpty());
        assertThat(lines.texts("WARN")).anyMatch(l -> l.contains("could not store") && l.contains("no NACK"));
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) {
        Await.until(what, condition);
    }
}
