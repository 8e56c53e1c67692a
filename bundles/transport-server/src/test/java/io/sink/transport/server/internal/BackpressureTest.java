package io.sink.transport.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelFuture;
import io.sink.api.Nack;
import io.sink.api.PublishResult;
import io.sink.testsupport.Await;
import io.sink.transport.client.internal.SinkClientEngine;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a hostile or broken peer can make a connection hold: real TLS on loopback, a real server
 * engine, raw peers that send what they like and read nothing. The server (and the client, for a
 * hostile server) stops reading instead of queueing answers without bound, closes a peer that
 * ignores the window, refuses connections beyond its limits, and keeps serving everyone else.
 */
class BackpressureTest extends ServerTestBase {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String HELLO = "0005312e302e30000004d2"; // CONNECTION_REQUEST frame, client instance id 1234
    private static final String PING = "00025000";
    private static final String PUBLISH = "001340010101076b69746368656e0180e2cfaa0600"; // id 1, kitchen offset 1
    private static final int PINGS = 3_000_000; // 12 MB of PINGs, 12 MB of PONGs
    /**
     * Most bytes a connection may queue for a peer that does not read: the high-water mark, plus what
     * the reads already under way when it was crossed produce (Netty reads up to 16 buffers of
     * 64 KiB in one go). Far below the 12 MB the PINGs ask for.
     */
    private static final long BOUND = 2L * 1024 * 1024;

    private final List<Socket> sockets = new ArrayList<>();

    private void startServer(ServerLimits limits) throws Exception {
        server = startServer(Fixtures.serverSettings().withLimits(limits));
    }

    @AfterEach
    void closeSockets() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    private SinkClientEngine honestClient() throws Exception {
        SinkClientEngine engine = client("example-client", new Fixtures.Client(31));
        Await.until("honest client connected", WAIT, engine::connected);
        return engine;
    }

    /** Mallory, connected and greeted (hello_new_client). */
    private RawPeer mallory(int receiveBuffer) throws Exception {
        RawPeer peer = raw("mallory", receiveBuffer);
        peer.sendFrame(HELLO);
        assertThat(peer.nextFrame(WAIT)).isEqualTo("1100000309");
        return peer;
    }

    private void assertHonestClientDelivers(SinkClientEngine honest, long offset) throws Exception {
        PublishResult result = honest.publish(Fixtures.event("honest", offset)).toCompletableFuture()
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(result).isInstanceOf(PublishResult.Acked.class);
    }

    // ------------------------------------------------------------------ issue 11, why 2

    @Test
    void aClientThatSendsPingsAndNeverReadsStopsBeingRead() throws Exception {
        startServer(ServerLimits.DEFAULTS);
        SinkClientEngine honest = honestClient();
        RawPeer flooder = mallory(8 * 1024);
        flooder.countOnly();
        flooder.reading(false);

        ChannelFuture allSent = flooder.sendRepeated(PING, PINGS);
        Await.until("the server stops reading the flooder", WAIT, () -> server.readPauses("mallory") > 0
                && !server.reading("mallory"));
        // the flooder's PINGs now wait in its own buffers, not in the server's memory
        for (int i = 0; i < 20; i++) {
            assertThat(server.pendingOutboundBytes("mallory")).as("bytes queued for the flooder")
                    .isLessThanOrEqualTo(BOUND);
            assertHonestClientDelivers(honest, i + 1);
        }
        assertThat(allSent.isDone()).as("the server no longer takes the flooder's PINGs").isFalse();
        assertThat(server.reading("mallory")).isFalse();

        // once the flooder reads, every PING is answered: nothing was dropped, only delayed
        flooder.reading(true);
        assertThat(allSent.await(WAIT.toMillis())).as("every PING taken by the server").isTrue();
        Await.until("a PONG for every PING", WAIT, () -> flooder.framesReceived() >= PINGS + 1);
        assertThat(server.reading("mallory")).isTrue();
        assertHonestClientDelivers(honest, 100);
    }

    @Test
    void aClientStopsReadingAServerThatSendsPingsAndNeverReads() throws Exception {
        try (RawPeer hostileServer = RawPeer.server(serverTls, 8 * 1024)) {
            SinkClientEngine client = client("example-client", new Fixtures.Client(32),
                    Fixtures.clientSettings(hostileServer.port()));
            assertThat(hostileServer.nextFrame(WAIT)).startsWith("00");
            hostileServer.sendFrame("1100000309");
            Await.until("connected to the hostile server", WAIT, client::connected);
            hostileServer.countOnly();
            hostileServer.reading(false);
            ChannelFuture allSent = hostileServer.sendRepeated(PING, PINGS);
            Await.until("the client stops reading", WAIT, () -> client.readPauses() > 0 && !client.reading());
            for (int i = 0; i < 20; i++) {
                assertThat(client.pendingOutboundBytes()).as("bytes queued for the server").isLessThanOrEqualTo(BOUND);
                Thread.onSpinWait();
            }
            hostileServer.reading(true);
            assertThat(allSent.await(WAIT.toMillis())).isTrue();
            Await.until("a PONG for every PING", WAIT, () -> hostileServer.framesReceived() >= PINGS + 1);
            assertThat(client.connected()).isTrue();
        }
    }

