package io.sink.benchmarks.delivery;

import io.sink.api.Event;
import io.sink.api.PublishResult;
import io.sink.api.client.ClientHandler;
import io.sink.benchmarks.transport.FixedClientHandler;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.testsupport.MemoryRegistry;
import io.sink.tls.SslContexts;
import io.sink.tls.TlsConfig;
import io.sink.transport.client.internal.ClientSettings;
import io.sink.transport.client.internal.SinkClientEngine;
import io.sink.transport.server.internal.ServerSettings;
import io.sink.transport.server.internal.SinkServerEngine;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What bounds delivery at small windows, measured on this machine: every window's worth of events
 * waits for one server fsync and one round trip, so at most {@code window / (fsync + round trip)}
 * events/s (issue 13's bound). A SQLite commit (WAL, {@code synchronous=FULL}) is measured too: it is
 * the fsync plus SQLite's own work, what the server's group commit really waits for.
 *
 * <p>Each is measured warm, as the drains it bounds are (after their warm-up): the JIT has compiled
 * the JDBC, TLS and engine paths before the samples are taken.
 */
final class Bounds {
    /** Medians in milliseconds. */
    record Measured(double fsyncMillis, double commitMillis, double roundTripMillis) {
        /** The most events/s a window allows when each window waits for one fsync and one round trip. */
        double bound(int window) {
            return window * 1000.0 / (fsyncMillis + roundTripMillis);
        }

        /** The same with a SQLite commit in place of the fsync. */
        double commitBound(int window) {
            return window * 1000.0 / (commitMillis + roundTripMillis);
        }

        /**
         * What a delivery that runs at {@code eventsPerSecond} without storage (the original's, measured in
         * the same run) would reach if each of its windows also waited for one SQLite commit: its time per
         * window plus the commit. Unlike {@link #bound}, this counts what a window's events cost besides
         * the fsync and one bare round trip (the codec, TLS, the peers' threads), as one implementation of
         * the protocol measured it here.
         */
        double withCommit(int window, double eventsPerSecond) {
            return window * 1000.0 / (window * 1000.0 / eventsPerSecond + commitMillis);
        }
    }

    private Bounds() {
    }

    static Measured measure(Path dir, TlsConfig serverTls, TlsConfig clientTls) throws Exception {
        Files.createDirectories(dir);
        return new Measured(fsyncMillis(dir.resolve("fsync.bin"), 300),
                commitMillis(dir.resolve("commit.db"), 2000, 1000), roundTripMillis(serverTls, clientTls, 20_000, 5000));
    }

    /** Median time to write 4 KiB and {@code force} it (fdatasync), in the benchmark's directory. */
    static double fsyncMillis(Path file, int n) throws Exception {
        double[] ms = new double[n];
        ByteBuffer page = ByteBuffer.allocate(4096);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int i = 0; i < n; i++) {
                page.clear();
                long t = System.nanoTime();
                ch.write(page, (long) (i % 64) * 4096);
                ch.force(false);
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
        }
        return median(ms);
    }

    /**
     * Median time of one SQLite commit of one small row, WAL and {@code synchronous=FULL}, as each of the
     * server's group commits, after {@code warmUp} commits.
     */
    static double commitMillis(Path db, int warmUp, int n) throws Exception {
        double[] ms = new double[n];
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=FULL");
                s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
                for (int i = 0; i < warmUp + n; i++) {
                    long t = System.nanoTime();
                    ps.setBytes(1, new byte[40]);
                    ps.executeUpdate();
                    c.commit();
                    if (i >= warmUp) {
                        ms[i - warmUp] = (System.nanoTime() - t) / 1e6;
                    }
                }
            }
        }
        return median(ms);
    }

    /**
     * Median time from PUBLISH to ACK of one event at a time, through our client and server engines
     * over mutual TLS on loopback, the server ACKing on receipt (no storage); after {@code warmUp} events.
     * Each next PUBLISH is made where the ACK of the one before completes (the client's network thread),
     * as the poller does, so no application thread's wake-up is counted in.
     */
    static double roundTripMillis(TlsConfig serverTls, TlsConfig clientTls, int warmUp, int n) throws Exception {
        MemoryRegistry registry = new MemoryRegistry(1);
        SinkServerEngine server = new SinkServerEngine(ServerSettings.defaults(0), SslContexts.forServer(serverTls),
                () -> cert -> Optional.of("round-trip"), () -> registry,
                () -> (clientId, event) -> CompletableFuture.completedFuture(Optional.empty()));
        int port = server.start().getPort();
        ClientHandler handler = new FixedClientHandler();
        SinkClientEngine client = new SinkClientEngine(ClientSettings.defaults("127.0.0.1", port),
                SslContexts.forClient(clientTls), () -> handler);
        try {
            client.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!client.connected()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("round trip: the client did not connect: " + client.problem());
                }
                Thread.sleep(10); // polling the connection state, bounded by the deadline
            }
            byte[] reading = SensorReadingCodec.encode(new SensorReading(70, 40));
            double[] ms = new double[n];
            CompletableFuture<Void> done = new CompletableFuture<>();
            new Object() {
                void publish(int i) {
                    if (i == warmUp + n) {
                        done.complete(null);
                        return;
                    }
                    long t = System.nanoTime();
                    client.publish(Event.of(1, 1, "kitchen", i + 1, 1_700_000_000L, reading))
                            .whenComplete((result, failure) -> {
                                if (failure != null || !(result instanceof PublishResult.Acked)) {
                                    done.completeExceptionally(new IllegalStateException("round trip: not ACKed: "
                                            + (failure != null ? failure : result)));
                                    return;
                                }
                                if (i >= warmUp) {
                                    ms[i - warmUp] = (System.nanoTime() - t) / 1e6;
                                }
                                publish(i + 1);
                            });
                }
            }.publish(0);
            done.get(5, TimeUnit.MINUTES);
            return median(ms);
        } finally {
            client.stop();
            server.stop();
        }
    }

    /** The median of {@code values} (the upper of the middle two for an even count). */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
