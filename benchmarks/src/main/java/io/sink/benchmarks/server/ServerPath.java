package io.sink.benchmarks.server;

import io.sink.api.PublishResult;
import io.sink.api.client.ClientHandler;
import io.sink.benchmarks.transport.FixedClientHandler;
import io.sink.reading.log.internal.LogLines;
import io.sink.reading.log.internal.ReadingLogServer;
import io.sink.server.store.internal.SqliteReceivedEventStore;
import io.sink.sqlite.AriesSqlite;
import io.sink.sqlite.SqliteSettings;
import io.sink.testsupport.MemoryRegistry;
import io.sink.tls.DevCertificates;
import io.sink.tls.SslContexts;
import io.sink.transport.client.internal.ClientSettings;
import io.sink.transport.client.internal.SinkClientEngine;
import io.sink.transport.server.internal.ServerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * {@link ServerStoreBenchmark} with {@code via=tls}: the events go through the server engine and the
 * reading log to the store, published from memory by a client engine with a window of {@code batch}.
 */
final class ServerPath {
    private ServerPath() {
    }

    static void run(Path parent, int window, int events, int warmup) throws Exception {
        Path dir = Files.createTempDirectory(parent, "sink-server-path-bench");
        try {
            Path pki = dir.resolve("pki");
            DevCertificates.ensure(pki, List.of(ServerStoreBenchmark.CLIENT));
            SqliteSettings settings = SqliteSettings.builder(dir.resolve("received.db")).build();
            try (AriesSqlite jdbc = new AriesSqlite(settings, "received events");
                    SqliteReceivedEventStore store = SqliteReceivedEventStore.open(jdbc.executor(), settings,
                            Clock.systemUTC())) {
                ReadingLogServer server = new ReadingLogServer(store,
                        LogLines.of(LoggerFactory.getLogger("io.sink.readings")),
                        ReadingLogServer.STORE_FAILURE_CLOSE_DELAY, ServerSettings.defaults(0),
                        SslContexts.forServer(DevCertificates.serverConfig(pki)),
                        cert -> Optional.of(ServerStoreBenchmark.CLIENT), new MemoryRegistry(1));
                int port = server.start();
                ClientHandler handler = new FixedClientHandler();
                SinkClientEngine client = new SinkClientEngine(ClientSettings.defaults("127.0.0.1", port),
                        SslContexts.forClient(DevCertificates.clientConfig(pki, ServerStoreBenchmark.CLIENT)),
                        () -> handler);
                try {
                    client.start();
                    awaitConnected(client);
                    long offset = publishAll(client, window, warmup, 0);
                    long transactionsBefore = store.writer().transactions();
                    long start = System.nanoTime();
                    publishAll(client, window, events, offset);
                    long nanos = System.nanoTime() - start;
                    long stored = store.count(ServerStoreBenchmark.CLIENT);
                    if (stored != (long) warmup + events) {
                        throw new AssertionError("stored " + stored + " events, expected " + (warmup + events));
                    }
                    ServerStoreBenchmark.print(window, events, nanos, store.writer().transactions()
                            - transactionsBefore);
                } finally {
                    client.stop();
                    server.close();
                }
            }
        } finally {
            ServerStoreBenchmark.delete(dir);
        }
    }

    private static void awaitConnected(SinkClientEngine client) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!client.connected()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the client did not connect within 30 s");
            }
            Thread.sleep(10); // polling the engine's state (the benchmark jar has no Awaitility)
        }
    }

    /** Publishes {@code count} new events with at most {@code window} unanswered; returns the next offset. */
    private static long publishAll(SinkClientEngine client, int window, int count, long offset)
            throws InterruptedException {
        Semaphore permits = new Semaphore(window);
        AtomicLong failures = new AtomicLong();
        for (int i = 0; i < count; i++) {
            permits.acquire();
            client.publish(ServerStoreBenchmark.reading(offset++)).whenComplete((result, error) -> {
                if (!(result instanceof PublishResult.Acked)) {
                    failures.incrementAndGet();
                }
                permits.release();
            });
        }
        permits.acquire(window);
        if (failures.get() > 0) {
            throw new AssertionError(failures.get() + " events were not ACKed");
        }
        return offset;
    }
}
