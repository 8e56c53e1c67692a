package io.sink.benchmarks.delivery;

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
import java.util.Optional;
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
        ReadingLogServer server = new ReadingLogServer(store, LogLines.of(LoggerFactory.getLogger("io.sink.readings")),
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
        server.close();
        System.out.println("stored " + store.count("bench-client"));
        // this JVM's CPU time and the store's commits (each one fsync): where the server's time went
        long cpu = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
        System.out.println("cpu " + cpu + " transactions " + store.writer().transactions());
        store.close();
        jdbc.close();
    }
}
