package io.sink.benchmarks.delivery;

import io.sink.api.Event;
import io.sink.api.server.ReceivedEventStore;
import io.sink.reading.log.internal.LogLines;
import io.sink.reading.log.internal.ReadingLogServer;
import io.sink.server.store.internal.SqliteReceivedEventStore;
import io.sink.sqlite.AriesSqlite;
import io.sink.sqlite.SqliteSettings;
import io.sink.testsupport.MemoryRegistry;
import io.sink.tls.SslContexts;
import io.sink.tls.TlsConfig;
import io.sink.transport.server.internal.ServerSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.slf4j.LoggerFactory;

/**
 * The server side of {@link DeliveryBenchmark}, run in its own JVM: the Netty server engine, the
 * SQLite received-event store (WAL, synchronous=FULL: every event is durable before its ACK) and the
 * reading-log handler. Prints {@code port <n>} when listening; stops when its standard input closes
 * and then prints {@code stored <n>} and {@code cpu <process CPU ns> transactions <store commits>}.
 *
 * <p>Arguments: the database path, then the server's certificate chain, private key and the CA
 * certificates it trusts (PEM files). Every client certificate that chains to that CA is admitted as
 * {@code bench-client}.
 *
 * <p>On standard error it prints where its CPU went from the first PUBLISH to the end (start-up
 * excluded), per event and by thread: the network event loops, the store's writer, the reading log,
 * the JIT compilers and the garbage collector.
 */
public final class DeliveryServer {
    private DeliveryServer() {
    }

    public static void main(String[] args) throws Exception {
        Path database = Path.of(args[0]);
        TlsConfig tls = new TlsConfig(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]));
        SqliteSettings settings = SqliteSettings.builder(database).build();
        AriesSqlite jdbc = new AriesSqlite(settings, "received events");
        SqliteReceivedEventStore store = SqliteReceivedEventStore.open(jdbc.executor(), settings, Clock.systemUTC());
        FirstPublish measured = new FirstPublish(store);
        ReadingLogServer server = new ReadingLogServer(measured, LogLines.of(LoggerFactory.getLogger("io.sink.readings")),
                ReadingLogServer.STORE_FAILURE_CLOSE_DELAY, ServerSettings.defaults(0), SslContexts.forServer(tls),
                cert -> Optional.of("bench-client"), new MemoryRegistry(1));
        int port = server.start();
        System.out.println("port " + port);
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // runs until the benchmark closes our standard input
            }
        }
        // before the close: the network and log threads end with it
        ThreadCpu atEnd = ThreadCpu.now();
        server.close();
        long stored = store.count("bench-client");
        measured.report(atEnd, stored, store.writer().transactions());
        System.out.println("stored " + stored);
        // this JVM's CPU time and the store's commits (each one fsync): where the server's time went
        long cpu = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
        System.out.println("cpu " + cpu + " transactions " + store.writer().transactions());
        store.close();
        jdbc.close();
    }

    /** The store, noting the CPU time of every thread when the first event arrives. */
    private static final class FirstPublish implements ReceivedEventStore {
        private final ReceivedEventStore store;
        private volatile ThreadCpu atFirst;
        private volatile long firstNanos;

        FirstPublish(ReceivedEventStore store) {
            this.store = store;
        }

        @Override
        public CompletionStage<Outcome> store(String clientId, Event event) {
            first();
            return store.store(clientId, event);
        }

        @Override
        public List<CompletionStage<Outcome>> storeAll(String clientId, List<Event> events) {
            first();
            return store.storeAll(clientId, events);
        }

        private void first() {
            if (atFirst == null) {
                synchronized (this) {
                    if (atFirst == null) {
                        firstNanos = System.nanoTime();
                        atFirst = ThreadCpu.now();
                    }
                }
            }
        }

        @Override
        public List<StoredEvent> latest(String clientId, int count) {
            return store.latest(clientId, count);
        }

        @Override
        public long count(String clientId) {
            return store.count(clientId);
        }

        /** Prints the CPU used since the first event, per event, by kind of thread, on standard error. */
        void report(ThreadCpu atEnd, long events, long commits) {
            if (atFirst == null || events == 0) {
                return;
            }
            double seconds = (atEnd.nanoTime() - firstNanos) / 1e9;
            Map<String, Long> used = atEnd.since(atFirst);
            long total = ThreadCpu.total(used);
            System.err.println(String.format("server CPU from the first PUBLISH to the end:"
                    + " %.1f us/event (%.2f cores over %.2f s, %d events, %.1f per commit); by thread, us/event:",
                    total / 1e3 / events, total / 1e9 / seconds, seconds, events, (double) events / Math.max(1,
                            commits)) + ThreadCpu.perEvent(used, events, 1));
        }
    }
}
