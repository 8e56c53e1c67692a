package io.sink.transport.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslContext;
import io.sink.testsupport.Await;
import io.sink.tls.DevCertificates;
import io.sink.tls.SslContexts;
import io.sink.tls.TlsConfig;
import io.sink.transport.internal.state.Freshness;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import io.sink.api.Nack;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a peer chooses, over real TLS: its certificate's subject and its application version reach
 * the server's log escaped (the lines slf4j-simple writes to {@code System.err} are captured), and
 * event type ids and offsets anywhere in the unsigned 64-bit range are accepted and ACKed.
 */
class PeerInputTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String FORGED = "\n2026-12-02 | INFO | FORGED LINE\u001b[2J";

    @TempDir
    Path pki;
    private PrintStream originalErr;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    private SinkServerEngine server;
    private int port;
    private RawPeer peer;
    private Fixtures.Handler handler;

    @BeforeEach
    void start() throws Exception {
        DevCertificates.ensure(pki, List.of("example-client"));
        originalErr = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        Fixtures.Authenticator authenticator = new Fixtures.Authenticator().allow(pki, "example-client");
        Fixtures.Registry registry = new Fixtures.Registry();
        handler = new Fixtures.Handler();
        server = new SinkServerEngine(Fixtures.serverSettings(), Fixtures.serverContext(pki), () -> authenticator,
                () -> registry, () -> handler);
        port = server.start().getPort();
    }

    @AfterEach
    void stop() {
        if (peer != null) {
            peer.close();
        }
        server.stop();
        System.setErr(originalErr);
        originalErr.print(log());
    }

    private String log() {
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void aForgedCertificateSubjectIsEscaped() throws Exception {
        DevCertificates.authority(pki).issueClient("evil" + FORGED).writeTo(pki.resolve("forged.pem"),
                pki.resolve("forged-key.pem"));
        SslContext forged = SslContexts.forClient(new TlsConfig(pki.resolve("forged.pem"),
                pki.resolve("forged-key.pem"), pki.resolve(DevCertificates.CA_CERTIFICATE)));
        peer = RawPeer.client(forged, port);
        peer.sendFrame("0005312e302e30000004d2");
        assertThat(peer.awaitClosed(WAIT)).isTrue();
        Await.until("the refusal in the log", () -> log().contains("unknown client certificate"));
        String line = log().lines().filter(l -> l.contains("unknown client certificate")).findFirst().orElseThrow();
        assertThat(line).contains("subject=\"CN=evil\\n2026-12-02 | INFO | FORGED LINE\\e[2J\"");
        assertThat(log()).doesNotContain("\u001b").doesNotContain("\r");
        assertThat(log().lines()).noneMatch(l -> l.startsWith("2026-12-02 | INFO | FORGED LINE"));
    }

    @Test
    void aForgedApplicationVersionIsEscaped() throws Exception {
        // OSC 0 (window title) and RIS (clear screen) in the version of a CONNECTION_REQUEST
        byte[] version = ("1.0\u001b]0;pwned\u0007\u001bc" + FORGED).getBytes(StandardCharsets.UTF_8);
        peer = RawPeer.client(Fixtures.clientContext(pki, "example-client"), port);
        peer.sendFrame("00" + HexFormat.of().formatHex(new byte[] {(byte) version.length})
                + HexFormat.of().formatHex(version) + "000004d2");
        assertThat(peer.nextFrame(WAIT)).as("hello_new_client").startsWith("11");
        Await.until("the connection in the log", () -> log().contains("client example-client connected"));
        String line = log().lines().filter(l -> l.contains("client example-client connected")).findFirst()
                .orElseThrow();
        assertThat(line).endsWith("application version "
                + "\"1.0\\e]0;pwned\\u{7}\\ec\\n2026-12-02 | INFO | FORGED LINE\\e[2J\")");
        assertThat(log()).doesNotContain("\u001b").doesNotContain("\u0007");
        assertThat(log().lines()).noneMatch(l -> l.startsWith("2026-12-02 | INFO | FORGED LINE"));
    }

    @Test
    void typesAndOffsetsAbove2To63AreAcceptedAndAcked() throws Exception {
        peer = RawPeer.client(Fixtures.clientContext(pki, "example-client"), port);
        peer.sendFrame("0005312e302e30000004d2");
        assertThat(peer.nextFrame(WAIT)).as("hello_new_client").startsWith("11");
        // PUBLISH id 1: event type 2^64-1, schema 1, key "k", offset 2^64-1, timestamp 1, data "x"
        peer.sendFrame("4001" + "ffffffffffffffffff01" + "01" + "016b" + "ffffffffffffffffff01" + "01" + "0178");
        assertThat(peer.nextFrame(WAIT)).as("ACK of message id 1").isEqualTo("3001");
        // PUBLISH id 2: offset 2^63
        peer.sendFrame("4002" + "01" + "01" + "016b" + "80808080808080808001" + "01" + "0178");
        assertThat(peer.nextFrame(WAIT)).as("ACK of message id 2").isEqualTo("3002");
        assertThat(handler.received).containsExactly(
                new io.sink.api.Event(-1L, 1, new byte[] {'k'}, -1L, 1, new byte[] {'x'}),
                new io.sink.api.Event(1, 1, new byte[] {'k'}, Long.MIN_VALUE, 1, new byte[] {'x'}));
        assertThat(log()).contains("application version 1.0.0").doesNotContain("closing connection");
    }

    @Test
    void publishesOfOneReadReachTheHandlerTogetherAndAreAnsweredEachInOrder() throws Exception {
        peer = RawPeer.client(Fixtures.clientContext(pki, "example-client"), port);
        peer.sendFrame("0005312e302e30000004d2");
        assertThat(peer.nextFrame(WAIT)).as("hello_new_client").startsWith("11");
        StringBuilder three = new StringBuilder();
        for (int id = 1; id <= 3; id++) {
            // PUBLISH id N: event type 1, schema 1, key "k", offset N, timestamp 1, data "x"
            three.append("000a").append("400").append(id).append("0101016b0").append(id).append("010178");
        }
        handler.answer = e -> e.offset() == 2
                ? java.util.concurrent.CompletableFuture.completedFuture(Optional.of(Nack.of("no", "refused")))
                : java.util.concurrent.CompletableFuture.completedFuture(Optional.empty());
        peer.sendRaw(three.toString()); // one write, one TLS record: one read on the server
        assertThat(peer.nextFrame(WAIT)).as("ACK of message id 1").isEqualTo("3001");
        assertThat(peer.nextFrame(WAIT)).as("NACK of message id 2").startsWith("7002");
        assertThat(peer.nextFrame(WAIT)).as("ACK of message id 3").isEqualTo("3003");
        assertThat(handler.together).containsExactly(3);
        assertThat(handler.received).extracting(io.sink.api.Event::offset).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aFailureRecordingFreshnessNeverDropsTheAck() throws Exception {
        server.stop();
        Fixtures.Authenticator authenticator = new Fixtures.Authenticator().allow(pki, "example-client");
        Fixtures.Registry registry = new Fixtures.Registry();
        server = new SinkServerEngine(Fixtures.serverSettings(), Fixtures.serverContext(pki), () -> authenticator,
                () -> registry, () -> handler, new Freshness() {
                    @Override
                    public void record(String clientId, long eventTypeId, long timestamp) {
                        if (timestamp == 666) {
                            throw new IllegalStateException("freshness bookkeeping failed");
                        }
                        super.record(clientId, eventTypeId, timestamp);
                    }
                });
        port = server.start().getPort();
        peer = RawPeer.client(Fixtures.clientContext(pki, "example-client"), port);
        peer.sendFrame("0005312e302e30000004d2");
        assertThat(peer.nextFrame(WAIT)).as("hello_new_client").startsWith("11");
        // PUBLISH id 1: offset 1, timestamp 666, whose freshness cannot be recorded
        peer.sendFrame("4001" + "01" + "01" + "016b" + "01" + "9a05" + "0178");
        assertThat(peer.nextFrame(WAIT)).as("ACK of message id 1, although freshness failed").isEqualTo("3001");
        // the connection goes on: the next one is ACKed and its freshness recorded
        peer.sendFrame("4002" + "01" + "01" + "016b" + "02" + "07" + "0178");
        assertThat(peer.nextFrame(WAIT)).as("ACK of message id 2").isEqualTo("3002");
        assertThat(handler.received).hasSize(2);
        assertThat(server.freshness("example-client")).containsEntry(1L, 7L);
        assertThat(log()).contains("recording the delivery of offset 1 from ")
                .contains("(client example-client) failed; it is answered anyway")
                .contains("freshness bookkeeping failed").doesNotContain("closing connection");
    }

    @Test
    void answersWithheldConnectionAfterConnectionAreLoggedOncePerInterval() throws Exception {
        // a store that cannot take anything for now (a full disk): each connection of the client ends the
        // same way, one after the other, for as long as it lasts
        handler.answer = e -> java.util.concurrent.CompletableFuture.failedFuture(
                new io.sink.api.server.RetryLaterException("store full"));
        for (int i = 1; i <= 3; i++) {
            peer = RawPeer.client(Fixtures.clientContext(pki, "example-client"), port);
            peer.sendFrame("0005312e302e30000004d2");
            assertThat(peer.nextFrame(WAIT)).as("hello_new_client").startsWith("11");
            // PUBLISH id 1: offset 1, timestamp 1
            peer.sendFrame("4001" + "01" + "01" + "016b" + "01" + "01" + "0178");
            assertThat(peer.awaitClosed(WAIT)).as("connection %d closed by the server, unanswered", i).isTrue();
            peer.close();
        }
        // one line says why, then it is counted (each close is still logged, with its reason, as any is)
        assertThat(log().lines().filter(l -> l.contains("closing in 2000 ms"))).as(log()).hasSize(1)
                .first().asString().contains("(client example-client)").contains("was not taken for now")
                .contains("more of these within").doesNotContain("WARN");
    }
}
