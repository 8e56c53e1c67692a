package io.sink.benchmarks.delivery;

import io.sink.reading.log.internal.LogLines;
import io.sink.reading.log.internal.ReadingLogServer;
import io.sink.api.server.ReceivedEventStore;
import io.sink.server.store.internal.SqliteReceivedEventStore;
import io.sink.server.store.postgres.internal.PostgresReceivedEventStore;
import io.sink.server.store.postgres.internal.PostgresSettings;
import io.sink.sqlite.AriesFixture;
import io.sink.sqlite.AriesSqlite;
import io.sink.sqlite.AriesSqlitePools;
import io.sink.sqlite.SqliteSettings;
import io.sink.testsupport.MemoryRegistry;
import io.sink.tls.Certificates;
import io.sink.tls.SslContexts;
import io.sink.tls.TlsConfig;
import io.sink.transport.server.internal.ServerSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.postgresql.osgi.PGDataSourceFactory;
import org.slf4j.LoggerFactory;

/**
 * One server node of {@link PostgresDeliveryBenchmark}, in its own JVM: the Netty server engine, the
 * reading-log handler and a received-event store, either PostgreSQL ({@code postgresql <jdbc-url>
 * <password-file>}, the store several nodes share) or SQLite ({@code sqlite <path>}, WAL,
 * synchronous=FULL). Every event is committed before its ACK. A client is admitted by its certificate's
 * common name. Prints {@code port <n>} when listening and stops when its standard input closes.
 *
 * <p>Arguments: the store (as above), then the server's certificate chain, private key and trusted CA
 * certificates (PEM files).
 */
public final class FleetDeliveryServer {
    private FleetDeliveryServer() {
    }

    public static void main(String[] args) throws Exception {
        int i = 0;
        String kind = args[i++];
        AutoCloseable[] resources;
        ReceivedEventStore store;
        if (kind.equals("postgresql")) {
            PostgresSettings settings = new PostgresSettings(args[i++], "sink", Path.of(args[i++]), 1000, 4, 10);
            AriesFixture aries = new AriesFixture(new PGDataSourceFactory());
            String password = settings.readPassword();
            AriesSqlitePools pools = AriesSqlitePools.open(aries.dataSourceFactory, aries.transactionControl,
                    aries.providerFactory, settings.jdbcProperties(password, true),
                    settings.jdbcProperties(password, false), settings.readConnections(), "received events");
            PostgresReceivedEventStore pg = PostgresReceivedEventStore.open(pools.executor(), settings.databaseName(),
                    settings.maxWritesPerTransaction(), Clock.systemUTC());
            store = pg;
            resources = new AutoCloseable[] {pg, pools, aries::close};
        } else if (kind.equals("sqlite")) {
            SqliteSettings settings = SqliteSettings.builder(Path.of(args[i++])).build();
            AriesSqlite jdbc = new AriesSqlite(settings, "received events");
            SqliteReceivedEventStore sqlite = SqliteReceivedEventStore.open(jdbc.executor(), settings, Clock.systemUTC());
            store = sqlite;
            resources = new AutoCloseable[] {sqlite, jdbc};
        } else {
            throw new IllegalArgumentException("store: postgresql URL PASSWORD-FILE, or sqlite PATH; got " + kind);
        }
        TlsConfig tls = new TlsConfig(Path.of(args[i++]), Path.of(args[i++]), Path.of(args[i]));
        ReadingLogServer server = new ReadingLogServer(store, LogLines.of(LoggerFactory.getLogger("io.sink.readings")),
                ReadingLogServer.STORE_FAILURE_CLOSE_DELAY, ServerSettings.defaults(0), SslContexts.forServer(tls),
                Certificates::commonName, new MemoryRegistry(1));
        int port = server.start();
        System.out.println("port " + port);
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // runs until the benchmark closes our standard input
            }
        }
        server.close();
        for (AutoCloseable r : resources) {
            r.close();
        }
        System.out.println("stopped");
    }
}
