package io.sink.benchmarks.delivery;

import io.sink.api.InstanceId;
import io.sink.api.server.ClientRecord;
import io.sink.api.server.ClientRegistry;
import io.sink.api.server.SinkServer;
import io.sink.reading.log.internal.LogExecutor;
import io.sink.reading.log.internal.LogLines;
import io.sink.reading.log.internal.ReadingLogHandler;
import io.sink.reading.log.internal.Withholding;

import io.sink.server.store.internal.SqliteReceivedEventStore;
import io.sink.sqlite.SqliteSettings;
import io.sink.tls.SslContexts;
import io.sink.tls.TlsConfig;
import io.sink.transport.internal.netty.ServerSettings;
import io.sink.transport.internal.netty.SinkServerEngine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;

/**
 * The server side of {@link DeliveryBenchmark}, run in its own JVM: the Netty server engine, the
 * SQLite received-event store (WAL, synchronous=FULL: every event is durable before its ACK) and the
 * reading-log handler. Prints {@code port <n>} when listening; stops when its standard input closes
 * and then prints {@code stored <n>}.
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
        LogLines lines = LogLines.of(LoggerFactory.getLogger("io.sink.readings"));
        LogExecutor logging = new LogExecutor("sink-reading-log", 10_000, lines);
        ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor();
        AtomicReference<SinkServer> server = new AtomicReference<>();
        ReadingLogHandler handler = new ReadingLogHandler(() -> store, logging, lines, true,
                new Withholding(closer, Duration.ofSeconds(1), server::get));
        ClientRegistry registry = new ClientRegistry() {
            private volatile InstanceId client;

            @Override
            public ClientRecord record(String clientId) {
                return new ClientRecord(new InstanceId(1), Optional.ofNullable(client), Optional.empty());
            }

            @Override
            public void registerClientInstanceId(String clientId, InstanceId id) {
                client = id;
            }
        };
        SinkServerEngine engine = new SinkServerEngine(ServerSettings.defaults(0),
                SslContexts.forServer(tls), () -> cert -> Optional.of("bench-client"),
                () -> registry, () -> handler);
        server.set(engine);
        int port = engine.start().getPort();
        System.out.println("port " + port);
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // runs until the benchmark closes our standard input
            }
        }
        engine.stop();
        closer.shutdownNow();
        logging.close();
        System.out.println("stored " + store.count("bench-client"));
        store.close();
        jdbc.close();
    }
}
