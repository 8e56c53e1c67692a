package io.sink.benchmarks.delivery;

import io.sink.api.client.ClientHandler;
import io.sink.poller.internal.Poller;
import io.sink.poller.internal.PollerSettings;
import io.sink.poller.internal.outbox.ClientOutbox;
import io.sink.server.store.postgres.PostgresServer;
import io.sink.sqlite.AriesSqlite;
import io.sink.store.sqlite.internal.SqliteEventLog;
import io.sink.store.sqlite.internal.StoreSettings;
import io.sink.testsupport.StoreClientHandler;
import io.sink.tls.DevCertificates;
import io.sink.tls.SslContexts;
import io.sink.tls.TlsConfig;
import io.sink.transport.client.internal.ClientSettings;
import io.sink.transport.client.internal.SinkClientEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Durable delivery into PostgreSQL: several clients drain their durable SQLite logs into one server
 * node, then into two nodes sharing one PostgreSQL database (clients spread over the nodes), and, in the
 * same run for comparison, into one server on SQLite (WAL, synchronous=FULL). Every event is committed
 * by the server before its ACK, and every ACK is recorded on the client's disk. Timed from the clients'
 * connect to the last queue at 0; then the stored events are counted in the server's database (exactly
 * the events sent, each once).
 *
 * <pre>
 * ./build bench   (or: mvn -pl benchmarks -am -DskipTests package)
 * java -cp benchmarks/target/benchmarks.jar io.sink.benchmarks.delivery.PostgresDeliveryBenchmark \
 *      [clients=4] [events=40000] [window=1000]
 * </pre>
 *
 * The PostgreSQL server is a throwaway one started from Debian's binaries ({@code PostgresServer},
 * package {@code postgresql}, or {@code SINK_PG_BIN}) with its defaults (fsync and synchronous_commit
 * on); the server nodes run in child JVMs on this machine.
 */
public final class PostgresDeliveryBenchmark {

    private PostgresDeliveryBenchmark() {
    }

    /** A client of the run: its log and engine. */
    private record Client(AriesSqlite jdbc, SqliteEventLog log, Poller poller, ScheduledThreadPoolExecutor thread,
            SinkClientEngine engine) {
    }

