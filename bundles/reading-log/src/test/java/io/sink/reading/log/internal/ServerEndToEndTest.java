package io.sink.reading.log.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.PublishResult;
import io.sink.api.server.ClientRecord;
import io.sink.api.server.ReceivedEventStore.StoredEvent;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.testsupport.Await;
import io.sink.testsupport.RecordingClient;
import io.sink.transport.client.internal.SinkClientEngine;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server end to end: real TLS on loopback, the real server engine, the real server-auth
 * components with an allow-list directory and a registry on disk, the SQLite store in a temporary
 * folder and the reading log; clients are real client engines.
 */
class ServerEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String CLIENT = "example-client";

    @TempDir
    static Path pki;
    @TempDir
    Path root;
    final RecordingLines lines = new RecordingLines();
    ServerHarness server;
    final List<SinkClientEngine> clients = new ArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        ServerHarness.certificates(pki, List.of(CLIENT, "stranger", "newcomer"));
    }

    @AfterEach
    void stopAll() {
        clients.forEach(SinkClientEngine::stop);
        if (server != null) {
            server.close();
        }
    }

    /** Starts the server with these clients' certificates in the allow-list from the start. */
    private void start(String minimumApplicationVersion, String... allowed) throws Exception {
        for (String client : allowed) {
            ServerHarness.allow(root, pki, client);
        }
        server = new ServerHarness(root, pki, 0, minimumApplicationVersion, lines);
    }

    private SinkClientEngine client(String name, RecordingClient device) throws Exception {
        return client(name, device, "1.0.0");
    }

    private SinkClientEngine client(String name, RecordingClient device, String version) throws Exception {
        SinkClientEngine client = server.client(name, device, server.clientSettings().withApplicationVersion(version));
        clients.add(client);
        return client;
    }

    private static PublishResult await(CompletionStage<PublishResult> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Event reading(String sensor, long offset) {
        return SensorReadingCodec.event(sensor, offset, 1_700_000_000L + offset,
                new SensorReading(60 + (int) offset, 40));
    }

    private static boolean refused(SinkClientEngine client) {
        return !client.connected() && client.problem().filter(p -> !p.equals("connecting")).isPresent();
    }

    // ------------------------------------------------------------------ events

    @Test
    void anAllowedClientsEventsAreAckedStoredAndLogged() throws Exception {
        start("", CLIENT);
        SinkClientEngine client = client(CLIENT, new RecordingClient(101));
        Await.until("connected", client::connected);

        List<CompletionStage<PublishResult>> results = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            results.add(client.publish(reading("kitchen", i)));
        }
        Event other = Event.of(5, 2, "firmware", 1, 1_700_000_100L, new byte[] {1, 2, 3});
        results.add(client.publish(other));
        for (CompletionStage<PublishResult> result : results) {
            assertThat(await(result)).isInstanceOf(PublishResult.Acked.class);
        }

        assertThat(server.store.count(CLIENT)).isEqualTo(21);
        assertThat(server.store.latest(CLIENT, 2)).extracting(StoredEvent::event)
                .containsExactly(other, reading("kitchen", 20));
        Await.until("21 log lines", () -> lines.texts("INFO").stream()
                .filter(l -> l.startsWith("reading from") || l.startsWith("event from")).count() == 21);
        assertThat(lines.texts("INFO")).contains(
                "reading from example-client: sensor=kitchen offset=12 timestamp=1700000012 temperature=72 humidity=40",
                "event from example-client: type=5 schema=2 key=firmware offset=1 timestamp=1700000100 size=3 bytes");
        assertThat(lines.lines).extracting(RecordingLines.Line::thread).containsOnly("sink-reading-log");
        assertThat(server.server().freshness(CLIENT)).containsEntry(1L, 1_700_000_020L);
    }

    @Test
    void anUndecodableReadingIsNackedAndNotStoredAndTheConnectionStaysUp() throws Exception {
        start("", CLIENT);
        SinkClientEngine client = client(CLIENT, new RecordingClient(102));
        Await.until("connected", client::connected);
        PublishResult result = await(client.publish(Event.of(1, 1, "kitchen", 1, 5, "not a term".getBytes())));
        assertThat(result).isInstanceOfSatisfying(PublishResult.Nacked.class, n -> {
            assertThat(n.nack().machineMessageAsString()).isEqualTo("undecodable");
            assertThat(n.nack().humanMessage()).contains("does not decode");
        });
        assertThat(server.store.count(CLIENT)).isZero();
        assertThat(client.connected()).isTrue();
        assertThat(await(client.publish(reading("kitchen", 1)))).isInstanceOf(PublishResult.Acked.class);
    }

    @Test
    void anEventSentAgainAfterALostAckIsStoredOnce() throws Exception {
        start("", CLIENT);
        RecordingClient device = new RecordingClient(103);
        SinkClientEngine client = client(CLIENT, device);
        Await.until("connected", client::connected);

        // the event reaches the store, but the connection dies before the ACK: the writer is held
        // until the connection is gone, so the ACK can only be lost
        Event event = reading("kitchen", 7);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch held = new CountDownLatch(1);
        server.store.writer().execute(() -> {
            held.countDown();
            try {
                release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(held.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        CompletionStage<PublishResult> first = client.publish(event);
        Await.until("the event queued at the store", () -> server.store.writer().queuedWrites() == 1);
        server.server().disconnect(CLIENT, "test: the connection breaks before the ACK");
        assertThat(await(first)).isInstanceOf(PublishResult.Failed.class);
        release.countDown();
        Await.until("stored although not ACKed", () -> server.store.count(CLIENT) == 1);

        Await.until("reconnected", client::connected);
        assertThat(await(client.publish(event))).isInstanceOf(PublishResult.Acked.class);
        // and once more on yet another connection
        client.stop();
        SinkClientEngine again = client(CLIENT, device);
        Await.until("connected again", again::connected);
        assertThat(await(again.publish(event))).isInstanceOf(PublishResult.Acked.class);

        assertThat(server.store.count(CLIENT)).isEqualTo(1);
        assertThat(server.handler.storedCount()).isEqualTo(1);
        assertThat(server.handler.duplicateCount()).isEqualTo(2);
        Await.until("duplicates logged", () -> lines.texts("DEBUG").size() == 2);
        assertThat(lines.texts("DEBUG")).allMatch(l -> l.startsWith("duplicate from example-client: sensor=kitchen"
                + " offset=7"));
        assertThat(lines.texts("INFO").stream().filter(l -> l.startsWith("reading from"))).hasSize(1);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ServerHarness.database(root));
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM received_events")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(1);
        }
    }

    // ------------------------------------------------------------------ who may connect

    @Test
    void anUnknownCertificateIsRefused() throws Exception {
        start("", CLIENT);
        SinkClientEngine stranger = client("stranger", new RecordingClient(104));
        Await.until("a refused attempt", () -> refused(stranger));
        assertThat(server.server().connected("stranger")).isFalse();
        assertThat(server.server().connectedClients()).isEmpty();
        assertThat(server.admin().rememberedClients()).isEmpty();
    }

    @Test
    void aCertificateFileAdmitsAClientAndItsRemovalLocksItOutAndClosesItsConnection() throws Exception {
        start("");
        RecordingClient device = new RecordingClient(105);
        SinkClientEngine client = client("newcomer", device);
        Await.until("refused while not on the allow-list", () -> refused(client));

        server.allow("newcomer");
        Await.until("admitted once its certificate is in the directory", client::connected);
        assertThat(await(client.publish(reading("porch", 1)))).isInstanceOf(PublishResult.Acked.class);

        server.disallow("newcomer");
        Await.until("the live connection closed", () -> !client.connected() && !device.downs.isEmpty());
        Await.until("the server forgot the connection", () -> !server.server().connected("newcomer"));
        Await.until("closed by the allow-list", () -> lines.texts("INFO")
                .contains("client newcomer disconnected: certificate removed from the allow-list"));
        int ups = device.ups.size();
        Await.until("refused again", () -> refused(client) && !client.problem().orElse("").isEmpty());
        assertThat(device.ups).hasSize(ups);
        assertThat(server.store.count("newcomer")).isEqualTo(1);
    }

    @Test
    void aQuarantinedClientIsToldWhyAndConnectsAgainOnceReleased() throws Exception {
        start("", CLIENT);
        SinkClientEngine client = client(CLIENT, new RecordingClient(106));
        Await.until("connected", client::connected);

        String what = server.admin().quarantine(CLIENT, "stolen", "reported stolen");
        assertThat(what).contains("quarantined example-client").contains("closed its live connection");
        Await.until("refused as quarantined", () -> !client.connected()
                && client.problem().orElse("").contains("reported stolen"));
        assertThat(client.problem().orElseThrow()).contains("quarantined");
        Await.until("closed by the registry", () -> lines.texts("INFO")
                .contains("client example-client disconnected: quarantined by the operator"));
        assertThat(server.admin().remembered(CLIENT).flatMap(ClientRecord::quarantine)).isPresent();

        assertThat(server.admin().unquarantine(CLIENT)).isEqualTo("unquarantined example-client");
        Await.until("connected after the quarantine is lifted", client::connected);
        assertThat(await(client.publish(reading("kitchen", 1)))).isInstanceOf(PublishResult.Acked.class);
    }

    @Test
    void anOldApplicationVersionIsRefused() throws Exception {
        start("2.0.0", CLIENT);
        SinkClientEngine old = client(CLIENT, new RecordingClient(107), "1.9.9");
        Await.until("refused", () -> old.problem().orElse("").contains("unsupported_application_version"));
        assertThat(old.connected()).isFalse();
        old.stop();
        SinkClientEngine current = client(CLIENT, new RecordingClient(107), "2.1.0");
        Await.until("a current version connects", current::connected);
    }

    @Test
    void afterForgetTheOldHistoryIsAMismatchAndAReimagedDeviceIsGreetedAsNew() throws Exception {
        start("", CLIENT);
        InstanceId serverId = server.admin().serverInstanceId();
        RecordingClient device = new RecordingClient(1001);
        SinkClientEngine client = client(CLIENT, device);
        Await.until("connected", client::connected);
        assertThat(device.storedServerIds).containsExactly(serverId);
        assertThat(server.admin().remembered(CLIENT).flatMap(ClientRecord::clientInstanceId))
                .contains(new InstanceId(1001));

        assertThat(server.admin().forget(CLIENT)).isEqualTo("forgot client instance id 1001 of example-client");
        // forget leaves the live connection alone; the next handshake applies section 4: the client
        // presents (client 1001, server S); the server remembers no client id, and a request that
        // carries a server id is "connected" only when the client ids match: instance_id_mismatch
        assertThat(client.connected()).isTrue();
        server.server().disconnect(CLIENT, "test: reconnect after forget");
        Await.until("instance_id_mismatch", () -> client.problem().orElse("").contains("instance_id_mismatch"));
        assertThat(client.connected()).isFalse();
        assertThat(server.admin().remembered(CLIENT)).isEmpty();
        client.stop();

        // a re-imaged device: new client instance id, no server id -> hello_new_client
        RecordingClient reimaged = new RecordingClient(2002);
        SinkClientEngine fresh = client(CLIENT, reimaged);
        Await.until("re-registered", fresh::connected);
        assertThat(reimaged.storedServerIds).containsExactly(serverId);
        assertThat(server.admin().remembered(CLIENT).flatMap(ClientRecord::clientInstanceId))
                .contains(new InstanceId(2002));
        assertThat(await(fresh.publish(reading("kitchen", 1)))).isInstanceOf(PublishResult.Acked.class);
        fresh.stop();
        Await.until("the server noticed", () -> !server.server().connected(CLIENT));

        // the old history is refused from now on
        SinkClientEngine oldAgain = client(CLIENT, device);
        Await.until("the old device is refused", () -> oldAgain.problem().orElse("")
                .contains("instance_id_mismatch"));
        assertThat(device.ups).hasSize(1);
    }

    @Test
    void theAckKeyIdentifiesAnEventPerClient() throws Exception {
        start("", CLIENT, "newcomer");
        SinkClientEngine a = client(CLIENT, new RecordingClient(108));
        SinkClientEngine b = client("newcomer", new RecordingClient(109));
        Await.until("both connected", () -> a.connected() && b.connected());
        assertThat(await(a.publish(reading("kitchen", 1)))).isInstanceOf(PublishResult.Acked.class);
        assertThat(await(b.publish(reading("kitchen", 1)))).isInstanceOf(PublishResult.Acked.class);
        assertThat(server.store.count(CLIENT)).isEqualTo(1);
        assertThat(server.store.count("newcomer")).isEqualTo(1);
        assertThat(server.handler.duplicateCount()).isZero();
        assertThat(AckKey.of(1, "kitchen", 1)).isEqualTo(reading("kitchen", 1).ackKey());
    }
}
