package io.sink.reading.log.internal;

import io.sink.api.Event;
import io.sink.api.PublishResult;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.testsupport.Await;
import io.sink.testsupport.RecordingClient;
import io.sink.transport.client.internal.SinkClientEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * Measures how many events per second the server stores (durably, before each ACK) when one client
 * over loopback TLS keeps a window of events in flight. Not a test: run by hand, e.g.
 *
 * <pre>
 * mvn -o -q -f bundles/reading-log/pom.xml dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp bundles/reading-log/target/test-classes:bundles/reading-log/target/classes:$(cat bundles/reading-log/target/cp.txt) \
 *     io.sink.reading.log.internal.ThroughputMain [events] [window] [rounds]
 * </pre>
 *
 * The whole server runs in this JVM (engine, server-auth, SQLite store with WAL and synchronous=FULL,
 * reading log); the database is in a temporary folder (so on the disk of java.io.tmpdir).
 */
public final class ThroughputMain {
    private ThroughputMain() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int window = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path root = Files.createTempDirectory("sink-throughput");
        Path pki = root.resolve("pki");
        try {
            ServerHarness.certificates(pki, List.of("example-client"));
            ServerHarness.allow(root, pki, "example-client");
            run(root, pki, events, window, rounds);
        } finally {
            try (var files = Files.walk(root)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void run(Path root, Path pki, int events, int window, int rounds) throws Exception {
        try (ServerHarness server = new ServerHarness(root, pki, 0, "",
                LogLines.of(LoggerFactory.getLogger("io.sink.readings")))) {
            SinkClientEngine client = new SinkClientEngine(server.clientSettings().withWindow(window),
                    ServerHarness.clientTls(pki, "example-client"), () -> new RecordingClient(1));
            client.start();
            try {
                Await.until("connected", client::connected);
                long offset = 0;
                for (int round = 0; round <= rounds; round++) { // round 0 warms up
                    long transactions = server.store.writer().transactions();
                    long start = System.nanoTime();
                    offset = push(client, window, events, offset);
                    long nanos = System.nanoTime() - start;
                    long used = server.store.writer().transactions() - transactions;
                    System.out.printf("%s: %d events, window %d: %.0f events/s stored and ACKed, %d transactions"
                            + " (%.1f events per commit)%n", round == 0 ? "warm-up" : "round " + round, events,
                            window, events / (nanos / 1e9), used, (double) events / used);
                }
                System.out.printf("stored: %d events in %s%n", server.store.count("example-client"),
                        ServerHarness.database(root));
            } finally {
                client.stop();
            }
        }
    }

    /** Publishes {@code events} readings keeping at most {@code window} in flight; waits for every ACK. */
    private static long push(SinkClientEngine client, int window, int events, long offset) throws Exception {
        Semaphore slots = new Semaphore(window);
        AtomicLong failures = new AtomicLong();
        long next = offset;
        for (int i = 0; i < events; i++) {
            slots.acquire();
            next++;
            Event e = SensorReadingCodec.event("sensor-" + (i % 8), next, 1_700_000_000L + next,
                    new SensorReading(i % 100, 40));
            client.publish(e).whenComplete((result, failure) -> {
                if (!(result instanceof PublishResult.Acked)) {
                    failures.incrementAndGet();
                }
                slots.release();
            });
        }
        if (!slots.tryAcquire(window, 120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("ACKs missing after 120 s");
        }
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " events were not ACKed");
        }
        return next;
    }
}
