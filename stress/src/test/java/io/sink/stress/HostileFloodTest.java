package io.sink.stress;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.reading.log.internal.LogLines;
import io.sink.reading.log.internal.ReadingLogServer;
import io.sink.server.store.internal.SqliteReceivedEventStore;
import io.sink.sqlite.AriesSqlite;
import io.sink.sqlite.SqliteSettings;
import io.sink.testsupport.Await;
import io.sink.testsupport.RecordingClient;
import io.sink.tls.IssuedCertificate;
import io.sink.transport.client.internal.ClientSettings;
import io.sink.transport.server.internal.ServerSettings;
import io.sink.transport.client.internal.SinkClientEngine;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile client's PUBLISH flood reaches a real server (the reading log over the SQLite store,
 * synchronous=FULL, as the chaos server runs it): the flooded PUBLISHes are received and stored,
 * the server stops reading the flooding connection when too many of them wait for the store
 * (backpressure: read pauses counted), never has to close it for exceeding the 4,095 PUBLISHes
 * a connection may have unanswered (the pause comes first, at 1,024), and an honest client
 * publishing meanwhile keeps delivering. The chaos test floods the same way in its flood windows.
 */
class HostileFloodTest {
    private static final String HOSTILE = "chaos-hostile";
    private static final String HOSTILE_PINGS = "chaos-hostile-pings";
    private static final String HONEST = "honest";
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** As in the chaos test: a connection that sends nothing for 1.5 to 2 keepalives is closed. */
    private static final Duration KEEPALIVE = Duration.ofMillis(500);

    @TempDir
    Path dir;

    @Test
    void thePublishFloodReachesTheServerWhichPausesReadingWhileTheHonestClientKeepsDelivering() throws Exception {
        TestPki pki = new TestPki();
        IssuedCertificate hostileCertificate = pki.client(HOSTILE);
        IssuedCertificate pingsCertificate = pki.client(HOSTILE_PINGS);
        IssuedCertificate honestCertificate = pki.client(HONEST);
        Doubles.Authenticator authenticator = new Doubles.Authenticator()
                .allow(hostileCertificate.certificate(), HOSTILE).allow(pingsCertificate.certificate(), HOSTILE_PINGS)
                .allow(honestCertificate.certificate(), HONEST);
        Doubles.Registry registry = new Doubles.Registry(new InstanceId(777), Set.of());
        List<String> warnings = new CopyOnWriteArrayList<>();
        LogLines lines = new LogLines() {
            @Override
            public boolean isDebugEnabled() {
                return false;
            }

            @Override
            public void debug(String line) {
            }

            @Override
            public void info(String line) {
            }

            @Override
            public void warn(String line) {
                warnings.add(line);
            }
        };
        SqliteSettings settings = SqliteSettings.builder(dir.resolve("server.db"))
                .journalMode(SqliteSettings.JournalMode.WAL).synchronous(SqliteSettings.Synchronous.FULL).build();
        try (AriesSqlite jdbc = new AriesSqlite(settings, "received events");
                SqliteReceivedEventStore store = SqliteReceivedEventStore.open(jdbc.executor(), settings,
                        Clock.systemUTC());
                ReadingLogServer server = new ReadingLogServer(store, lines, ReadingLogServer.STORE_FAILURE_CLOSE_DELAY,
                        ServerSettings.defaults(0).withKeepalive(KEEPALIVE), pki.serverContext(), authenticator, registry)) {
            int port = server.start();
            SinkClientEngine honest = new SinkClientEngine(ClientSettings.defaults("127.0.0.1", port).withKeepalive(KEEPALIVE),
                    pki.clientContext(honestCertificate), () -> new RecordingClient(4242));
            try (HostileClient hostile = new HostileClient(
                    pki.clientContext(pingsCertificate), pki.clientContext(hostileCertificate), port, 20);
                    HonestPublisher publisher = new HonestPublisher(honest, offset -> Event.of(
                            SensorReadingCodec.EVENT_TYPE_ID, SensorReadingCodec.SCHEMA_VERSION, HONEST, offset,
                            1_700_000_000L, SensorReadingCodec.encode(new SensorReading(20, 40))))) {
                honest.start();
                Await.until("the honest client connects", WAIT, honest::connected);
                publisher.start(2000); // 500 events a second

                hostile.start(42);
                long[] mostPauses = {0};
                Await.until(() -> "the server pauses reading the flood (" + hostile.stats() + "; "
                        + store.count(HOSTILE) + " hostile events stored)", WAIT, () -> {
                            mostPauses[0] = Math.max(mostPauses[0], server.engine.readPauses(HOSTILE));
                            return mostPauses[0] > 0;
                        });
                long honestBefore = store.count(HONEST);
                Await.until(() -> "2,048 flooded events stored and answered, and honest events stored meanwhile ("
                        + hostile.stats() + "; " + store.count(HOSTILE) + " hostile, " + store.count(HONEST)
                        + " honest)", WAIT, () -> {
                            mostPauses[0] = Math.max(mostPauses[0], server.engine.readPauses(HOSTILE));
                            return store.count(HOSTILE) >= 2048 && hostile.framesReceived.get() >= 2048
                                    && store.count(HONEST) >= honestBefore + 500;
                        });
                hostile.stop();
                publisher.stop();
                Await.until(() -> "every honest event answered: " + publisher.settled() + " of "
                        + publisher.published(), WAIT, () -> publisher.settled() == publisher.published());
                String stats = hostile.stats();
                System.out.printf("hostile flood: %s; %,d hostile events stored, %,d read pauses of its connection"
                        + " at most; honest client: %,d events published, %,d ACKed%n", stats, store.count(HOSTILE),
                        mostPauses[0], publisher.published(), publisher.acked());

                assertThat(hostile.publishesSent.get()).as("flooded PUBLISHes").isGreaterThanOrEqualTo(2048);
                assertThat(hostile.framesReceived.get()).as("answers the flooding connection received (ACKs)")
                        .isGreaterThanOrEqualTo(2048);
                assertThat(hostile.publishSessionsClosedByServer.get())
                        .as("connections of the flood the server closed (backpressure keeps it within the limits)")
                        .isZero();
                assertThat(mostPauses[0]).as("times the server stopped reading the flooding connection").isPositive();
                assertThat(publisher.failures).as("honest events not ACKed").isEmpty();
                assertThat(store.count(HONEST)).as("honest events stored").isEqualTo(publisher.published());
                assertThat(warnings).as("the reading log's warnings").isEmpty();
            } finally {
                honest.stop();
            }
        }
    }
}
