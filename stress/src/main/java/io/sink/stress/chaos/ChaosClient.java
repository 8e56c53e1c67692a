package io.sink.stress.chaos;

import io.sink.api.client.ClientHandler;
import io.sink.api.client.EventLogFullException;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.poller.PollerStatus;
import io.sink.poller.internal.Poller;
import io.sink.poller.internal.PollerSettings;
import io.sink.poller.internal.outbox.ClientOutbox;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.sqlite.AriesSqlite;
import io.sink.sqlite.SqliteSettings;
import io.sink.store.sqlite.internal.SqliteEventLog;
import io.sink.store.sqlite.internal.StoreSettings;
import io.sink.testsupport.StoreClientHandler;
import io.sink.tls.DevCertificates;
import io.sink.tls.SslContexts;
import io.sink.transport.client.internal.ClientSettings;
import io.sink.transport.client.internal.SinkClientEngine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client of the chaos test, in its own JVM, wired as in a distribution but without OSGi: the
 * SQLite event log (WAL, synchronous=FULL) through the Aries pools, the poller and the Netty client
 * engine, plus a fast simulated sensor. Meant to be SIGKILLed at any moment and started again with
 * the same database.
 *
 * <pre>
 * java -cp &lt;class path&gt; io.sink.stress.chaos.ChaosClient --pki DIR --db FILE --port N --incarnation N
 *      [--client chaos-client] [--sensor on|off] [--sensors 3] [--writers 1] [--pace-us 0]
 *      [--keepalive-ms 500] [--window 64] [--period-ms 20]
 * </pre>
 *
 * It connects to 127.0.0.1:{@code port} (the fault proxy) with the certificate {@code <client>.pem} of
 * {@code DIR}, keepalive {@code keepalive-ms} and reconnect delays of 50, 100, 200 ms (then 200 ms
 * again). With {@code --sensor on} (the default), {@code writers} threads log readings of the sensors
 * {@code sensor-1} .. {@code sensor-<sensors>} (shared out among the writers, each writer taking its
 * sensors in turn) with {@code appendNext} as fast as they go (or one per {@code pace-us} per writer);
 * each reading is {@code %{temperature: <incarnation>, humidity: <n mod 101>}}, so the test can tell
 * which process logged an offset.
 *
 * <p>Standard output, each line in one {@code write} call ({@link Lines}): {@code ready <queue>} once
 * the log is open and the engine started; {@code accepted <sensor> <offset>} for each reading, printed only after
 * {@code appendNext} returned, i.e. after the commit that made it durable (a reading committed just
 * before a kill may lack its line, never the other way round); {@code refused <sensor> <why>} for a
 * reading the event log refused with {@code EventLogFullException} (a full disk: nothing stored, not
 * accepted; that writer tries again after 50 ms); {@code queue <n>} (unacknowledged events) every 200 ms, or {@code queue-unknown <why>} when the size
 * cannot be read then.
 * The end of standard input (or {@code quit}) stops the sensor, the poller (which records the ACKs it
 * holds), the engine and the log, then prints a last {@code queue <n>} and {@code bye}. A failure of the sensor prints {@code error <what>} and exits with status 1.
 */
public final class ChaosClient {
    private static final Logger LOG = LoggerFactory.getLogger(ChaosClient.class);

    private final Lines out = new Lines();
    private volatile boolean sensing = true;

    private ChaosClient() {
    }

    public static void main(String[] args) throws Exception {
        new ChaosClient().run(Arguments.parse(args, "--pki", "--db", "--port", "--incarnation"));
    }

    private void println(String line) {
        out.println(line);
    }

