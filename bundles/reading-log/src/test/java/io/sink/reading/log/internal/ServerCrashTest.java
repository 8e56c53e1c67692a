package io.sink.reading.log.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.PublishResult;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.testsupport.Await;
import io.sink.testsupport.RecordingClient;
import io.sink.transport.client.internal.SinkClientEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ACK means durable: the server runs in a child JVM (engine, server-auth, SQLite store, reading
 * log); a client in this JVM publishes readings and records which were ACKed; the child is killed
 * with SIGKILL while events are flowing. Every event ACKed before the kill must be in the database,
 * which must be intact; after a restart on the same database the client delivers the rest, and the
 * database ends with every event exactly once.
 */
class ServerCrashTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CLIENT = "example-client";
    private static final int EVENTS = 4000;

    @TempDir
    Path root;
    @TempDir
    Path pki;

    /** A server child process and the lines of its stdout. */
    private static final class Child implements AutoCloseable {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Path stderr;

        Child(Path root, Path pki, int port, Path stderr) throws IOException {
            this.stderr = stderr;
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    ServerChild.class.getName(), root.toString(), pki.toString(), Integer.toString(port))
                    .redirectError(stderr.toFile())
                    .start();
            Thread pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    lines.add("IOERROR " + e);
                }
            }, "server-child-stdout");
            pump.setDaemon(true);
            pump.start();
        }

        int awaitPort() throws Exception {
            String line = lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (line == null || !line.startsWith("LISTENING ")) {
                throw new AssertionError("the server child did not start (" + line + "); stderr: "
                        + Files.readString(stderr));
            }
            return Integer.parseInt(line.substring("LISTENING ".length()));
        }

        /**
         * SIGKILL: no shutdown hook, no close, nothing flushed by the JVM. Through the ProcessHandle,
         * because Process.destroyForcibly() also closes our end of its pipes.
         */
        void kill() {
            process.toHandle().destroyForcibly();
        }

        void awaitKilled() throws Exception {
            assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(137); // 128 + SIGKILL
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Event reading(int i) {
        return SensorReadingCodec.event("sensor-" + i % 4, i / 4 + 1, 1_700_000_000L + i,
                new SensorReading(i % 100, 40));
    }

    /** Ack keys stored for the client, read with a connection of our own (recovers the WAL). */
    private Set<AckKey> storedKeys() throws Exception {
        Set<AckKey> keys = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ServerHarness.database(root));
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
            try (ResultSet rs = s.executeQuery("SELECT event_type_id, event_key, event_offset FROM received_events"
                    + " WHERE client_id = '" + CLIENT + "'")) {
                while (rs.next()) {
                    keys.add(new AckKey(rs.getLong(1), rs.getBytes(2), rs.getLong(3)));
                }
            }
        }
        return keys;
    }

    @Test
    void everyEventAckedBeforeASigkillIsStoredAndIntactAfterIt() throws Exception {
        ServerHarness.certificates(pki, List.of(CLIENT));
        ServerHarness.allow(root, pki, CLIENT);
        Map<AckKey, Event> events = new LinkedHashMap<>();
        for (int i = 0; i < EVENTS; i++) {
            Event e = reading(i);
            events.put(e.ackKey(), e);
        }
        Set<AckKey> acked = ConcurrentHashMap.newKeySet();
        Set<AckKey> inFlight = ConcurrentHashMap.newKeySet();
        int killAfter = 300 + new Random().nextInt(2000);

        int port;
        Set<AckKey> ackedAtKill;
        try (Child first = new Child(root, pki, 0, root.resolve("child-1.err"))) {
            port = first.awaitPort();
            SinkClientEngine client = new SinkClientEngine(ServerHarness.clientSettings(port).withWindow(500),
                    ServerHarness.clientTls(pki, CLIENT), () -> new RecordingClient(4242));
            try {
                client.start();
                Await.until("connected", WAIT, client::connected);
                // killed from the client's network thread the moment the ACK that reaches the count
                // arrives, while later events are still in flight and being stored
                AtomicBoolean killed = new AtomicBoolean();
                publishUntil(client, events, acked, inFlight, killed::get, () -> {
                    if (acked.size() >= killAfter && killed.compareAndSet(false, true)) {
                        first.kill();
                    }
                });
                first.awaitKilled();
                Await.until("the client noticed", WAIT, () -> !client.connected() && inFlight.isEmpty());
                ackedAtKill = Set.copyOf(acked);
                assertThat(ackedAtKill.size()).isBetween(killAfter, EVENTS - 1);

                Set<AckKey> stored = storedKeys();
                assertThat(stored).as("every event ACKed before the kill is stored").containsAll(ackedAtKill);
                assertThat(stored).isSubsetOf(events.keySet());

                // restart on the same database and port; the client delivers what was not ACKed
                try (Child second = new Child(root, pki, port, root.resolve("child-2.err"))) {
                    assertThat(second.awaitPort()).isEqualTo(port);
                    Await.until("reconnected", WAIT, client::connected);
                    publishUntil(client, events, acked, inFlight, () -> acked.size() == EVENTS, () -> {
                    });
                    Set<AckKey> finallyStored = storedKeys();
                    assertThat(finallyStored).isEqualTo(events.keySet());
                    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ServerHarness.database(root));
                            Statement s = c.createStatement();
                            ResultSet rs = s.executeQuery("SELECT count(*) FROM received_events")) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getLong(1)).as("each event once").isEqualTo(EVENTS);
                    }
                }
            } finally {
                client.stop();
            }
        }
        System.out.printf("crash test: killed after %d ACKs, %d ACKed at the kill, all %d stored once%n", killAfter,
                ackedAtKill.size(), EVENTS);
    }

    /**
     * Publishes every event not yet ACKed nor in flight, as far as the window allows, until
     * {@code done} holds; {@code afterAck} runs on the client's network thread after each ACK is
     * recorded. Failed and NACKed events are published again on the next pass.
     */
    private static void publishUntil(SinkClientEngine client, Map<AckKey, Event> events, Set<AckKey> acked,
            Set<AckKey> inFlight, BooleanSupplier done, Runnable afterAck) {
        // passes over the events while any can be sent; when the window is full or the client is
        // reconnecting, a short wait for answers
        Await.until(() -> "done: " + acked.size() + " ACKed, " + inFlight.size() + " in flight, connected "
                + client.connected(), WAIT.multipliedBy(2), () -> {
                    while (!done.getAsBoolean()) {
                        if (!publishPass(client, events, acked, inFlight, done, afterAck)) {
                            return false;
                        }
                    }
                    return true;
                });
    }

    /** Publishes what the window allows of the events not yet ACKed nor in flight; whether any was sent. */
    private static boolean publishPass(SinkClientEngine client, Map<AckKey, Event> events, Set<AckKey> acked,
            Set<AckKey> inFlight, BooleanSupplier done, Runnable afterAck) {
        boolean sent = false;
        for (Map.Entry<AckKey, Event> e : events.entrySet()) {
            if (done.getAsBoolean() || !client.connected() || client.windowAvailable() == 0) {
                break;
            }
            AckKey key = e.getKey();
            if (acked.contains(key) || !inFlight.add(key)) {
                continue;
            }
            sent = true;
            client.publish(e.getValue()).whenComplete((result, failure) -> {
                if (result instanceof PublishResult.Acked) {
                    acked.add(key);
                    afterAck.run();
                }
                inFlight.remove(key);
            });
        }
        return sent;
    }
}
