package io.sink.stress;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.protocol.ProtocolException;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.stress.chaos.ChaosClient;
import io.sink.stress.chaos.ChaosServer;
import io.sink.sqlite.SmallFilesystem;
import io.sink.testsupport.Await;
import io.sink.tls.DevCertificates;
import io.sink.tls.SslContexts;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * Proof under stress, item 2: no reading is lost or duplicated, whatever breaks.
 *
 * <p>A {@link ChaosServer} (engine, SQLite received-event store, reading log, durable registry) and a
 * {@link ChaosClient} (SQLite event log, poller, engine, and a fast simulated sensor of three sensors)
 * run in their own JVMs, the client connected through an in-process {@link FaultProxy}. While the
 * sensor logs readings as fast as the event log takes them (each durable, synchronous=FULL, before the
 * client prints {@code accepted <sensor> <offset>}), one fault every 0.3 to 1.5 s (seeded, the seed
 * printed): the proxy resets every connection; the proxy stalls both ways for longer than 2 keepalive
 * intervals (so only keepalive can tell); the proxy cuts a chunk (a TLS record, a frame) in the middle
 * and closes; the client is SIGKILLed and started again; the server is SIGKILLed and started again on
 * the same port; a disk-full episode on either side (each database is on its own tmpfs, filled up,
 * held full 1.5 to 3 s, freed; needs root, else the test fails saying so, unless
 * {@code -Dsink.stress.chaos.diskFull=false}); a flood window of the {@link HostileClient} (PINGs
 * never read, PUBLISHes past the window, garbage and stalled handshakes), during which the honest
 * client must deliver. The first eight faults are the eight kinds in a seeded order, so every kind
 * happens. No operator command is ever given: the stream must go on by itself.
 *
 * <p>Then the faults stop, the last client is killed and one is started with its sensor off, which
 * must drain its queue to 0; both are stopped and their databases opened here. Asserted: every
 * accepted (sensor, offset) is stored on the server exactly once, with the reading of the process that
 * accepted it; each sensor's offsets on the server are 1..max without a gap, and max is the client's
 * last offset of that sensor; no reading is unacknowledged on the client; {@code PRAGMA
 * integrity_check} is ok on both databases; no offset was accepted twice; a reading the client's log
 * refused (full disk) is not accepted and names the cause; no {@code OutOfMemoryError} in either
 * child's log (both {@code -Xmx256m}).
 *
 * <p>Short (CI): 40 s of faults. Long ({@code -Dsink.stress=long}): faults until at least 1,000,000
 * readings were accepted (at most 150 minutes, else the test fails after checking what it has).
 * Properties: {@code sink.stress.chaos.seconds}, {@code .readings}, {@code .maxMinutes},
 * {@code .seed}, {@code .writers} (sensor threads, 1 to 3; default 3), {@code .drainSeconds},
 * {@code .keepaliveMs} (default 500; the stalls last 2 keepalive intervals + 0.1 to 0.6 s),
 * {@code .filesystemMegabytes} (512; long 1024), {@code .diskFull} (true), {@code .endWithServerKill} (false;
 * true kills and restarts the server right before the drain client starts). Outside the disk-full episodes the
 * databases must never fill their tmpfs by themselves (the server would then withhold every event for good,
 * as it should, and the drain could not end: a CI run on a faster machine, whose 64 MiB filled up with
 * readings and hostile events): after each fault a tmpfs more than half used is grown to twice its size
 * (said in the summary).
 */
class ChaosTest {
    private static final String CLIENT = "chaos-client";
    private static final String HOSTILE = "chaos-hostile";
    private static final String HOSTILE_PINGS = "chaos-hostile-pings";

    private static final int SENSORS = 3;
    private final int keepaliveMs = Stress.integer("sink.stress.chaos.keepaliveMs", 500, 500);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    enum Fault {
        CUT("proxy cut"), STALL("proxy stall"), CUT_MID("proxy cut-mid"), KILL_CLIENT("client SIGKILL"),
        KILL_SERVER("server SIGKILL"), DISK_FULL_SERVER("server disk full"), DISK_FULL_CLIENT("client disk full"),
        FLOOD("hostile flood");

        final String label;

        Fault(String label) {
            this.label = label;
        }
    }

    private final List<ChaosProcess> children = new CopyOnWriteArrayList<>();
    private FaultProxy proxy;

    private Path dir;
    private Path pki;
    private Path logs;
    private int serverPort;
    private String classPath;
    private final Accepted accepted = new Accepted();
    /** Readings the client's event log refused (EventLogFullException): not accepted, not in the invariant. */
    private final AtomicLong refused = new AtomicLong();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private Server server;
    private Client client;
    private final List<Server> servers = new ArrayList<>();
    private final List<Client> clients = new ArrayList<>();
    private int writers;
    private final List<String> timeline = new ArrayList<>();
    private SmallFilesystem serverFs;
    private SmallFilesystem clientFs;
    private Path serverDb;
    private Path clientDb;
    private HostileClient hostile;
    /** Per flood window: the honest client's events stored on the server during it. */
    private final List<Long> floodProgress = new ArrayList<>();
    private final Map<Fault, Long> bytesFilled = new EnumMap<>(Fault.class);
    /** Each side's database lives on a tmpfs of this size (MiB), filled up during a disk-full episode. */
    private final int filesystemMegabytes = Stress.integer("sink.stress.chaos.filesystemMegabytes", 512, 1024);
    /** Each time a side's tmpfs was grown because its data (not an episode's filler) took half of it. */
    private final List<String> grown = new ArrayList<>();
    private final boolean diskFullEpisodes = !"false".equals(System.getProperty("sink.stress.chaos.diskFull",
            "true").trim());

