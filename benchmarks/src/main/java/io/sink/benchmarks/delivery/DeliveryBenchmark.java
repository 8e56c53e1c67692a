package io.sink.benchmarks.delivery;

import io.sink.api.InstanceId;
import io.sink.api.client.ClientHandler;
import io.sink.api.client.ClientInstanceIds;
import io.sink.poller.internal.Poller;
import io.sink.poller.internal.PollerSettings;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.store.sqlite.internal.SqliteEventLog;
import io.sink.store.sqlite.internal.StoreSettings;
import io.sink.sqlite.DataSourceSqlExecutor;
import io.sink.tls.DevCertificates;
import io.sink.tls.SslContexts;
import io.sink.transport.internal.netty.ClientSettings;
import io.sink.transport.internal.netty.SinkClientEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The delivery benchmark: how many events per second reach the server durably (stored on the server
 * before its ACK) and are recorded as acknowledged on the client (durably too), from the moment the
 * client connects until its queue is 0.
 *
 * <p>For each window: the client's SQLite event log (WAL, synchronous=FULL) is filled with N sensor
 * readings while offline; a server is started in a child JVM (engine, SQLite store, reading log);
 * then the client (this JVM: engine, poller, event log) connects and drains its queue. Prints one
 * result line per window with the rate, the client's peak resident memory while draining (this
 * JVM's VmRSS: the client alone), and checks that the server stored exactly N events.
 *
 * <pre>
 * ./build bench
 * java -cp benchmarks/target/benchmarks.jar io.sink.benchmarks.delivery.DeliveryBenchmark \
 *      [events=100000] [windows=1,16,256,1000] [window1Events=5000]
 * </pre>
 *
 * With a window of 1 each event costs a round trip and a commit, so that run uses fewer events
 * ({@code window1Events}); its rate is what matters.
 */
public final class DeliveryBenchmark {
    private static final String CLIENT = "bench-client";