    public static void main(String[] args) throws Exception {
        int clients = 4;
        int events = 40_000;
        int window = 1000;
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "clients" -> clients = Integer.parseInt(kv[1]);
                case "events" -> events = Integer.parseInt(kv[1]);
                case "window" -> window = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + arg
                        + " (clients=N, events=N in all, window=N)");
            }
        }
        Path root = Files.createTempDirectory("sink-pg-delivery");
        List<String> names = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            names.add("bench-client-" + c);
        }
        try (PostgresServer pg = PostgresServer.start()) {
            Path pki = root.resolve("pki");
            DevCertificates.ensure(pki, names);
            System.out.printf("durable delivery: %d clients, %d events in all, window %d; %d cores; server nodes in"
                    + " child JVMs; TLS on loopback; each event committed before its ACK (%s)%n", clients, events,
                    window, Runtime.getRuntime().availableProcessors(), root);
            List<String> rows = new ArrayList<>();
            rows.add(run(root.resolve("sqlite"), pki, names, window, events, 1, null, null));
            String db1 = pg.createDatabase();
            rows.add(run(root.resolve("pg1"), pki, names, window, events, 1, pg, db1));
            String db2 = pg.createDatabase();
            rows.add(run(root.resolve("pg2"), pki, names, window, events, 2, pg, db2));
            System.out.println();
            System.out.printf("%-34s %8s %7s %10s %9s%n", "server", "events", "s", "events/s", "stored");
            rows.forEach(System.out::println);
        } finally {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One configuration: {@code nodes} servers (PostgreSQL database {@code database}, or SQLite when null). */
    private static String run(Path dir, Path pki, List<String> names, int window, int events, int nodes,
            PostgresServer pg, String database) throws Exception {
        Files.createDirectories(dir);
        TlsConfig serverTls = DevCertificates.serverConfig(pki);
        List<Process> servers = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        List<Client> running = new ArrayList<>();
        int perClient = events / names.size();
        int total = perClient * names.size();
        try {
            for (int n = 0; n < nodes; n++) {
                List<String> store = pg == null ? List.of("sqlite", dir.resolve("server.db").toString())
                        : List.of("postgresql", pg.jdbcUrl(database), pg.passwordFile().toString());
                Process p = startServer(store, serverTls);
                servers.add(p);
                ports.add(port(p));
            }
            for (int c = 0; c < names.size(); c++) {
                Path db = dir.resolve(names.get(c) + ".db");
                DeliveryBenchmark.fill(db, perClient);
                running.add(client(db, DevCertificates.clientConfig(pki, names.get(c)), ports.get(c % nodes), window));
            }
            long start = System.nanoTime();
            running.forEach(c -> c.poller().start());
            running.forEach(c -> c.engine().start());
            long deadline = start + TimeUnit.MINUTES.toNanos(30);
            while (running.stream().anyMatch(c -> c.log().queueSize() > 0)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the queues did not drain in 30 minutes");
                }
                Thread.sleep(20); // sampling period of the queues, not a wait for a condition
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            for (Client c : running) {
                c.engine().stop();
            }
            for (Process p : servers) {
                stop(p);
            }
            long[] stored = pg == null ? countSqlite(dir.resolve("server.db")) : countPostgres(pg, database);
            String what = pg == null ? "1 node, SQLite" : nodes + " node" + (nodes == 1 ? "" : "s") + ", PostgreSQL";
            String check = stored[0] == total && stored[1] == total ? "exactly" : "MISMATCH " + stored[0] + "/" + stored[1];
            System.out.printf("%s: %d events in %.2f s = %.0f events/s, stored %s%n", what, total, seconds,
                    total / seconds, check);
            return String.format("%-34s %8d %7.2f %10.0f %9s", what, total, seconds, total / seconds,
                    stored[0] == total && stored[1] == total ? "once each" : "MISMATCH");
        } finally {
            for (Client c : running) {
                c.engine().stop();
                c.poller().close();
                c.thread().shutdownNow();
                c.log().close();
                c.jdbc().close();
            }
            for (Process p : servers) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static Client client(Path db, TlsConfig tls, int port, int window) throws Exception {
        StoreSettings settings = StoreSettings.builder(db).build();
        AriesSqlite jdbc = new AriesSqlite(settings.sqlite(), "event log");
        SqliteEventLog log = SqliteEventLog.open(jdbc.executor(), settings, Clock.systemUTC(), new SecureRandom());
        ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1);
        ClientOutbox outbox = ClientOutbox.over(log, log, "sqlite");
        Poller poller = new Poller(new PollerSettings(window, Duration.ofSeconds(5), 0.1, List.of(), "default"), outbox,
                thread, Clock.systemUTC(), new SecureRandom());
        outbox.listen(generation -> poller.outboxChanged());
        ClientHandler handler = new StoreClientHandler(log, poller::connectionUp, poller::connectionDown);
        SinkClientEngine engine = new SinkClientEngine(ClientSettings.defaults("127.0.0.1", port),
                SslContexts.forClient(tls), () -> handler);
        return new Client(jdbc, log, poller, thread, engine);
    }

    private static Process startServer(List<String> store, TlsConfig tls) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                FleetDeliveryServer.class.getName()));
        command.addAll(store);
        command.addAll(List.of(tls.certificateChain().toString(), tls.privateKey().toString(),
                tls.trustedCertificates().toString()));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static int port(Process server) throws IOException {
        String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        if (line == null || !line.startsWith("port ")) {
            throw new IllegalStateException("the server did not start: " + line);
        }
        return Integer.parseInt(line.substring(5));
    }

    private static void stop(Process server) throws InterruptedException, IOException {
        server.getOutputStream().close();
        server.waitFor(60, TimeUnit.SECONDS);
    }

    /** Rows and distinct ack keys stored. */
    private static long[] countPostgres(PostgresServer pg, String database) throws Exception {
        try (Connection c = pg.connect(database)) {
            return count(c, "SELECT count(*), count(DISTINCT (client_id, event_type_id, event_key, event_offset))"
                    + " FROM received_events");
        }
    }

    private static long[] countSqlite(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            return count(c, "SELECT count(*), (SELECT count(*) FROM (SELECT DISTINCT client_id, event_type_id,"
                    + " event_key, event_offset FROM received_events)) FROM received_events");
        }
    }

    private static long[] count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return new long[] {r.getLong(1), r.getLong(2)};
        }
    }
}