    @AfterEach
    void destroyEverything() {
        for (ChaosProcess child : children) {
            child.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (hostile != null) {
            hostile.close();
        }
        for (SmallFilesystem fs : new SmallFilesystem[] {serverFs, clientFs}) {
            if (fs != null) {
                try {
                    fs.free();
                    fs.close();
                } catch (Exception e) {
                    System.err.println("chaos: could not unmount " + fs.path() + ": " + e);
                }
            }
        }
    }

    @Test
    void noReadingIsLostOrDuplicatedWhateverBreaks(@TempDir Path tempDir) throws Exception {
        int faultSeconds = Stress.integer("sink.stress.chaos.seconds", 40, 0);
        int minReadings = Stress.integer("sink.stress.chaos.readings", 0, 1_000_000);
        int maxMinutes = Stress.integer("sink.stress.chaos.maxMinutes", 10, 150);
        int drainSeconds = Stress.integer("sink.stress.chaos.drainSeconds", 180, 3600);
        writers = Stress.integer("sink.stress.chaos.writers", SENSORS, SENSORS);
        String seedProperty = System.getProperty("sink.stress.chaos.seed");
        long seed = seedProperty == null || seedProperty.isBlank() ? ThreadLocalRandom.current().nextLong()
                : Long.parseLong(seedProperty.trim());
        System.out.printf("chaos (%s): seed %d (replay the fault schedule with -Dsink.stress.chaos.seed=%d); "
                + "%d s of faults, at least %,d readings, %d sensor writer(s)%n", Stress.mode(), seed, seed,
                faultSeconds, minReadings, writers);

        dir = tempDir;
        pki = dir.resolve("pki");
        DevCertificates.ensure(pki, List.of(CLIENT, HOSTILE, HOSTILE_PINGS));
        if (diskFullEpisodes) {
            serverFs = smallFilesystem(dir.resolve("server-fs"));
            clientFs = smallFilesystem(dir.resolve("client-fs"));
        }
        serverDb = Files.createDirectories(dir.resolve("server-fs")).resolve("server.db");
        clientDb = Files.createDirectories(dir.resolve("client-fs")).resolve("client.db");
        logs = Stress.logDirectory();
        Files.deleteIfExists(logs.resolve("chaos-server.log"));
        Files.deleteIfExists(logs.resolve("chaos-client.log"));
        Files.createDirectories(dir.resolve("sqlite-native"));
        classPath = snapshot(Stress.childClassPath(), dir.resolve("classpath"));
        serverPort = freePort();

        startServer();
        hostile = new HostileClient(SslContexts.forClient(DevCertificates.clientConfig(pki, HOSTILE_PINGS)),
                SslContexts.forClient(DevCertificates.clientConfig(pki, HOSTILE)), serverPort, 150);
        proxy = FaultProxy.start("127.0.0.1", serverPort);
        startClient(true);

        // ---- the fault phase
        Random random = new Random(seed);
        List<Fault> firstOfEach = new ArrayList<>(kinds());
        Collections.shuffle(firstOfEach, random);
        Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
        long phaseStart = System.nanoTime();
        long minEnd = phaseStart + TimeUnit.SECONDS.toNanos(faultSeconds);
        long cap = phaseStart + TimeUnit.MINUTES.toNanos(maxMinutes);
        long nextProgress = phaseStart + TimeUnit.SECONDS.toNanos(30);
        int n = 0;
        boolean capped = false;
        while (System.nanoTime() - minEnd < 0 || accepted.count() < minReadings) {
            if (System.nanoTime() - cap > 0) {
                capped = true;
                break;
            }
            Duration pause = Duration.ofMillis(300 + random.nextInt(1201));
            // the fault schedule's pause, cut short only by a child that ends by itself (a failure)
            if (Await.holds(pause, this::aChildEndedByItself)) {
                throw new AssertionError("a child process ended by itself during the fault phase: " + status());
            }
            Fault fault = n < firstOfEach.size() ? firstOfEach.get(n) : pick(random);
            if (!diskFullEpisodes && (fault == Fault.DISK_FULL_SERVER || fault == Fault.DISK_FULL_CLIENT)) {
                fault = Fault.CUT; // -Dsink.stress.chaos.diskFull=false (said in the summary)
            }
            injectRecorded(fault, random, injected, phaseStart,
                    String.format(Locale.ROOT, "%,d readings accepted so far", accepted.count()));
            n++;
            keepRoom(phaseStart);
            if (System.nanoTime() - nextProgress > 0) {
                nextProgress += TimeUnit.SECONDS.toNanos(30);
                System.out.printf("chaos: %.0f s, %,d readings accepted, %d faults %s%n",
                        (System.nanoTime() - phaseStart) / 1e9, accepted.count(), n, injected);
            }
        }
        double faultPhaseSeconds = (System.nanoTime() - phaseStart) / 1e9;
        long acceptedInFaultPhase = accepted.count();

        // ---- stop the faults; a cut-mid still armed goes off on the next chunk, before the drain
        proxy.resume();
        Await.until(() -> "an armed cut-mid to go off (" + status() + ")", Duration.ofSeconds(60),
                () -> !proxy.midChunkCutPending());
        if (Boolean.getBoolean("sink.stress.chaos.endWithServerKill")) {
            // the drain client then meets a server that has just started (as in one CI run that hung)
            injectRecorded(Fault.KILL_SERVER, random, injected, phaseStart, "before the drain");
        }
        keepRoom(phaseStart);
        client.process.kill();
        int finalClientKill = 1;

        // ---- the drain: a client with its sensor off sends everything left
        long drainStart = System.nanoTime();
        startClient(false);
        Client drain = client;
        long backlog = drain.readyQueue;
        Await.until(() -> "the client's queue to reach 0 and stay there for 5 reports (" + drainStalled(drain)
                + "; " + status() + ")", Duration.ofSeconds(drainSeconds),
                () -> drain.zeroReportsInARow.get() >= 5 || drain.process.endedByItself());
        assertThat(drain.process.endedByItself()).as("the drain client ended by itself: " + status()).isFalse();
        double drainSecondsTaken = (System.nanoTime() - drainStart) / 1e9;
        drain.process.stop(Duration.ofSeconds(60));
        assertThat(drain.bye).as("the drain client printed bye").isTrue();
        assertThat(drain.queue).as("the drain client's last queue report").isZero();
        server.process.stop(Duration.ofSeconds(60));
        assertThat(server.bye).as("the server printed bye").isTrue();
        proxy.close();

        // ---- what the databases hold
        Verdict verdict = verify(serverDb, clientDb);

        long clientKills = injected.getOrDefault(Fault.KILL_CLIENT, 0);
        long serverKills = injected.getOrDefault(Fault.KILL_SERVER, 0);
        long duplicates = servers.stream().mapToLong(s -> s.duplicates).sum();
        long storedReported = servers.stream().mapToLong(s -> s.stored).sum();
        Map<FaultProxy.Fault, Long> proxyFaults = proxy.faults();
        String deadLink = "the peer is dead or the link stalled";
        long keepaliveClosesClient = countLines(logs.resolve("chaos-client.log"), deadLink);
        long keepaliveClosesServer = countLines(logs.resolve("chaos-server.log"), deadLink);
        long refusals = countLines(logs.resolve("chaos-client.log"), "the server refused the connection")
                + countLines(logs.resolve("chaos-client.log"), "the server quarantined this client");
        long helloNewClient = countLines(logs.resolve("chaos-client.log"), "(hello_new_client,");
        long warnings = inBothLogs(" WARN ") + inBothLogs(" ERROR ");
        String summary = String.format(Locale.ROOT, "chaos (%s, seed %d): %,d readings accepted by the sensor in"
                + " %.1f s of faults (%.0f/s; %d sensors, %d writer(s)); %d faults: %s; client kills %d (+%d before"
                + " the drain), server kills %d; client incarnations %d, server incarnations %d; proxy: %d"
                + " connections, %d reset by cuts, %d stalls, %d cut mid-chunk; connections closed by keepalive"
                + " (client/server) %d/%d; re-sent events (server duplicates, summed over incarnations) %,d;"
                + " server rows %,d (%,d committed without their accepted line: killed in between), stored-as-new"
                + " reported %,d; drain of %,d events in %.1f s (from the drain client's start); client queue %d;"
                + " integrity_check server %s, client %s; handshakes answered hello_new_client %d, refused %d;"
                + " WARN/ERROR log lines %d",
                Stress.mode(), seed, acceptedInFaultPhase, faultPhaseSeconds, acceptedInFaultPhase / faultPhaseSeconds,
                SENSORS, writers, n, describe(injected), clientKills, finalClientKill, serverKills, clients.size(),
                servers.size(), proxy.acceptedConnections(), proxyFaults.get(FaultProxy.Fault.CUT),
                proxyFaults.get(FaultProxy.Fault.STALL), proxyFaults.get(FaultProxy.Fault.MID_CHUNK_CUT),
                keepaliveClosesClient, keepaliveClosesServer, duplicates, verdict.serverRows,
                verdict.serverRows - accepted.count(), storedReported, backlog, drainSecondsTaken,
                verdict.unacknowledged, verdict.serverIntegrity, verdict.clientIntegrity, helloNewClient, refusals,
                warnings);
        long withheld = servers.stream().mapToLong(s -> s.withheld).sum();
        long nacks = servers.stream().mapToLong(s -> s.nacks).sum();
        long outOfMemory = inBothLogs("OutOfMemoryError");
        long readPauses = servers.stream().mapToLong(s -> s.pauses).sum();
        String extended = String.format(Locale.ROOT, "chaos, extended: disk-full episodes %s: server %d (%,d bytes"
                + " of filler), client %d (%,d bytes of filler); events the server withheld (not stored for now: no"
                + " ACK, no NACK, the client re-sends; summed over incarnations) %,d; NACKs (all clients) %,d;"
                + " readings the client's event log refused (full disk: not accepted) %,d; flood windows %d, events"
                + " of the honest client stored during each %s; hostile client from %s: %s; hostile events on the"
                + " server %,d (the server stopped reading their connections %,d times); OutOfMemoryError lines in"
                + " the logs %d (server and client -Xmx256m); queue sizes the clients could not read %d",
                diskFullEpisodes ? "on (a tmpfs of " + filesystemMegabytes + " MiB per side, grown: "
                        + (grown.isEmpty() ? "never" : String.join(", ", grown)) + ")" : "OFF (-Dsink.stress.chaos.diskFull"
                        + "=false)", injected.getOrDefault(Fault.DISK_FULL_SERVER, 0),
                bytesFilled.getOrDefault(Fault.DISK_FULL_SERVER, 0L), injected.getOrDefault(Fault.DISK_FULL_CLIENT, 0),
                bytesFilled.getOrDefault(Fault.DISK_FULL_CLIENT, 0L), withheld, nacks, refused.get(),
                floodProgress.size(), floodProgress, HostileClient.LOCAL_ADDRESS, hostile.stats(),
                verdict.hostileRows, readPauses, outOfMemory,
                clients.stream().mapToLong(c -> c.queueReadFailures.get()).sum());
        System.out.println(summary);
        System.out.println(extended);
        List<String> report = new ArrayList<>();
        report.add(summary);
        report.add(extended);
        report.add("faults (seconds from the start of the fault phase):");
        report.addAll(timeline);
        Files.write(logs.resolve("chaos-" + Stress.mode() + ".txt"), report, StandardCharsets.UTF_8);

        for (ChaosProcess child : children) {
            if (child.partialLastLine() != null) {
                problems.add(child.name() + " left half a line: '" + child.partialLastLine() + "'");
            }
        }
        assertThat(problems).as("problems seen while reading the children's output").isEmpty();
        assertThat(verdict.failures).as("lost, duplicated or altered readings (server %s, client %s)",
                serverDb, clientDb).isEmpty();
        assertThat(verdict.serverIntegrity).as("PRAGMA integrity_check of the server's database").isEqualTo("ok");
        assertThat(verdict.clientIntegrity).as("PRAGMA integrity_check of the client's database").isEqualTo("ok");
        assertThat(verdict.unacknowledged).as("unacknowledged events left on the client").isZero();
        // the durable registry and the client's stored ids must agree across every kill
        assertThat(refusals).as("connections the server refused (instance_id_mismatch etc.), see " + logs
                .resolve("chaos-client.log")).isZero();
        assertThat(accepted.count()).as("readings accepted").isPositive();
        assertThat(outOfMemory).as("OutOfMemoryError in the logs of the children (" + logs + ")").isZero();
        // a transient store failure (full disk) is withheld, never NACKed; the hostile client sends valid
        // readings only. Needed: a parked stream is not seen by the drain, a new process re-sends it
        assertThat(nacks).as("NACKs sent by the server (see " + logs.resolve("chaos-client.log") + ")").isZero();
        // a killed client can leave at most one committed reading per writer thread without its line:
        // more would mean lines lost on the way (the output of a killed child must be read to its end)
        assertThat(verdict.serverRows - accepted.count()).as("readings on the server without an accepted line")
                .isBetween(0L, (long) writers * (clientKills + finalClientKill));
        for (Fault fault : kinds()) {
            assertThat(injected.getOrDefault(fault, 0)).as("faults of kind " + fault).isPositive();
        }
        // the PUBLISH flood must have reached the server (it once went silent and was closed unheard)
        // and met its backpressure, else the flood windows proved only the PING and handshake floods
        assertThat(verdict.hostileRows).as("events of the hostile PUBLISH flood stored on the server (%s)",
                hostile.stats()).isPositive();
        assertThat(readPauses).as("times the server stopped reading the hostile PUBLISH flood (%s)",
                hostile.stats()).isPositive();
        assertThat(capped).as("reached %,d readings within %d minutes (got %,d)", minReadings, maxMinutes,
                acceptedInFaultPhase).isFalse();
    }

    // ------------------------------------------------------------------ faults

    /** The kinds of fault of this run: all, or all but the disk-full episodes when they are off. */
    private List<Fault> kinds() {
        return Stream.of(Fault.values()).filter(f -> diskFullEpisodes
                || f != Fault.DISK_FULL_SERVER && f != Fault.DISK_FULL_CLIENT).toList();
    }

    private static Fault pick(Random random) {
        int r = random.nextInt(100);
        if (r < 22) {
            return Fault.CUT;
        } else if (r < 40) {
            return Fault.STALL;
        } else if (r < 62) {
            return Fault.CUT_MID;
        } else if (r < 76) {
            return Fault.KILL_CLIENT;
        } else if (r < 88) {
            return Fault.KILL_SERVER;
        } else if (r < 92) {
            return Fault.DISK_FULL_SERVER;
        } else if (r < 96) {
            return Fault.DISK_FULL_CLIENT;
        }
        return Fault.FLOOD;
    }

    /** Injects a fault, counted and on the timeline with {@code note}. */
    private void injectRecorded(Fault fault, Random random, Map<Fault, Integer> injected, long phaseStart,
            String note) throws Exception {
        timeline.add(String.format(Locale.ROOT, "%9.3f s  %-14s (%s)", (System.nanoTime() - phaseStart) / 1e9,
                fault.label, note));
        inject(fault, random);
        injected.merge(fault, 1, Integer::sum);
    }

    private void inject(Fault fault, Random random) throws Exception {
        switch (fault) {
            case CUT -> proxy.cutAll();
            // longer than 2 keepalive intervals: a dead link is closed 1.5 to 2 K after the last frame
            case STALL -> proxy.stall(Duration.ofMillis(2L * keepaliveMs + 100 + random.nextInt(500)));
            case CUT_MID -> proxy.cutMidChunk(FaultProxy.Direction.ANY);
            case KILL_CLIENT -> {
                client.process.kill();
                startClient(true);
            }
            case KILL_SERVER -> {
                server.process.kill();
                startServer();
            }
            case DISK_FULL_SERVER -> diskFull(fault, serverFs, random);
            case DISK_FULL_CLIENT -> diskFull(fault, clientFs, random);
            case FLOOD -> flood(random);
        }
    }

    /**
     * A disk-full episode: the side's file system is filled up, held full 1.5 to 3 s (no other fault
     * meanwhile), then freed. Nobody is told: both sides must resume by themselves.
     */
    private void diskFull(Fault fault, SmallFilesystem fs, Random random) throws IOException {
        bytesFilled.merge(fault, fs.fill(), Long::sum);
        try {
            if (Await.holds(Duration.ofMillis(1500 + random.nextInt(1501)), this::aChildEndedByItself)) {
                throw new AssertionError("a child process ended by itself during a disk-full episode: " + status());
            }
        } finally {
            fs.free();
        }
    }

    /**
     * A flood window: the hostile client floods for at least 3 s (no other fault meanwhile), until the
     * server stored events of the honest client during it and stopped reading the PUBLISH flood at
     * least once (its backpressure met), 20 s at most: else the test fails saying which did not happen.
     * (Ending at 3 s with the honest client's progress alone, a flood whose PUBLISH connection came up
     * late in the window, behind the handshake flood, was sometimes answered as fast as it came and never
     * paused: the window had proved the PING and handshake floods only.)
     */
    private void flood(Random random) throws Exception {
        long before = honestEventsOnServer();
        long pausesBefore = server.pauses;
        long upBefore = proxy.bytesUp();
        long downBefore = proxy.bytesDown();
        long acceptedBefore = proxy.acceptedConnections();
        long start = System.nanoTime();
        hostile.start(random.nextLong());
        boolean ended;
        try {
            ended = Await.holds(Duration.ofSeconds(20), () -> aChildEndedByItself()
                    || System.nanoTime() - start > TimeUnit.SECONDS.toNanos(3) && honestEventsOnServer() > before
                    && server.pauses > pausesBefore);
        } finally {
            hostile.stop();
        }
        if (aChildEndedByItself()) {
            throw new AssertionError("a child process ended by itself during a flood window: " + status());
        }
        long progress = honestEventsOnServer() - before;
        floodProgress.add(progress);
        // whether the honest client sent and the server answered: its connections go through the proxy
        String honest = String.format(Locale.ROOT, "honest client through the proxy meanwhile: %,d bytes to the"
                + " server, %,d bytes back, %d new connections", proxy.bytesUp() - upBefore,
                proxy.bytesDown() - downBefore, proxy.acceptedConnections() - acceptedBefore);
        if (progress <= 0) {
            throw new AssertionError("the honest client delivered nothing during 20 s of flood (" + hostile.stats()
                    + "; " + honest + "; " + status() + "; " + dumpThreads("flood") + ")");
        }
        if (!ended) {
            throw new AssertionError("the server never stopped reading the hostile PUBLISH flood in 20 s of flood ("
                    + hostile.stats() + "; " + honest + "; " + status() + "; " + dumpThreads("flood") + ")");
        }
    }

    /** A connection to a database its process still writes (WAL), waiting out its locks. */
    private static Connection openBeside(Path database) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + database);
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = 10000");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** Events of the honest client stored on the server now (read beside the running server: WAL). */
    private long honestEventsOnServer() {
        try (Connection c = openBeside(serverDb)) {
            return single(c, "SELECT coalesce((SELECT events FROM received_counts WHERE client_id = '" + CLIENT
                    + "'), 0)");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + serverDb + ": " + e.getMessage(), e);
        }
    }

    /**
     * A tmpfs for one side's database, to fill up. Needs root (CI runs as root); elsewhere the test
     * fails saying so, unless disk-full episodes are turned off explicitly (the summary says so).
     */
    private SmallFilesystem smallFilesystem(Path mountPoint) throws Exception {
        try {
            return SmallFilesystem.mount(mountPoint, filesystemMegabytes + "m");
        } catch (TestAbortedException e) {
            throw new AssertionError("the chaos test's disk-full episodes need a small file system, and mounting"
                    + " a tmpfs on " + mountPoint + " failed (it needs root): run as root, or turn the episodes off"
                    + " with -Dsink.stress.chaos.diskFull=false");
        }
    }

    /**
     * Grows a side's tmpfs to twice its size when its data took more than half of it (between faults,
     * so never during a disk-full episode, which must fill it whole).
     */
    private void keepRoom(long phaseStart) throws Exception {
        for (SmallFilesystem fs : new SmallFilesystem[] {serverFs, clientFs}) {
            if (fs == null) {
                continue;
            }
            long total = fs.totalBytes();
            if (fs.usableBytes() < total / 2) {
                long megabytes = 2 * Math.max(1, total >> 20);
                fs.grow(megabytes);
                grown.add(String.format(Locale.ROOT, "%s to %d MiB at %.1f s", fs == serverFs ? "server" : "client",
                        megabytes, (System.nanoTime() - phaseStart) / 1e9));
            }
        }
    }

    private static String describe(Map<Fault, Integer> injected) {
        return Stream.of(Fault.values()).map(f -> f.label + " " + injected.getOrDefault(f, 0))
                .collect(Collectors.joining(", "));
    }

    private boolean aChildEndedByItself() {
        return server.process.endedByItself() || client.process.endedByItself();
    }

    /**
     * What a drain that timed out was doing, for the failure message: its queue reports, both children's
     * threads (dumped into the logs folder) and the last lines of both logs.
     */
    private String drainStalled(Client drain) {
        StringBuilder why = new StringBuilder();
        why.append("queue ").append(drain.readyQueue).append(" at ready, last report ").append(drain.queue)
                .append(" of ").append(drain.queueReports.get()).append(" reports, the last ")
                .append(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - drain.lastReportAt)).append(" ms ago")
                .append(", ").append(drain.queueReadFailures.get()).append(" unreadable (last: ")
                .append(drain.lastQueueReadFailure).append(')');
        why.append("; the client's database now: ").append(clientQueueNow());
        why.append("; ").append(space("server", serverDb)).append("; ").append(space("client", clientDb));
        why.append("; ").append(askStatus(drain));
        why.append("; ").append(drain.process.dumpThreads(logs.resolve("chaos-drain-client-threads.txt")));
        why.append("; ").append(server.process.dumpThreads(logs.resolve("chaos-drain-server-threads.txt")));
        for (String name : List.of("chaos-client.log", "chaos-server.log")) {
            why.append(System.lineSeparator()).append("last lines of ").append(name).append(':');
            for (String line : lastLines(logs.resolve(name), 12)) {
                why.append(System.lineSeparator()).append("  ").append(line);
            }
        }
        return why.toString();
    }

    /** The client's queue read beside the running client (WAL): the events table and the counters. */
    private String clientQueueNow() {
        try (Connection c = openBeside(clientDb)) {
            return single(c, "SELECT count(*) FROM events WHERE acked_at IS NULL") + " unacknowledged events, counter "
                    + single(c, "SELECT unacked FROM queue_counters WHERE id = 1");
        } catch (SQLException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    /** The free space of a side's file system and the sizes of its database files, for a stalled drain. */
    private static String space(String side, Path database) {
        StringBuilder out = new StringBuilder(side).append(" file system: ");
        try {
            out.append(Files.getFileStore(database.getParent()).getUsableSpace() / 1024).append(" KiB free");
        } catch (IOException e) {
            out.append("free space unknown (").append(e.getMessage()).append(')');
        }
        for (String suffix : List.of("", "-wal", "-shm")) {
            Path file = database.resolveSibling(database.getFileName() + suffix);
            try {
                out.append(", ").append(file.getFileName()).append(' ').append(Files.size(file) / 1024).append(" KiB");
            } catch (IOException e) {
                out.append(", no ").append(file.getFileName());
            }
        }
        return out.toString();
    }

    private static List<String> lastLines(Path file, int n) {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            List<String> all = lines.toList();
            return all.subList(Math.max(0, all.size() - n), all.size());
        } catch (IOException | java.io.UncheckedIOException e) {
            return List.of("(cannot read " + file + ": " + e.getMessage() + ")");
        }
    }

    /**
     * What the client, the server and this JVM (the proxy, the hostile client, the readers of the
     * children's output) are doing now, in the logs directory: the client logs its poller's status, then
     * the threads of all three are dumped. Says where; never throws.
     */
    private String dumpThreads(String when) {
        return askStatus(client) + "; "
                + client.process.dumpThreads(logs.resolve("chaos-" + when + "-client-threads.txt")) + "; "
                + server.process.dumpThreads(logs.resolve("chaos-" + when + "-server-threads.txt")) + "; "
                + ChaosProcess.dumpThreads("this JVM", ProcessHandle.current().pid(),
                        logs.resolve("chaos-" + when + "-test-threads.txt"));
    }

    /** Has a client log its poller's status (the {@code status} command); says so. */
    private static String askStatus(Client c) {
        return c.process.tell("status") + " (its poller's status goes to its log)";
    }

    private String status() {
        return "server " + server.process + ", client " + client.process + " (client error: " + client.error
                + "); logs in " + logs;
    }

    // ------------------------------------------------------------------ children

    private List<String> jvmOptions() {
        return List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError",
                "-Dorg.sqlite.tmpdir=" + dir.resolve("sqlite-native"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.log.io.netty=warn",
                "-Dorg.slf4j.simpleLogger.log.com.zaxxer.hikari=warn",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
    }

    private void startServer() throws Exception {
        Server s = new Server(servers.size() + 1);
        s.process = ChaosProcess.start("server-" + s.incarnation, jvmOptions(), classPath,
                ChaosServer.class.getName(),
                List.of("--pki", pki.toString(), "--port", Integer.toString(serverPort), "--db",
                        serverDb.toString(), "--state", dir.resolve("server-state").toString(),
                        "--keepalive-ms", Integer.toString(keepaliveMs), "--watch", HOSTILE),
                logs.resolve("chaos-server.log"), s::line);
        children.add(s.process);
        servers.add(s);
        server = s;
        awaitStart(s.process, s.listening, "listening");
    }

    private void startClient(boolean sensor) throws Exception {
        Client c = new Client(clients.size() + 1);
        c.process = ChaosProcess.start("client-" + c.incarnation, jvmOptions(), classPath,
                ChaosClient.class.getName(),
                List.of("--pki", pki.toString(), "--client", CLIENT, "--db", clientDb.toString(),
                        "--port", Integer.toString(proxy.port()), "--incarnation", Integer.toString(c.incarnation),
                        "--sensor", sensor ? "on" : "off", "--sensors", Integer.toString(SENSORS), "--writers",
                        Integer.toString(writers), "--keepalive-ms", Integer.toString(keepaliveMs)),
                logs.resolve("chaos-client.log"), c::line);
        children.add(c.process);
        clients.add(c);
        client = c;
        awaitStart(c.process, c.ready, "ready");
    }

    private void awaitStart(ChaosProcess process, CountDownLatch started, String line) {
        BooleanSupplier up = () -> started.getCount() == 0 || !process.isAlive();
        Await.until(() -> process + " to print '" + line + "' (logs in " + logs + ")", START_TIMEOUT, up);
        assertThat(started.getCount()).as(process + " printed '" + line + "' (logs in " + logs + ")").isZero();
    }

    /**
     * Copies the children's class path into the test's folder: the children are started again and
     * again for minutes, and meanwhile a build may rewrite target/classes or a jar in the local
     * repository (a child started on a half-written jar fails with NoClassDefFoundError).
     */
    private static String snapshot(String path, Path into) throws IOException {
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : path.split(File.pathSeparator)) {
            if (entry.isBlank() || !Files.exists(Path.of(entry))) {
                continue;
            }
            Path source = Path.of(entry);
            Path target = into.resolve((i++) + "-" + source.getFileName());
            try (Stream<Path> files = Files.walk(source)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Path copy = target.resolve(source.relativize(file).toString());
                    if (Files.isDirectory(file)) {
                        Files.createDirectories(copy);
                    } else {
                        Files.createDirectories(copy.getParent());
                        Files.copy(file, copy);
                    }
                }
            }
            entries.add(target.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /** A port free now, for the server: it keeps it across its restarts, so the proxy's target stays valid. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private final class Server {
        final int incarnation;
        final CountDownLatch listening = new CountDownLatch(1);
        ChaosProcess process;
        volatile long duplicates;
        volatile long stored;
        volatile long withheld;
        volatile long nacks;
        /** Times this incarnation stopped reading the hostile PUBLISH flood's connections. */
        volatile long pauses;
        volatile boolean bye;

        Server(int incarnation) {
            this.incarnation = incarnation;
        }

        void line(String line) {
            if (line.startsWith("listening ")) {
                listening.countDown();
            } else if (line.startsWith("duplicates ")) {
                duplicates = Long.parseLong(line.substring(11));
            } else if (line.startsWith("stored ")) {
                stored = Long.parseLong(line.substring(7));
            } else if (line.startsWith("withheld ")) {
                withheld = Long.parseLong(line.substring(9));
            } else if (line.startsWith("nacks ")) {
                nacks = Long.parseLong(line.substring(6));
            } else if (line.startsWith("pauses ")) {
                pauses = Long.parseLong(line.substring(7));
            } else if (line.equals("bye")) {
                bye = true;
            } else {
                problems.add("server " + incarnation + " printed an unexpected line: " + line);
            }
        }
    }

    private final class Client {
        final int incarnation;
        final CountDownLatch ready = new CountDownLatch(1);
        final AtomicInteger zeroReportsInARow = new AtomicInteger();
        final AtomicLong queueReports = new AtomicLong();
        volatile long lastReportAt = System.nanoTime();
        /** Reports of a queue size that could not be read ({@code queue-unknown}), and the last reason. */
        final AtomicLong queueReadFailures = new AtomicLong();
        volatile String lastQueueReadFailure;
        ChaosProcess process;
        volatile long queue = -1;
        volatile long readyQueue = -1;
        volatile String error;
        volatile boolean bye;

        Client(int incarnation) {
            this.incarnation = incarnation;
        }

        void line(String line) {
            if (line.startsWith("accepted ")) {
                int space = line.indexOf(' ', 9);
                accepted.add(line.substring(9, space), Integer.parseInt(line.substring(space + 1)), incarnation);
            } else if (line.startsWith("refused ")) {
                refused.incrementAndGet();
                if (!line.contains("disk") && !line.contains("full")) {
                    problems.add("client " + incarnation + " refused a reading without naming a full disk: " + line);
                }
            } else if (line.startsWith("queue ")) {
                queue = Long.parseLong(line.substring(6));
                queueReports.incrementAndGet();
                lastReportAt = System.nanoTime();
                if (queue == 0) {
                    zeroReportsInARow.incrementAndGet();
                } else {
                    zeroReportsInARow.set(0);
                }
            } else if (line.startsWith("queue-unknown ")) {
                queueReadFailures.incrementAndGet();
                lastQueueReadFailure = line.substring(14);
            } else if (line.startsWith("ready ")) {
                readyQueue = Long.parseLong(line.substring(6));
                ready.countDown();
            } else if (line.startsWith("error ")) {
                error = line;
                problems.add("client " + incarnation + ": " + line);
            } else if (line.equals("bye")) {
                bye = true;
            } else {
                problems.add("client " + incarnation + " printed an unexpected line: " + line);
            }
        }
    }

    /** Every accepted (sensor, offset), with the incarnation of the client that accepted it. */
    private final class Accepted {
        private final Map<String, int[]> bySensor = new TreeMap<>();
        private long count;

        synchronized void add(String sensor, int offset, int incarnation) {
            int[] incarnations = bySensor.computeIfAbsent(sensor, s -> new int[1024]);
            if (offset >= incarnations.length) {
                incarnations = Arrays.copyOf(incarnations, Math.max(offset + 1, incarnations.length * 2));
                bySensor.put(sensor, incarnations);
            }
            if (offset < 1) {
                problems.add("client " + incarnation + " accepted " + sensor + " offset " + offset);
            } else if (incarnations[offset] != 0) {
                problems.add("offset " + offset + " of " + sensor + " accepted twice: by client " + incarnations[offset]
                        + " and by client " + incarnation);
            } else {
                incarnations[offset] = incarnation;
                count++;
            }
        }

        synchronized long count() {
            return count;
        }

        /** Sensor to (offset to incarnation); 0 where no line was printed. */
        synchronized Map<String, int[]> snapshot() {
            Map<String, int[]> copy = new LinkedHashMap<>();
            bySensor.forEach((s, a) -> copy.put(s, a.clone()));
            return copy;
        }
    }

    // ------------------------------------------------------------------ verification

    private record Verdict(List<String> failures, long serverRows, long unacknowledged, String serverIntegrity,
            String clientIntegrity, long hostileRows) {
    }

    private Verdict verify(Path serverDb, Path clientDb) throws SQLException {
        List<String> failures = new ArrayList<>();
        String clientIntegrity;
        long unacknowledged;
        Map<String, Long> clientLast = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + clientDb)) {
            clientIntegrity = integrity(c);
            unacknowledged = single(c, "SELECT count(*) FROM events WHERE acked_at IS NULL");
            long counted = single(c, "SELECT unacked FROM queue_counters WHERE id = 1");
            if (counted != unacknowledged) {
                failures.add("client queue counter says " + counted + " unacknowledged, the events table "
                        + unacknowledged);
            }
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT event_key, event_offset FROM last_events"
                            + " WHERE event_type_id = " + SensorReadingCodec.EVENT_TYPE_ID)) {
                while (rs.next()) {
                    clientLast.put(new String(rs.getBytes(1), StandardCharsets.UTF_8), rs.getLong(2));
                }
            }
        }

        Map<String, int[]> acceptedBySensor = accepted.snapshot();
        String serverIntegrity;
        long hostileRows;
        long rows = 0;
        Map<String, Long> serverMax = new TreeMap<>();
        Map<String, BitSet> onServer = new TreeMap<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + serverDb)) {
            serverIntegrity = integrity(c);
            hostileRows = single(c, "SELECT count(*) FROM received_events WHERE client_id = '" + HOSTILE + "'");
            long others = single(c, "SELECT count(*) FROM received_events WHERE client_id NOT IN ('" + CLIENT
                    + "', '" + HOSTILE + "')");
            if (others != 0) {
                failures.add(others + " events on the server from clients other than " + CLIENT + " and " + HOSTILE);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT event_key, event_offset, count(*)"
                    + " FROM received_events WHERE client_id = ? GROUP BY event_type_id, event_key, event_offset"
                    + " HAVING count(*) > 1 LIMIT 20")) {
                ps.setString(1, CLIENT);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        failures.add("stored " + rs.getLong(3) + " times on the server: "
                                + new String(rs.getBytes(1), StandardCharsets.UTF_8) + " offset " + rs.getLong(2));
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT event_type_id, schema_version, event_key,"
                    + " event_offset, event_data FROM received_events WHERE client_id = ?"
                    + " ORDER BY event_type_id, event_key, event_offset")) {
                ps.setString(1, CLIENT);
                try (ResultSet rs = ps.executeQuery()) {
                    String sensor = null;
                    long expected = 1;
                    while (rs.next()) {
                        rows++;
                        long type = rs.getLong(1);
                        long schema = rs.getLong(2);
                        String key = new String(rs.getBytes(3), StandardCharsets.UTF_8);
                        long offset = rs.getLong(4);
                        if (type != SensorReadingCodec.EVENT_TYPE_ID || schema != SensorReadingCodec.SCHEMA_VERSION) {
                            failures.add("unexpected event type " + type + " schema " + schema + " for " + key);
                            continue;
                        }
                        if (!key.equals(sensor)) {
                            sensor = key;
                            expected = 1;
                        }
                        if (offset != expected) {
                            failures.add(key + ": offsets on the server jump from " + (expected - 1) + " to "
                                    + offset + (offset > expected ? " (offsets " + expected + ".." + (offset - 1)
                                            + " are missing)" : ""));
                        }
                        expected = offset + 1;
                        serverMax.merge(key, offset, Math::max);
                        if (offset > Integer.MAX_VALUE) {
                            failures.add(key + ": offset " + offset + " out of range");
                            continue;
                        }
                        onServer.computeIfAbsent(key, k -> new BitSet()).set((int) offset);
                        int[] incarnations = acceptedBySensor.get(key);
                        int by = incarnations != null && offset < incarnations.length ? incarnations[(int) offset] : 0;
                        SensorReading reading;
                        try {
                            reading = SensorReadingCodec.decode(rs.getBytes(5));
                        } catch (ProtocolException e) {
                            failures.add(key + " offset " + offset + ": the stored reading does not decode: " + e);
                            continue;
                        }
                        if (by != 0 && reading.temperature() != by) {
                            failures.add(key + " offset " + offset + " was accepted by client " + by
                                    + " but the server holds the reading of client " + reading.temperature());
                        }
                    }
                }
            }
            long countedRows = single(c, "SELECT coalesce((SELECT events FROM received_counts WHERE client_id = '"
                    + CLIENT + "'), 0)");
            if (countedRows != rows) {
                failures.add("the server's count table says " + countedRows + " events, the events table " + rows);
            }
        }

        for (Map.Entry<String, int[]> e : acceptedBySensor.entrySet()) {
            BitSet stored = onServer.getOrDefault(e.getKey(), new BitSet());
            int[] incarnations = e.getValue();
            int missing = 0;
            for (int offset = 1; offset < incarnations.length; offset++) {
                if (incarnations[offset] != 0 && !stored.get(offset)) {
                    if (missing++ < 20) {
                        failures.add("LOST: " + e.getKey() + " offset " + offset + " accepted by client "
                                + incarnations[offset] + " is not on the server");
                    }
                }
            }
            if (missing > 20) {
                failures.add("LOST: " + (missing - 20) + " more readings of " + e.getKey());
            }
        }
        if (!clientLast.equals(serverMax)) {
            failures.add("last offset per sensor: client " + clientLast + ", server " + serverMax);
        }
        if (clientLast.size() != SENSORS) {
            failures.add("the client logged readings of " + clientLast.keySet() + ", expected " + SENSORS
                    + " sensors");
        }
        return new Verdict(failures.size() > 100 ? failures.subList(0, 100) : failures, rows, unacknowledged,
                serverIntegrity, clientIntegrity, hostileRows);
    }

    private static String integrity(Connection c) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
        }
        return String.join("; ", lines);
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            if (!rs.next()) {
                throw new AssertionError("no row from " + sql);
            }
            return rs.getLong(1);
        }
    }

    /** Lines holding {@code text} in the client's and the server's logs together. */
    private long inBothLogs(String text) throws IOException {
        return countLines(logs.resolve("chaos-client.log"), text) + countLines(logs.resolve("chaos-server.log"), text);
    }

    private static long countLines(Path file, String text) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (Stream<String> lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> l.contains(text)).count();
        }
    }
}
