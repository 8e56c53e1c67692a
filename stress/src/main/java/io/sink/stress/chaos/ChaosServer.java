package io.sink.stress.chaos;

import io.sink.reading.log.internal.LogLines;
import io.sink.reading.log.internal.ReadingLogHandler;
import io.sink.reading.log.internal.ReadingLogServer;
import io.sink.server.store.internal.SqliteReceivedEventStore;
import io.sink.sqlite.AriesSqlite;
import io.sink.sqlite.SqliteSettings;
import io.sink.tls.DevCertificates;
import io.sink.tls.SslContexts;
import io.sink.transport.server.internal.ServerSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import org.slf4j.LoggerFactory;

/**
 * The server of the chaos test, in its own JVM, wired as in a distribution but without OSGi: the
 * Netty server engine on a fixed port of 127.0.0.1, the SQLite received-event store (WAL,
 * synchronous=FULL: an event is durable before its ACK) through the Aries pools, the reading-log
 * handler, and a {@link DurableRegistry}. Meant to be SIGKILLed at any moment and started again on the
 * same port with the same files.
 *
 * <pre>
 * java -cp &lt;class path&gt; io.sink.stress.chaos.ChaosServer --pki DIR --port N --db FILE --state DIR
 *      [--keepalive-ms 500] [--watch CLIENT]
 * </pre>
 *
 * {@code DIR} holds the development certificates ({@link DevCertificates}); every client whose
 * certificate the CA issued is admitted, as the client id its CN names. Standard output, one line each:
 * {@code listening <port>} once it listens; then, every 100 ms when they changed,
 * {@code duplicates <n>} (events received again that were stored before, counted by the handler since
 * this process started: re-sent on the wire), {@code stored <n>} (events stored as new since start),
 * {@code withheld <n>} (events not stored for now, a full disk: neither ACKed nor NACKed, the client
 * re-sends them) and {@code nacks <n>}, all clients together; with {@code --watch CLIENT}, also
 * {@code pauses <n>}: how many times the server stopped reading that client's connections since this
 * process started (backpressure; sampled every 100 ms, summed over its connections: a lower bound
 * when a connection ends less than 100 ms after its last pause).
 * The end of standard input (or a line {@code quit}) stops it: the engine, then the store; it prints
 * the final counts and {@code bye}.
 */
public final class ChaosServer {
    private ChaosServer() {
    }

    public static void main(String[] args) throws Exception {
        // one INFO line per reading would only fill the log: the reading log keeps its warnings
        if (System.getProperty("org.slf4j.simpleLogger.log.io.sink.readings") == null) {
            System.setProperty("org.slf4j.simpleLogger.log.io.sink.readings", "warn");
        }
        Arguments a = Arguments.parse(args, "--pki", "--port", "--db", "--state");
        Path pki = a.path("--pki");
        int port = a.integer("--port", 1, 65535, 0);
        Path database = a.path("--db");
        Path state = a.path("--state");
        Duration keepalive = Duration.ofMillis(a.integer("--keepalive-ms", 1, 3_600_000, 500));
        String watched = a.text("--watch", null);

        Lines out = new Lines();
        SqliteSettings settings = SqliteSettings.builder(database).journalMode(SqliteSettings.JournalMode.WAL)
                .synchronous(SqliteSettings.Synchronous.FULL).build();
        AriesSqlite jdbc = new AriesSqlite(settings, "received events");
        SqliteReceivedEventStore store = SqliteReceivedEventStore.open(jdbc.executor(), settings, Clock.systemUTC());
        DurableRegistry registry = DurableRegistry.open(state);
        ServerSettings serverSettings = ServerSettings.defaults(port).withKeepalive(keepalive);
        ReadingLogServer server = start(serverSettings, pki, registry, store);
        ReadingLogHandler handler = server.handler;
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "chaos-server-report");
            t.setDaemon(true);
            return t;
        });
        try {
            out.println("listening " + port);
            long[] last = {-1, -1, -1, -1, -1};
            ReadPauses pauses = new ReadPauses(server, watched);
            reporter.scheduleWithFixedDelay(() -> report(out, handler, pauses, last, false), 100, 100,
                    TimeUnit.MILLISECONDS);
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null && !line.trim().equals("quit")) {
                    // the test only ever closes standard input or kills this process
                }
            }
            reporter.shutdown();
            reporter.awaitTermination(10, TimeUnit.SECONDS);
            server.close();
            report(out, handler, pauses, last, true);
        } finally {
            reporter.shutdownNow();
            server.close();
            store.close();
            jdbc.close();
        }
        out.println("bye");
    }

    /**
     * Starts the engine; retries binding for up to 30 s, since the port of a server just killed may
     * not be free again at once.
     */
    private static ReadingLogServer start(ServerSettings settings, Path pki, DurableRegistry registry,
            SqliteReceivedEventStore store) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            ReadingLogServer server = new ReadingLogServer(store,
                    LogLines.of(LoggerFactory.getLogger("io.sink.readings")), ReadingLogServer.STORE_FAILURE_CLOSE_DELAY, settings,
                    SslContexts.forServer(DevCertificates.serverConfig(pki)), ChaosServer::commonName, registry);
            try {
                server.start();
                return server;
            } catch (IllegalStateException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw e;
                }
                LoggerFactory.getLogger(ChaosServer.class).warn("{}; trying again", e.getMessage());
                TimeUnit.MILLISECONDS.sleep(100); // the port is busy: a pause before binding again
            }
        }
    }

    /** Every certificate the CA issued is admitted; its client id is the certificate's CN. */
    private static Optional<String> commonName(X509Certificate certificate) {
        try {
            return new LdapName(certificate.getSubjectX500Principal().getName()).getRdns().stream()
                    .filter(rdn -> rdn.getType().equalsIgnoreCase("CN")).map(rdn -> rdn.getValue().toString())
                    .findFirst();
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }

    /** The read pauses of one client's connections, summed: each connection counts its own from 0. */
    private static final class ReadPauses {
        private final ReadingLogServer server;
        private final String clientId;
        private long total;
        private long ofCurrent;

        ReadPauses(ReadingLogServer server, String clientId) {
            this.server = server;
            this.clientId = clientId;
        }

        synchronized long sample() {
            if (clientId == null) {
                return -1;
            }
            long now = server.engine.readPauses(clientId);
            total += now >= ofCurrent ? now - ofCurrent : now; // a smaller count: a new connection
            ofCurrent = now;
            return total;
        }
    }

    private static void report(Lines out, ReadingLogHandler handler, ReadPauses pauses, long[] last,
            boolean always) {
        long[] now = {handler.duplicateCount(), handler.storedCount(), handler.withheldCount(), handler.nackCount(),
            pauses.sample()};
        String[] names = {"duplicates ", "stored ", "withheld ", "nacks ", "pauses "};
        synchronized (last) {
            for (int i = 0; i < now.length; i++) {
                if (now[i] < 0) {
                    continue; // not watched
                }
                if (always || now[i] != last[i]) {
                    out.println(names[i] + now[i]);
                    last[i] = now[i];
                }
            }
        }
    }
}