    private DeliveryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int events = 100_000;
        int window1Events = 5_000;
        List<Integer> windows = List.of(1, 16, 256, 1000);
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "events" -> events = Integer.parseInt(kv[1]);
                case "window1Events" -> window1Events = Integer.parseInt(kv[1]);
                case "windows" -> windows = Stream.of(kv[1].split(",")).map(String::trim).map(Integer::valueOf)
                        .toList();
                default -> throw new IllegalArgumentException("unknown argument " + arg
                        + " (events=N, windows=1,16,..., window1Events=N)");
            }
        }
        Path root = Files.createTempDirectory("sink-delivery");
        try {
            Path pki = root.resolve("pki");
            DevCertificates.ensure(pki, List.of(CLIENT));
            System.out.printf("delivery benchmark: client and server on this machine (%d cores), server in a child"
                    + " JVM, TLS on loopback, SQLite WAL + synchronous=FULL on both sides (%s)%n",
                    Runtime.getRuntime().availableProcessors(), root);
            for (int window : windows) {
                run(root.resolve("w" + window), pki, window, window == 1 ? Math.min(events, window1Events) : events);
            }
        } finally {
            delete(root);
        }
    }

    private static void run(Path dir, Path pki, int window, int events) throws Exception {
        Files.createDirectories(dir);
        Path clientDb = dir.resolve("client.db");
        fill(clientDb, events);

        Process server = new ProcessBuilder(javaBin(), "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), DeliveryServer.class.getName(), pki.toString(),
                dir.resolve("server.db").toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader serverOut = new BufferedReader(
                    new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            String line = serverOut.readLine();
            if (line == null || !line.startsWith("port ")) {
                throw new IllegalStateException("the server did not start: " + line);
            }
            int port = Integer.parseInt(line.substring(5));

            StoreSettings settings = StoreSettings.builder(clientDb).build();
            try (AriesSqlite jdbc = new AriesSqlite(settings.sqlite(), "event log");
                    SqliteEventLog log = SqliteEventLog.open(jdbc.executor(), settings, Clock.systemUTC(),
                            new SecureRandom())) {
                ScheduledThreadPoolExecutor pollerThread = new ScheduledThreadPoolExecutor(1);
                SinkClientEngine[] client = new SinkClientEngine[1];
                Poller poller = new Poller(new PollerSettings(window, Duration.ofSeconds(5), 0.1, List.of(), "default"),
                        () -> client[0], () -> log, pollerThread, Clock.systemUTC(), new SecureRandom());
                ClientHandler handler = new ClientHandler() {
                    @Override
                    public ClientInstanceIds instanceIds() {
                        return log.instanceIds();
                    }

                    @Override
                    public void serverInstanceIdReceived(InstanceId id) {
                        log.storeServerInstanceId(id);
                    }

                    @Override
                    public void connectionUp(String peer) {
                        poller.connectionUp(peer);
                    }

                    @Override
                    public void connectionDown(String reason) {
                        poller.connectionDown(reason);
                    }
                };
                client[0] = new SinkClientEngine(ClientSettings.defaults("127.0.0.1", port),
                        SslContexts.forClient(DevCertificates.clientConfig(pki, CLIENT)), () -> handler);
                long rssBefore = rssKb();
                long peakRss = rssBefore;
                poller.start();
                long start = System.nanoTime();
                client[0].start();
                long deadline = start + TimeUnit.MINUTES.toNanos(30);
                while (log.queueSize() > 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the queue did not drain in 30 minutes");
                    }
                    peakRss = Math.max(peakRss, rssKb());
                    Thread.sleep(20); // sampling period of the queue and of the resident memory, not a wait
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                client[0].stop();
                poller.close();
                pollerThread.shutdown();
                pollerThread.awaitTermination(10, TimeUnit.SECONDS);
                server.getOutputStream().close();
                String stored = serverOut.readLine();
                server.waitFor(60, TimeUnit.SECONDS);
                long storedCount = stored != null && stored.startsWith("stored ")
                        ? Long.parseLong(stored.substring(7)) : -1;
                System.out.printf("window %4d: %8d events in %7.2f s = %8.0f events/s durable (stored before ACK,"
                        + " ACK recorded); client RSS peak %d MB; server stored %d (%s)%n", window, events, seconds,
                        events / seconds, peakRss / 1024, storedCount,
                        storedCount == events ? "exactly once" : "MISMATCH");
            }
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Fills the client's log with readings of 8 sensors, offline, as fast as group commit allows. */
    private static void fill(Path database, int events) throws Exception {
        StoreSettings settings = StoreSettings.builder(database).synchronous("OFF").build();
        try (SqliteEventLog log = SqliteEventLog.open(DataSourceSqlExecutor.forSqlite(settings.sqlite()), settings,
                Clock.systemUTC(), new SecureRandom())) {
            ExecutorService writers = Executors.newFixedThreadPool(64);
            List<Future<?>> done = new ArrayList<>();
            int perWriter = (events + 63) / 64;
            for (int w = 0; w < 64; w++) {
                int from = w * perWriter;
                int to = Math.min(events, from + perWriter);
                String sensor = "sensor-" + (w % 8);
                done.add(writers.submit(() -> {
                    for (int i = from; i < to; i++) {
                        byte[] reading = SensorReadingCodec.encode(new SensorReading(60 + i % 30, 30 + i % 20));
                        log.appendNext(SensorReadingCodec.EVENT_TYPE_ID, SensorReadingCodec.SCHEMA_VERSION,
                                sensor.getBytes(StandardCharsets.UTF_8), 1_700_000_000L + i, reading);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            writers.shutdown();
            if (log.queueSize() != events) {
                throw new IllegalStateException("filled " + log.queueSize() + " events, expected " + events);
            }
        }
    }

    private static long rssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // not Linux: no figure
        }
        return 0;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
