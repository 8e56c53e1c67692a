package io.sink.transport.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.sink.testsupport.Await;
import io.sink.transport.client.internal.ClientSettings;
import io.sink.transport.client.internal.HandshakeFailure;
import io.sink.transport.client.internal.SinkClientEngine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * A TLS handshake cut by the link (a port squatted by a process that closes every connection or
 * never answers, a server restarting) is transient: the client follows its reconnect schedule, not
 * the long delay it keeps for a refused certificate.
 */
class HandshakeFailureTest extends ServerTestBase {
    private static final Duration REFUSAL = Duration.ofMinutes(5);

    @Test
    void certificateRefusalsAreToldFromLinkFailures() {
        assertThat(HandshakeFailure.isCertificateRefusal(
                new SSLHandshakeException("Connection closed while SSL/TLS handshake was in progress"))).isFalse();
        assertThat(HandshakeFailure.isCertificateRefusal(new SslHandshakeTimeoutException("handshake timed out after 10000ms")))
                .isFalse();
        assertThat(HandshakeFailure.isCertificateRefusal(new ClosedChannelException())).isFalse();
        assertThat(HandshakeFailure.isCertificateRefusal(new SSLException("Connection reset"))).isFalse();
        assertThat(HandshakeFailure.isCertificateRefusal(null)).isFalse();

        SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path validation failed");
        untrusted.initCause(new CertificateException("unable to find valid certification path",
                new CertPathValidatorException("path does not chain")));
        assertThat(HandshakeFailure.isCertificateRefusal(untrusted)).isTrue();
        assertThat(HandshakeFailure.isCertificateRefusal(new SSLHandshakeException("Received fatal alert: bad_certificate")))
                .isTrue();
        assertThat(HandshakeFailure.isCertificateRefusal(new SSLHandshakeException("Received fatal alert: certificate_unknown")))
                .isTrue();
        assertThat(HandshakeFailure.isCertificateRefusal(new SSLException("Received fatal alert: unknown_ca"))).isTrue();
        assertThat(HandshakeFailure.isCertificateRefusal(new SSLException("Received fatal alert: internal_error")))
                .isFalse();
    }

    @Test
    void aPortSquatterThatClosesEveryConnectionIsRetriedOnTheUsualSchedule() throws Exception {
        try (Squatter squatter = new Squatter(true)) {
            client("example-client", new Fixtures.Client(21), settings(squatter.port(), Duration.ofSeconds(10)));
            Await.until("three attempts within seconds, not one per " + REFUSAL, Duration.ofSeconds(20),
                    () -> squatter.accepted.get() >= 3);
        }
    }

    @Test
    void aPortSquatterThatNeverAnswersIsRetriedAfterTheHandshakeTimeout() throws Exception {
        try (Squatter squatter = new Squatter(false)) {
            client("example-client", new Fixtures.Client(22), settings(squatter.port(), Duration.ofMillis(300)));
            Await.until("three attempts within seconds, not one per " + REFUSAL, Duration.ofSeconds(20),
                    () -> squatter.accepted.get() >= 3);
        }
    }

    @Test
    void aServerBackOnItsPortAfterASquatterIsReachedWithinTheSchedule() throws Exception {
        Squatter squatter = new Squatter(true);
        int squatted = squatter.port();
        SinkClientEngine engine;
        try (squatter) {
            engine = client("example-client", new Fixtures.Client(23), settings(squatted, Duration.ofSeconds(10)));
            Await.until("an attempt on the squatter", () -> squatter.accepted.get() >= 1);
        }
        server = startServer(ServerSettings.defaults(squatted));
        Await.until("connected to the real server once it is back", Duration.ofSeconds(20), engine::connected);
    }

    private static ClientSettings settings(int port, Duration handshakeTimeout) {
        ClientSettings s = Fixtures.clientSettings(port);
        return new ClientSettings(s.host(), s.port(), s.applicationVersion(), s.keepalive(), s.connectTimeout(),
                handshakeTimeout, s.window(), List.of(Duration.ofMillis(50), Duration.ofMillis(200)), REFUSAL,
                s.jitter());
    }

    /** Holds a port: accepts TCP connections and closes each at once or keeps it silent. */
    private static final class Squatter implements AutoCloseable {
        final AtomicInteger accepted = new AtomicInteger();
        private final ServerSocket socket;
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        Squatter(boolean closeAtOnce) throws IOException {
            this(0, closeAtOnce);
        }

        Squatter(int port, boolean closeAtOnce) throws IOException {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket s = socket.accept();
                        accepted.incrementAndGet();
                        if (closeAtOnce) {
                            s.close();
                        } else {
                            held.add(s);
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "squatter");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : held) {
                s.close();
            }
            try {
                acceptor.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