    private void run(Arguments a) throws Exception {
        Path pki = a.path("--pki");
        Path database = a.path("--db");
        int port = a.integer("--port", 1, 65535, 0);
        int incarnation = a.integer("--incarnation", 0, Integer.MAX_VALUE, 0);
        String clientName = a.text("--client", "chaos-client");
        boolean sensor = a.flag("--sensor", true);
        int sensors = a.integer("--sensors", 1, 100, 3);
        int writers = a.integer("--writers", 1, sensors, 1);
        long paceNanos = TimeUnit.MICROSECONDS.toNanos(a.integer("--pace-us", 0, 10_000_000, 0));
        Duration keepalive = Duration.ofMillis(a.integer("--keepalive-ms", 1, 3_600_000, 500));
        int window = a.integer("--window", 1, 4095, 64);
        Duration period = Duration.ofMillis(a.integer("--period-ms", 10, 60_000, 20));

        StoreSettings settings = StoreSettings.builder(database).journalMode(SqliteSettings.JournalMode.WAL)
                .synchronous(SqliteSettings.Synchronous.FULL).build();
        AriesSqlite jdbc = new AriesSqlite(settings.sqlite(), "event log");
        SqliteEventLog log = SqliteEventLog.open(jdbc.executor(), settings, Clock.systemUTC(), new SecureRandom());
        ScheduledThreadPoolExecutor pollerThread = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "poller"));
        ScheduledThreadPoolExecutor reporter = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "chaos-client-report");
            t.setDaemon(true);
            return t;
        });
        SinkClientEngine[] engine = new SinkClientEngine[1];
        ClientOutbox outbox = ClientOutbox.over(log, log, "sqlite");
        Poller poller = new Poller(new PollerSettings(window, period, 0.1, List.of(), "default"), outbox, pollerThread,
                Clock.systemUTC(), new SecureRandom());
        outbox.listen(generation -> poller.outboxChanged());
        ClientHandler handler = new StoreClientHandler(log, poller::connectionUp, poller::connectionDown);
        ClientSettings clientSettings = ClientSettings.defaults("127.0.0.1", port).withKeepalive(keepalive)
                .withReconnect(List.of(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200)),
                        Duration.ofSeconds(1));
        engine[0] = new SinkClientEngine(clientSettings,
                SslContexts.forClient(DevCertificates.clientConfig(pki, clientName)), () -> handler);
        List<Thread> sensorThreads = new ArrayList<>();
        try {
            poller.start();
            engine[0].start();
            println("ready " + log.queueSize());
            reporter.scheduleWithFixedDelay(() -> reportQueue(log), 0, 200, TimeUnit.MILLISECONDS);
            if (sensor) {
                for (int w = 0; w < writers; w++) {
                    List<String> mine = new ArrayList<>();
                    for (int s = w; s < sensors; s += writers) {
                        mine.add("sensor-" + (s + 1));
                    }
                    Thread t = new Thread(() -> sense(log, poller, mine, incarnation, paceNanos), "sensor-writer-" + w);
                    sensorThreads.add(t);
                    t.start();
                }
            }
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null && !line.trim().equals("quit")) {
                    if (line.trim().equals("status")) {
                        logStatus(poller, engine[0], log); // asked by a test that is about to fail
                    }
                    // otherwise the test only ever closes standard input or kills this process
                }
            }
        } finally {
            sensing = false;
            for (Thread t : sensorThreads) {
                t.join(TimeUnit.SECONDS.toMillis(30));
            }
            reporter.shutdown();
            reporter.awaitTermination(10, TimeUnit.SECONDS);
            poller.close();
            engine[0].stop();
            pollerThread.shutdown();
            pollerThread.awaitTermination(10, TimeUnit.SECONDS);
            println("queue " + log.queueSize());
            log.close();
            jdbc.close();
        }
        println("bye");
    }

    /**
     * The poller's and the connection's state, to the log (standard error: standard output may be the
     * very pipe that is stuck), for a test that is about to fail; never throws.
     */
    private static void logStatus(Poller poller, SinkClientEngine engine, SqliteEventLog log) {
        try {
            PollerStatus st = poller.status(Optional.empty());
            LOG.info("status: poller connected={} window={} inFlight={} published={} acked={} nacked={} failed={}"
                    + " ackWrites={} streams={}; client connected={} windowAvailable={} reading={}; queue {}",
                    st.connected(), st.window(), st.inFlight(), st.published(), st.acked(), st.nacked(), st.failed(),
                    st.ackWrites(), st.streams().stream().map(x -> x.name() + " (queued " + x.queued() + ", in flight "
                            + x.inFlight() + ", cursor " + x.cursor() + ", parked on " + x.parkedOn().size() + ")")
                            .toList(), engine.connected(), engine.windowAvailable(), engine.reading(), log.queueSize());
        } catch (RuntimeException e) {
            LOG.warn("status: cannot read the poller's status", e);
        }
    }

    /**
     * One {@code queue <n>} line, or {@code queue-unknown <why>} when the size cannot be read: a periodic
     * task that throws is never run again, and the test would wait for reports that never come.
     */
    private void reportQueue(SqliteEventLog log) {
        try {
            println("queue " + log.queueSize());
        } catch (RuntimeException e) {
            LOG.warn("reading the queue size failed", e);
            println("queue-unknown " + String.valueOf(e.getMessage()).replaceAll("\\s+", " "));
        }
    }

    /** One writer of the simulated sensor: its sensors in turn, each reading durable before its line. */
    private void sense(SqliteEventLog log, Poller poller, List<String> sensors, int incarnation, long paceNanos) {
        List<byte[]> keys = sensors.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
        long n = 0;
        long next = System.nanoTime();
        try {
            while (sensing) {
                int i = (int) (n % sensors.size());
                byte[] reading = SensorReadingCodec.encode(new SensorReading(incarnation, (int) (n % 101)));
                LoggedEvent logged;
                try {
                    logged = log.appendNext(SensorReadingCodec.EVENT_TYPE_ID, SensorReadingCodec.SCHEMA_VERSION,
                            keys.get(i), System.currentTimeMillis() / 1000, reading);
                } catch (EventLogFullException e) {
                    // the disk is full: this reading is not accepted (nothing of it is stored); try again soon
                    String why = String.valueOf(e.getMessage()).replaceAll("\\s+", " ");
                    println("refused " + sensors.get(i) + " " + why);
                    n++;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // a full disk: no busy loop
                    continue;
                }
                println("accepted " + sensors.get(i) + " " + logged.event().offset());
                poller.outboxChanged();
                n++;
                if (paceNanos > 0) {
                    next += paceNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait); // the sensor's pace
                    } else {
                        next = System.nanoTime();
                    }
                }
            }
        } catch (RuntimeException e) {
            if (sensing) {
                LOG.error("the sensor failed after {} readings", n, e);
                println("error " + e);
                System.exit(1);
            }
        }
    }
}
