package io.sink.benchmarks.delivery;

import io.sink.api.client.ClientHandler;
import io.sink.poller.internal.Poller;
import io.sink.poller.internal.PollerSettings;
import io.sink.poller.internal.outbox.ClientOutbox;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.sqlite.AriesSqlite;
import io.sink.store.sqlite.internal.SqliteEventLog;
import io.sink.store.sqlite.internal.StoreSettings;
import io.sink.sqlite.DataSourceSqlExecutor;
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
 *      [events=100000] [windows=1,16,256,1000] [window1Events=5000] [warmup=20000] [warmupDrains=4]
 *      [measured=1]
 * </pre>
 *
 * With a window of 1 each event costs a round trip and a commit, so that run uses fewer events
 * ({@code window1Events}); its rate is what matters.
 *
 * <p>Warm-up: before each measured drain of our client into our server, the same client log is
 * filled with {@code min(warmup, events)} readings (window 1 too: only its measured drain has
 * {@code window1Events}) and drained at the same window into the same server, by the same client
 * JVM; after each, the benchmark waits until both JVMs are quiet (under 5 % of a core: the JIT
 * compilers' queues are empty, at most 30 s). The warm-up ends when the JIT
 * compilers used under 10 % of the two JVMs' CPU in a drain (from the filled log's first PUBLISH until
 * both JVMs are quiet again: the fill's own compiling is left out), or after {@code warmupDrains}
 * drains (default 4). {@code measured=N} (default 1) measures N drains after the warm-up, each
 * printed, and takes their median: on this VM one drain's figure moves by a quarter run to run. A long-running client and server are warm; a freshly started JVM spends its first
 * seconds compiling, and on 2 cores a queue of C2 compiles runs on into the next drain. The first
 * warm-up drain's figure is printed too ({@code cold}); {@code warmup=0} measures cold JVMs only.
 * The server's CPU during the measured drain is read from {@code /proc/<pid>/task} and printed by
 * thread. The server's stored count is checked against all drains.
 *
 * <p>With {@code refpeer=DIR} (the original Elixir implementation built by
 * {@code interop/build-refpeer.sh DIR}) it runs, for each window, four pairings side by side and
 * prints their events/s in one table: the original client against the original server (as the
 * reference peer's {@code bench-e2e.sh} does), the original client against our server, our client
 * against the original server, and ours against ours. The original client publishes events it
 * makes in memory and times the first PUBLISH to the last ACK (its own figure); our client drains
 * its durable log and is timed from connect to queue 0, ACKs recorded. The original server keeps
 * nothing (it ACKs on receipt, no event log); ours stores every event durably before its ACK. All
 * of them use the reference peer's certificates.
 */
public final class DeliveryBenchmark {
    private static final String CLIENT = "bench-client";
    /** The last server's "cpu N transactions T" line (our server), for the per-event figures. */
    private static volatile long[] lastServerStats = {-1, -1};
    /** Events of each warm-up drain before each measured drain of ours -> ours (0: none). */
    private static int warmup = 20_000;
    /**
     * Most warm-up drains before each measured drain of ours -> ours, each followed by a settle; the
     * warm-up ends sooner once the JIT compilers used under {@link #STEADY_COMPILE_SHARE} of the two
     * JVMs' CPU in a drain.
     */
    private static int warmupDrains = 4;
    /** The share of CPU spent compiling under which the JVMs count as warm. */
    private static final double STEADY_COMPILE_SHARE = 0.10;
    /** Most time a settle waits for both JVMs to go quiet. */
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(30);
    /** The rate of the last warm-up drain (cold JVMs), or NaN. */
    private static volatile double lastColdRate = Double.NaN;
    /** Measured drains of ours -> ours per window, after the warm-up; their median is the window's figure. */
    private static int measured = 1;
    /**
     * The CPU of this JVM's threads when the last drain began, its log filled: the fill's own compiling
     * (the appends of 64 writer threads) is not the drain's.
     */
    private static volatile ThreadCpu lastDrainStart;

    private DeliveryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int events = 100_000;
        int window1Events = 5_000;
        List<Integer> windows = List.of(1, 16, 256, 1000);
        Path refpeer = null;
        for (String arg : args) {
            String[] kv = arg.split("=", 2);
            switch (kv[0]) {
                case "events" -> events = Integer.parseInt(kv[1]);
                case "window1Events" -> window1Events = Integer.parseInt(kv[1]);
                case "windows" -> windows = Stream.of(kv[1].split(",")).map(String::trim).map(Integer::valueOf)
                        .toList();
                case "refpeer" -> refpeer = Path.of(kv[1]).toAbsolutePath();
                case "warmup" -> warmup = Integer.parseInt(kv[1]);
                case "warmupDrains" -> warmupDrains = Integer.parseInt(kv[1]);
                case "measured" -> measured = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown argument " + arg + " (events=N,"
                        + " windows=1,16,..., window1Events=N, warmup=N, warmupDrains=N, measured=N, refpeer=DIR)");
            }
        }
        Path root = Files.createTempDirectory("sink-delivery");
        try {
            if (refpeer != null) {
                sideBySide(root, new RefPeer(refpeer), windows, events, window1Events);
                return;
            }
            Path pki = root.resolve("pki");
            DevCertificates.ensure(pki, List.of(CLIENT));
            System.out.printf("delivery benchmark: client and server on this machine (%d cores), server in a child"
                    + " JVM, TLS on loopback, SQLite WAL + synchronous=FULL on both sides (%s)%n",
                    Runtime.getRuntime().availableProcessors(), root);
            Bounds.Measured bounds = measureBounds(root, DevCertificates.serverConfig(pki),
                    DevCertificates.clientConfig(pki, CLIENT));
            List<String> rows = new ArrayList<>();
            for (int window : windows) {
                double ours = run(root.resolve("w" + window), DevCertificates.serverConfig(pki),
                        DevCertificates.clientConfig(pki, CLIENT), window, window == 1 ? Math.min(events,
                                window1Events) : events, events);
                rows.add(String.format("%6d %14.0f %14.0f %14.0f %9.0f %%", window, ours, lastColdRate,
                        bounds.bound(window), 100 * ours / bounds.bound(window)));
            }
            System.out.println();
            System.out.printf("events/s, ours -> ours (durable on both sides), measured after warm-up drains of %d"
                    + " events until the JIT used under %.0f%% of the CPU (at most %d); cold = the first warm-up drain,"
                    + " of fresh JVMs (NaN: none); bound = window / (fsync + round trip)%n", warmup,
                    100 * STEADY_COMPILE_SHARE, warmupDrains);
            System.out.printf("%6s %14s %14s %14s %11s%n", "window", "ours", "cold", "bound", "of bound");
            rows.forEach(System.out::println);
        } finally {
            delete(root);
        }
    }

    /** The four pairings of our and the original implementation, one table row per window. */
    private static void sideBySide(Path root, RefPeer refpeer, List<Integer> windows, int events, int window1Events)
            throws Exception {
        System.out.printf("delivery benchmark, our implementation and the original (%s) side by side: %d cores,"
                + " TLS on loopback; original client: in-memory events, first PUBLISH to last ACK; our client:"
                + " durable log, connect to queue 0; original server: ACK on receipt, keeps nothing; our server:"
                + " SQLite WAL + synchronous=FULL before each ACK (%s)%n", refpeer.dir,
                Runtime.getRuntime().availableProcessors(), root);
        Bounds.Measured bounds = measureBounds(root, refpeer.serverTls(), refpeer.clientTls());
        List<String> rows = new ArrayList<>();
        for (int window : windows) {
            int n = window == 1 ? Math.min(events, window1Events) : events;
            Path dir = root.resolve("w" + window);
            double originalToOriginal = refpeer.originalToOriginal(dir.resolve("orig-orig"), window, n);
            double originalToOurs = refpeer.originalToOurs(dir.resolve("orig-ours"), window, n);
            double oursToOriginal = refpeer.oursToOriginal(dir.resolve("ours-orig"), window, n);
            double oursToOurs = run(dir.resolve("ours-ours"), refpeer.serverTls(), refpeer.clientTls(), window, n,
                    events);
            double withCommit = bounds.withCommit(window, originalToOriginal);
            rows.add(String.format("%6d %8d %14.0f %14.0f %14.0f %14.0f %9.2fx %12.0f %8.0f %% %14.0f %8.0f %%",
                    window, n, originalToOriginal, originalToOurs, oursToOriginal, oursToOurs,
                    oursToOurs / originalToOriginal, bounds.bound(window), 100 * oursToOurs / bounds.bound(window),
                    withCommit, 100 * oursToOurs / withCommit));
        }
        System.out.println();
        System.out.println("events/s (client -> server); ratio = ours -> ours / orig -> orig (the original without"
                + " storage); bound = window / (fsync + round trip) = what a window allows when it waits for one"
                + " server fsync and one round trip; orig + commit = window / (the original's time per window"
                + " without storage + one SQLite commit) = the original's delivery if each window also waited for"
                + " one durable commit");
        System.out.printf("%6s %8s %14s %14s %14s %14s %10s %12s %10s %14s %10s%n", "window", "events",
                "orig -> orig", "orig -> ours", "ours -> orig", "ours -> ours", "ratio", "bound", "of bound",
                "orig + commit", "of that");
        rows.forEach(System.out::println);
    }

    /** Measures and prints fsync, commit and round-trip latency (medians), the bounds of small windows. */
    private static Bounds.Measured measureBounds(Path root, TlsConfig serverTls, TlsConfig clientTls)
            throws Exception {
        Bounds.Measured m = Bounds.measure(root.resolve("bounds"), serverTls, clientTls);
        System.out.printf("measured here (medians, warm): fsync of 4 KiB %.3f ms; SQLite commit (WAL,"
                + " synchronous=FULL) %.3f ms; round trip PUBLISH -> ACK, our engines, TLS on loopback, no storage"
                + " %.3f ms; bound = window / (fsync + round trip) = %.0f events/s at window 1, %.0f at window 16"
                + " (with the SQLite commit for the fsync: %.0f and %.0f)%n", m.fsyncMillis(), m.commitMillis(),
                m.roundTripMillis(), m.bound(1), m.bound(16), m.commitBound(1), m.commitBound(16));
        return m;
    }

    /** Our server in a child JVM: prints "port N", then "stored N" when its standard input closes. */
    static Process startOurServer(Path dir, TlsConfig tls) throws IOException {
        return new ProcessBuilder(javaBin(), "-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), DeliveryServer.class.getName(),
                dir.resolve("server.db").toString(), tls.certificateChain().toString(), tls.privateKey().toString(),
                tls.trustedCertificates().toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The port our server printed. */
    static int ourServerPort(Process server, BufferedReader serverOut) throws IOException {
        String line = serverOut.readLine();
        while (line != null && line.startsWith("[")) { // JVM log lines (-Xlog, JFR), e.g. when profiling
            line = serverOut.readLine();
        }
        if (line == null || !line.startsWith("port ")) {
            throw new IllegalStateException("the server did not start: " + line);
        }
        return Integer.parseInt(line.substring(5));
    }

    /** Closes our server's standard input and reads its "stored N": the events it stored. */
    static long stopOurServer(Process server, BufferedReader serverOut) throws IOException, InterruptedException {
        server.getOutputStream().close();
        String stored = serverOut.readLine();
        String stats = serverOut.readLine(); // "cpu N transactions T"
        lastServerStats = new long[] {-1, -1};
        if (stats != null && stats.startsWith("cpu ")) {
            String[] f = stats.split(" ");
            lastServerStats = new long[] {Long.parseLong(f[1]), Long.parseLong(f[3])};
        }
        server.waitFor(60, TimeUnit.SECONDS);
        return stored != null && stored.startsWith("stored ") ? Long.parseLong(stored.substring(7)) : -1;
    }

    /** Our client drains a log of {@code events} readings into the server at 127.0.0.1:port; events/s. */
    static double drainInto(Path dir, int port, TlsConfig tls, int window, int events, String server)
            throws Exception {
        Files.createDirectories(dir);
        Path clientDb = dir.resolve("client.db");
        fill(clientDb, events);
        StoreSettings settings = StoreSettings.builder(clientDb).build();
        try (AriesSqlite jdbc = new AriesSqlite(settings.sqlite(), "event log");
                SqliteEventLog log = SqliteEventLog.open(jdbc.executor(), settings, Clock.systemUTC(),
                        new SecureRandom())) {
            ScheduledThreadPoolExecutor pollerThread = new ScheduledThreadPoolExecutor(1,
                    r -> new Thread(r, "sink-poller"));
            SinkClientEngine[] client = new SinkClientEngine[1];
            ClientOutbox outbox = ClientOutbox.over(log, log, "sqlite");
            Poller poller = new Poller(new PollerSettings(window, Duration.ofSeconds(5), 0.1, List.of(), "default"),
                    outbox, pollerThread, Clock.systemUTC(), new SecureRandom());
            outbox.listen(generation -> poller.outboxChanged());
            ClientHandler handler = new StoreClientHandler(log, poller::connectionUp, poller::connectionDown);
            client[0] = new SinkClientEngine(ClientSettings.defaults("127.0.0.1", port), SslContexts.forClient(tls),
                    () -> handler);
            long rssBefore = rssKb();
            long peakRss = rssBefore;
            long cpuBefore = processCpuNanos();
            java.util.Map<Long, Long> threadsBefore = threadCpu();
            long groupCommitsBefore = log.writer().transactions();
            lastDrainStart = ThreadCpu.now();
            poller.start();
            long start = System.nanoTime();
            client[0].start();
            long deadline = start + TimeUnit.MINUTES.toNanos(30);
            while (log.queueSize() > 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the queue did not drain in 30 minutes: "
                            + client[0].problem().orElse("connected"));
                }
                peakRss = Math.max(peakRss, rssKb());
                Thread.sleep(20); // sampling period of the queue and of the resident memory, not a wait
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpu = processCpuNanos() - cpuBefore;
            java.util.Map<String, Long> threadsAfter = threadCpuSince(threadsBefore);
            long groupCommits = log.writer().transactions() - groupCommitsBefore;
            long relaxedAcks = log.relaxedAcknowledgements();
            client[0].stop();
            poller.close();
            pollerThread.shutdown();
            pollerThread.awaitTermination(10, TimeUnit.SECONDS);
            System.out.printf("window %4d: %8d events in %7.2f s = %8.0f events/s durable on our client (ACK"
                    + " recorded), into %s; client RSS peak %d MB%n", window, events, seconds, events / seconds,
                    server, peakRss / 1024);
            System.out.printf("window %4d: client CPU %.1f us/event (%.0f%% of one core); ACK records: %d"
                    + " transactions without their own fsync, %d group commits (fsynced), %.0f events per ACK"
                    + " transaction%n", window, cpu / 1e3 / events, 100.0 * cpu / 1e9 / seconds, relaxedAcks,
                    groupCommits, (double) events / Math.max(1, relaxedAcks + groupCommits));
            StringBuilder perThread = new StringBuilder();
            long javaThreads = 0;
            for (var e : threadsAfter.entrySet()) {
                long used = e.getValue();
                javaThreads += used;
                if (used * 100 >= cpu) { // at least 1% of the process
                    perThread.append(String.format("; %s %.1f", e.getKey(), used / 1e3 / events));
                }
            }
            System.out.printf("window %4d: client CPU by thread, us/event: JIT, GC and other VM threads %.1f%s%n",
                    window, (cpu - javaThreads) / 1e3 / events, perThread);
            return events / seconds;
        }
    }

    /**
     * Ours -> ours at one window: the warm-up drain of {@code min(warmup, warmLimit)} events, then the
     * measured drain of {@code events}. {@code warmLimit} is the run's {@code events}, not the window's:
     * window 1 measures fewer events ({@code window1Events}), and warming up with only that many left
     * its measured drain in the middle of the server's C2 compilations (about half a core of the server
     * JVM still compiling, measured with {@code -XX:+LogCompilation}: 5,000 events are not warm).
     */
    private static double run(Path dir, TlsConfig serverTls, TlsConfig clientTls, int window, int events,
            int warmLimit) throws Exception {
        Files.createDirectories(dir);
        Process server = startOurServer(dir, serverTls);
        try {
            BufferedReader serverOut = new BufferedReader(
                    new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            int port = ourServerPort(server, serverOut);
            int warm = Math.min(warmup, warmLimit);
            int drains = warm > 0 ? warmupDrains : 0;
            lastColdRate = Double.NaN;
            int drained = 0;
            while (drained < drains) {
                drained++;
                System.out.printf("window %4d: warm-up drain %d (at most %d), %d events (%s), not the measured one:%n",
                        window, drained, drains, warm, drained == 1 ? "cold JVMs" : "warming");
                ThreadCpu serverAtStart = ThreadCpu.of(server.pid()); // idle while the client's log is filled
                // the same client log (so the same client instance id): it is filled again, its queue 0
                double rate = drainInto(dir, port, clientTls, window, warm, "our server (stored before ACK)");
                if (drained == 1) {
                    lastColdRate = rate;
                }
                settle(window, server);
                java.util.Map<String, Long> client = ThreadCpu.now().since(lastDrainStart);
                java.util.Map<String, Long> serverCpu = ThreadCpu.of(server.pid()).since(serverAtStart);
                long all = ThreadCpu.total(client) + ThreadCpu.total(serverCpu);
                double compiling = (double) (compiling(client) + compiling(serverCpu)) / Math.max(1, all);
                System.out.printf("window %4d: the JIT compilers used %.0f%% of both JVMs' CPU in that drain%n", window,
                        100 * compiling);
                if (compiling < STEADY_COMPILE_SHARE) {
                    break;
                }
            }
            double[] rates = new double[Math.max(1, measured)];
            for (int i = 0; i < rates.length; i++) {
                if (i > 0) {
                    settle(window, server);
                }
                ThreadCpu serverBefore = ThreadCpu.of(server.pid());
                rates[i] = drainInto(dir, port, clientTls, window, events, "our server (stored before ACK)");
                printServerCpu(window, events, ThreadCpu.of(server.pid()).since(serverBefore));
            }
            double rate = Bounds.median(rates);
            if (rates.length > 1) {
                System.out.printf("window %4d: %d measured drains: %s events/s, median %.0f%n", window, rates.length,
                        java.util.Arrays.stream(rates).mapToObj(r -> String.format("%.0f", r))
                                .collect(java.util.stream.Collectors.joining(" / ")), rate);
            }
            long storedCount = stopOurServer(server, serverOut);
            long sent = (long) warm * drained + (long) events * rates.length;
            System.out.printf("window %4d: our server stored %d of %d (%s)%n", window, storedCount, sent,
                    storedCount == sent ? "exactly once" : "MISMATCH");
            long[] stats = lastServerStats;
            if (stats[0] >= 0) {
                System.out.printf("window %4d: server JVM CPU %.1f us/event (whole run, start-up and warm-up included);"
                        + " %d store commits (one fsync each), %.1f events per commit%n", window,
                        stats[0] / 1e3 / sent, stats[1], (double) sent / Math.max(1, stats[1]));
            }
            return rate;
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Waits until both JVMs are quiet, under 5 % of one core over half a second: the compilers have
     * emptied their queues of what the warm-up made hot (on 2 cores a C2 compile of the TLS cipher
     * methods takes 0.3-0.5 s, and a queue of them runs on into the next drain). At most
     * {@link #SETTLE_LIMIT}; a long-running client and server are past this point.
     */
    static void settle(int window, Process server) throws InterruptedException {
        long start = System.nanoTime();
        while (true) {
            long clientBefore = processCpuNanos();
            ThreadCpu serverBefore = ThreadCpu.of(server.pid());
            long from = System.nanoTime();
            Thread.sleep(500); // the sampling period of the two processes' CPU, not a wait for a condition
            long busy = processCpuNanos() - clientBefore
                    + ThreadCpu.total(ThreadCpu.of(server.pid()).since(serverBefore));
            double cores = (double) busy / (System.nanoTime() - from);
            boolean quiet = cores < 0.05;
            if (quiet || System.nanoTime() - start > SETTLE_LIMIT.toNanos()) {
                System.out.printf("window %4d: %s after %.1f s (client + server %.0f%% of one core)%n", window,
                        quiet ? "both JVMs quiet" : "still busy, measuring anyway", (System.nanoTime() - start) / 1e9,
                        100 * cores);
                return;
            }
        }
    }

    /** CPU of the JIT compiler threads ("C1 CompilerThread0", "C2 CompilerThre" as /proc shortens it). */
    private static long compiling(java.util.Map<String, Long> byKind) {
        return byKind.entrySet().stream().filter(e -> e.getKey().matches("C. Compiler.*"))
                .mapToLong(java.util.Map.Entry::getValue).sum();
    }

    /** The server's CPU during the measured drain, per event, in all and by kind of thread. */
    private static void printServerCpu(int window, int events, java.util.Map<String, Long> byKind) {
        long total = ThreadCpu.total(byKind);
        System.out.println(String.format("window %4d: server CPU during the measured drain %.1f us/event; by thread,"
                + " us/event:", window, total / 1e3 / events)
                + ThreadCpu.perEvent(byKind, events, (total + 99) / 100)); // threads with at least 1 %
    }

    /** Fills the client's log with readings of 8 sensors, offline, as fast as group commit allows. */
    static void fill(Path database, int events) throws Exception {
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
            writers.awaitTermination(1, TimeUnit.MINUTES); // their CPU time is not the drain's
            if (log.queueSize() != events) {
                throw new IllegalStateException("filled " + log.queueSize() + " events, expected " + events);
            }
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU time of this JVM's live Java threads, by thread id. */
    static java.util.Map<Long, Long> threadCpu() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        java.util.Map<Long, Long> byId = new java.util.HashMap<>();
        for (long id : mx.getAllThreadIds()) {
            long t = mx.getThreadCpuTime(id);
            if (t > 0) {
                byId.put(id, t);
            }
        }
        return byId;
    }

    /**
     * The CPU time each live thread used since {@code before} (threads started meanwhile: all of it),
     * summed by thread name with the numbers and paths taken out.
     */
    static java.util.Map<String, Long> threadCpuSince(java.util.Map<Long, Long> before) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        java.util.Map<String, Long> byName = new java.util.TreeMap<>();
        for (java.lang.management.ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            long t = info == null ? -1 : mx.getThreadCpuTime(info.getThreadId());
            if (t > 0) {
                String name = info.getThreadName().replaceAll("/tmp/\\S*", "").replaceAll("[0-9]+", "N");
                byName.merge(name, t - before.getOrDefault(info.getThreadId(), 0L), Long::sum);
            }
        }
        return byName;
    }

    static long rssKb() {
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

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
