package io.sink.transport.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.JdkSslContext;
import io.sink.api.PublishResult;
import io.sink.testsupport.Await;
import io.sink.tls.DevCertificates;
import io.sink.transport.client.internal.SinkClientEngine;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client-initiated TLS 1.2 renegotiation is refused: the JDK's own TLS client connects with
 * TLS 1.2, is served, then asks to renegotiate; the server closes the connection instead of doing
 * another full handshake (as often as a client likes, each one costing the server). The test JVM
 * does not set jdk.tls.rejectClientInitiatedRenegotiation: the JDK alone would renegotiate.
 */
class RenegotiationTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path pki;

    private SinkServerEngine server;
    private SinkClientEngine honest;
    private int port;

    @BeforeAll
    static void certificates() throws Exception {
        DevCertificates.ensure(pki, List.of("example-client", "mallory"));
    }

    @BeforeEach
    void start() throws Exception {
        Fixtures.Authenticator authenticator = new Fixtures.Authenticator().allow(pki, "example-client", "mallory");
        Fixtures.Registry registry = new Fixtures.Registry();
        Fixtures.Handler handler = new Fixtures.Handler();
        server = new SinkServerEngine(Fixtures.serverSettings(), Fixtures.serverContext(pki), () -> authenticator,
                () -> registry, () -> handler);
        port = server.start().getPort();
    }

    @AfterEach
    void stop() {
        if (honest != null) {
            honest.stop();
        }
        server.stop();
    }

    @Test
    void aClientThatRenegotiatesIsDisconnected() throws Exception {
        assertThat(System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation")).isNull();
        SSLContext jdk = ((JdkSslContext) Fixtures.clientContext(pki, "mallory")).context();
        try (SSLSocket socket = (SSLSocket) jdk.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(HexFormat.of().parseHex("000b0005312e302e30000004d2")); // CONNECTION_REQUEST
            out.flush();
            byte[] response = new byte[in.readUnsignedShort()];
            in.readFully(response);
            assertThat(HexFormat.of().formatHex(response)).isEqualTo("1100000309");
            Await.until("mallory connected", () -> server.connected("mallory"));

            boolean closed;
            try {
                socket.startHandshake(); // TLS 1.2: a new ClientHello, i.e. renegotiation
                closed = closedWithin(socket.getInputStream(), Duration.ofSeconds(5));
            } catch (IOException refused) {
                closed = true;
            }
            assertThat(closed).as("the server closes a connection that renegotiates").isTrue();
        }
        Await.until("the server dropped mallory", () -> !server.connected("mallory"));

        honest = new SinkClientEngine(Fixtures.clientSettings(port), Fixtures.clientContext(pki, "example-client"),
                () -> new Fixtures.Client(41));
        honest.start();
        Await.until("an honest client still connects", honest::connected);
        assertThat(honest.publish(Fixtures.event("after", 1)).toCompletableFuture()
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(PublishResult.Acked.class);
    }

    /** Whether the stream ends (or fails) within {@code timeout}; false when it stays open and silent. */
    private static boolean closedWithin(InputStream in, Duration timeout) throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException failed) {
            return true;
        }
    }
}