    @Test
    void theServerStopsReadingWhileTooManyPublishesWaitForTheHandler() throws Exception {
        List<CompletableFuture<Optional<Nack>>> held = new CopyOnWriteArrayList<>();
        handler.answer = e -> {
            CompletableFuture<Optional<Nack>> f = new CompletableFuture<>();
            held.add(f);
            return f;
        };
        startServer(ServerLimits.DEFAULTS.withPauseReadingAt(16));
        RawPeer peer = mallory(0);
        int publishes = 2000;
        ChannelFuture sent = peer.sendRepeated(PUBLISH, publishes);
        Await.until("16 PUBLISHes held by the handler", WAIT, () -> held.size() >= 16);
        Await.until("the server stops reading", WAIT, () -> !server.reading("mallory"));
        assertThat(held.size()).as("what the handler got before reading stopped: at most one read's worth")
                .isLessThan(publishes);
        // answering lets the rest in, bit by bit
        int[] answered = {0};
        Await.until("all PUBLISHes answered", WAIT, () -> {
            while (answered[0] < held.size()) {
                held.get(answered[0]++).complete(Optional.empty());
            }
            return answered[0] == publishes;
        });
        assertThat(sent.await(WAIT.toMillis())).isTrue();
        peer.countOnly();
        Await.until("an ACK for every PUBLISH", WAIT, () -> peer.framesReceived() >= publishes + 1);
        assertThat(held).hasSize(publishes);
        assertThat(peer.isClosed()).isFalse();
    }

    @Test
    void morePublishesUnansweredThanMessageIdsClosesTheConnection() throws Exception {
        handler.answer = e -> new CompletableFuture<>(); // never answered
        startServer(ServerLimits.DEFAULTS.withPauseReadingAt(4096)); // only the cap applies
        SinkClientEngine honest = honestClient();
        RawPeer peer = mallory(0);
        peer.sendRepeated(PUBLISH, 4095).sync();
        Await.until("4095 PUBLISHes at the handler", WAIT, () -> handler.received.size() >= 4095);
        assertThat(peer.isClosed()).as("4095 unanswered is allowed").isFalse();
        handler.answer = e -> CompletableFuture.completedFuture(Optional.empty());
        peer.sendRepeated(PUBLISH, 1).sync();
        assertThat(peer.awaitClosed(WAIT)).as("the 4096th unanswered PUBLISH closes the connection").isTrue();
        assertThat(handler.received).hasSize(4095);
        assertHonestClientDelivers(honest, 1);
    }

    // ------------------------------------------------------------------ issue 11, why 4

    @Test
    void connectionsBeyondThePerAddressLimitAreClosedAtOnce() throws Exception {
        startServer(ServerLimits.DEFAULTS.withConnections(100, 3));
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stalled.add(connect());
        }
        Await.until("three connections admitted", WAIT, () -> server.admittedConnections() == 3);
        assertThat(closedByServer(connect())).as("the fourth connection from 127.0.0.1").isTrue();
        for (Socket s : stalled) {
            assertThat(closedByServer(s, Duration.ofMillis(200))).as("the admitted ones stay open").isFalse();
        }
        stalled.get(0).close();
        Await.until("a place freed", WAIT, () -> server.admittedConnections() == 2);
        SinkClientEngine honest = honestClient();
        assertHonestClientDelivers(honest, 1);
    }

    @Test
    void connectionsBeyondTheGlobalLimitAreClosedAtOnce() throws Exception {
        startServer(ServerLimits.DEFAULTS.withConnections(2, 100));
        connect();
        connect();
        Await.until("two connections admitted", WAIT, () -> server.admittedConnections() == 2);
        assertThat(closedByServer(connect())).as("the third connection").isTrue();
    }

    @Test
    void newConnectionsBeyondTheHandshakeRateAreClosedAtOnce() throws Exception {
        startServer(ServerLimits.DEFAULTS.withHandshakeRate(0.1, 5)); // a burst of 5, then one per 10 s
        int refused = 0;
        for (int i = 0; i < 12; i++) {
            if (closedByServer(connect(), Duration.ofMillis(300))) {
                refused++;
            }
        }
        assertThat(refused).as("12 connections within a few seconds, 5 at once and 1 per 10 s allowed")
                .isBetween(5, 7);
    }

    @Test
    void aThousandGarbageConnectionsAreClosedAndTheServerKeepsServing() throws Exception {
        startServer(ServerLimits.DEFAULTS.withHandshakeRate(100_000, 100_000));
        SinkClientEngine honest = honestClient();
        for (int i = 0; i < 1000; i++) {
            Socket s = connect();
            s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            assertThat(closedByServer(s)).isTrue();
            s.close();
        }
        Await.until("every garbage connection released", WAIT, () -> server.admittedConnections() == 1);
        assertHonestClientDelivers(honest, 1);
    }

    /** A plain TCP connection to the server, closed after the test. */
    private Socket connect() throws IOException {
        Socket s = new Socket();
        sockets.add(s);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }

    private static boolean closedByServer(Socket s) throws IOException {
        return closedByServer(s, WAIT);
    }

    /** Whether the server closes the socket within {@code timeout} (end of stream or reset), reading what it sends. */
    private static boolean closedByServer(Socket s, Duration timeout) throws IOException {
        s.setSoTimeout((int) timeout.toMillis());
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // an alert, if any
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
