package io.sink.benchmarks.server;

import io.sink.api.Event;
import io.sink.api.server.ReceivedEventStore.Outcome;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.server.store.internal.SqliteReceivedEventStore;
import io.sink.sqlite.AriesSqlite;
import io.sink.sqlite.SqliteSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The server's SQLite received-event store alone (not JMH): how many events per second it makes
 * durable when they arrive in batches of 1, 16, 256 and 1,000 (what a client's window lets it send
 * before it waits for their ACKs).
 *
 * <p>One store on the JDBC stack of the framework (pax-jdbc-sqlite, Aries transaction control and
 * connection pools), WAL, {@code synchronous=FULL}, in a fresh temporary directory per batch size.
 * For each batch size: {@code batch} sensor readings (35 bytes of data each, new ack keys) are handed
 * to {@code store()} at once, then the benchmark waits for every stage (each completes only after the
 * commit that holds its event); repeated until {@code events} events are stored (after a warm-up of
 * {@code warmup} events). One line per batch size: events/s, transactions and events per transaction.
 *
 * <pre>
 * ./build bench      # or: mvn -o -B -q -f benchmarks/pom.xml package
 * java -cp benchmarks/target/benchmarks.jar io.sink.benchmarks.server.ServerStoreBenchmark \
 *      [events=200000] [batches=1,16,256,1000] [batch1Events=3000] [warmup=20000] [dir=/tmp]
 * </pre>
 *
 * A batch of 1 waits for one fsync per event, so that run uses {@code batch1Events} events (and a
 * tenth of them for the warm-up).
 *
 * <p>With {@code via=tls} the events take the whole server path instead: a client engine in this JVM
 * publishes them from memory (no client event log) over mutual TLS on loopback, with {@code batch}
 * PUBLISHes in flight (its window), to the server engine with the reading log and the same store; an
 * event counts when its ACK is back. Client and server share this JVM and the machine's cores. The
 * reading log's level is WARN unless {@code -Dorg.slf4j.simpleLogger.defaultLogLevel=info} is given
 * (one INFO line per reading, written by the log's own thread; lines it cannot keep up with are
 * dropped and counted).
 */
public final class ServerStoreBenchmark {
    static final String CLIENT = "bench-client";

    private ServerStoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int events = 200_000;
        int batch1Events = 3_000;
        int warmup = 20_000;
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        List<Integer> batches = List.of(1, 16, 256, 1000);
        boolean tls = false;
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("arguments are name=value, got " + arg);
            }
            switch (kv[0]) {
                case "events" -> events = Integer.parseInt(kv[1]);
                case "batch1Events" -> batch1Events = Integer.parseInt(kv[1]);
                case "warmup" -> warmup = Integer.parseInt(kv[1]);
                case "dir" -> dir = Path.of(kv[1]);
                case "via" -> tls = switch (kv[1]) {
                    case "store" -> false;
                    case "tls" -> true;
                    default -> throw new IllegalArgumentException("via is store or tls, got " + kv[1]);
                };
                case "batches" -> batches = Stream.of(kv[1].split(",")).map(String::trim).map(Integer::valueOf)
                        .toList();
                default -> throw new IllegalArgumentException("unknown argument " + kv[0]);
            }
        }
        System.out.println("server store" + (tls ? " behind the server engine and reading log (client in this JVM,"
                + " mutual TLS on loopback)" : "") + ": SQLite WAL synchronous=FULL, Aries pools; events=" + events
                + " batch1Events=" + batch1Events + " warmup=" + warmup + " dir=" + dir);
        for (int batch : batches) {
            int n = batch == 1 ? batch1Events : events;
            int w = batch == 1 ? batch1Events / 10 : warmup;
            if (tls) {
                ServerPath.run(dir, batch, n, w);
            } else {
                run(dir, batch, n, w);
            }
        }
    }

    private static void run(Path parent, int batch, int events, int warmup) throws Exception {
        Path dir = Files.createTempDirectory(parent, "sink-server-store-bench");
        try {
            SqliteSettings settings = SqliteSettings.builder(dir.resolve("received.db")).build();
            try (AriesSqlite jdbc = new AriesSqlite(settings, "received events");
                    SqliteReceivedEventStore store = SqliteReceivedEventStore.open(jdbc.executor(), settings,
                            Clock.systemUTC())) {
                long offset = 0;
                offset = storeAll(store, batch, warmup, offset);
                long transactionsBefore = store.writer().transactions();
                long start = System.nanoTime();
                storeAll(store, batch, events, offset);
                long nanos = System.nanoTime() - start;
                long transactions = store.writer().transactions() - transactionsBefore;
                long stored = store.count(CLIENT);
                if (stored != (long) warmup + events) {
                    throw new AssertionError("stored " + stored + " events, expected " + (warmup + events));
                }
                print(batch, events, nanos, transactions);
            }
        } finally {
            delete(dir);
        }
    }

    static void delete(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static void print(int batch, int events, long nanos, long transactions) {
        double rate = events / (nanos / 1e9);
        System.out.printf("batch %5d: %,10.0f events/s  (%,d events in %,d ms; %,d transactions,"
                + " %.1f events per transaction)%n", batch, rate, events,
                TimeUnit.NANOSECONDS.toMillis(nanos), transactions,
                transactions == 0 ? 0.0 : (double) events / transactions);
    }

    /** Stores {@code count} new events, {@code batch} at a time; returns the next offset. */
    private static long storeAll(SqliteReceivedEventStore store, int batch, int count, long offset) {
        List<CompletableFuture<Outcome>> pending = new ArrayList<>(batch);
        int done = 0;
        while (done < count) {
            int size = Math.min(batch, count - done);
            for (int i = 0; i < size; i++) {
                pending.add(store.store(CLIENT, reading(offset++)).toCompletableFuture());
            }
            for (CompletableFuture<Outcome> f : pending) {
                if (f.join() != Outcome.STORED) {
                    throw new AssertionError("an event was not stored as new: " + f.join());
                }
            }
            pending.clear();
            done += size;
        }
        return offset;
    }

    static Event reading(long offset) {
        byte[] data = SensorReadingCodec.encode(new SensorReading(70 + (int) (offset % 10), 40));
        return Event.of(1, 1, "kitchen", offset, 1_700_000_000L + offset, data);
    }
}
