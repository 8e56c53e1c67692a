package io.sink.transport.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslContext;
import io.sink.api.server.ClientAuthenticator;
import io.sink.api.server.ServerHandler;
import io.sink.testsupport.Await;
import io.sink.testsupport.DsConfig;
import io.sink.testsupport.MemoryRegistry;
import io.sink.testsupport.RecordingClient;
import io.sink.tls.DevCertificates;
import io.sink.tls.SslContexts;
import io.sink.transport.client.internal.ClientComponentAccess;
import io.sink.transport.client.internal.SinkClientComponent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport components reconfigured while they run, as SCR does through their modified
 * methods: a valid change is applied (new port, reconnect), an invalid one (bad value, missing
 * certificate, port in use) leaves the running server listening and the client connected with
 * the previous configuration.
 */
class ReconfigurationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final MemoryRegistry registry = new MemoryRegistry();

    @TempDir
    static Path pki;

    private SinkServerComponent server;
    private ClientComponentAccess client;
    private SinkServerEngine remoteServer;

    @BeforeAll
    static void certificates() throws IOException {
        DevCertificates.ensure(pki, List.of(DevCertificates.DEFAULT_CLIENT));
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.deactivate();
        }
        if (server != null) {
            server.deactivate();
        }
        if (remoteServer != null) {
            remoteServer.stop();
        }
    }

    @Test
    void theServerAppliesAValidChangeAndKeepsListeningOnAnInvalidOne() throws Exception {
        int first = freePort();
        server = new SinkServerComponent();
        server.activate(null, serverConfig(Map.of("port", first)), Map.of());
        assertThat(listening(first)).isTrue();

        // out of range: refused, still listening on the first port
        server.modified(null, serverConfig(Map.of("port", 70000)), Map.of());
        assertThat(listening(first)).isTrue();
        assertThat(server.listenAddress()).contains("127.0.0.1:" + first);

        // a certificate that does not exist: refused
        server.modified(null, serverConfig(Map.of("port", first, "certificate", pki.resolve("nosuch.pem").toString())), Map.of());
        assertThat(listening(first)).isTrue();

        // a valid new port: listens there, no longer on the first
        int second = freePort();
        server.modified(null, serverConfig(Map.of("port", second)), Map.of());
        assertThat(listening(second)).isTrue();
        assertThat(server.listenAddress()).contains("127.0.0.1:" + second);
        await("the first port closed", () -> !listening(first));

        // a port someone else holds: refused, still listening on the second
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.modified(null, serverConfig(Map.of("port", taken.getLocalPort())), Map.of());
            assertThat(listening(second)).isTrue();
            assertThat(server.listenAddress()).contains("127.0.0.1:" + second);
        }

        // the working configuration put back: nothing to do
        server.modified(null, serverConfig(Map.of("port", second)), Map.of());
        assertThat(server.listenAddress()).contains("127.0.0.1:" + second);

        // the same port with another setting: restarted on the same port
        server.modified(null, serverConfig(Map.of("port", second, "window", 10)), Map.of());
        assertThat(listening(second)).isTrue();
        assertThat(server.listenAddress()).contains("127.0.0.1:" + second);

        server.deactivate();
        server = null;
        assertThat(listening(second)).isFalse();
    }

    @Test
    void unparseableValuesAreRefusedNamingPropertyAndValue() {
        Map<String, Object> port = Map.of("port", "abc");
        assertThatThrownBy(() -> SinkServerComponent.settings(serverConfig(port), port))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("io.sink.transport.server: invalid configuration: port = \"abc\" is not a whole number (int)");
        Map<String, Object> rate = Map.of("handshakesPerSecond", "fast");
        assertThatThrownBy(() -> SinkServerComponent.settings(serverConfig(rate), rate))
                .hasMessage("io.sink.transport.server: invalid configuration: handshakesPerSecond = \"fast\" is not a number");
        Map<String, Object> limit = Map.of("maxConnectionsPerAddress", 0);
        assertThatThrownBy(() -> SinkServerComponent.settings(serverConfig(limit), limit))
                .hasMessage("io.sink.transport.server: invalid configuration: maxConnectionsPerAddress must be at least 1, got 0");
        Map<String, Object> pause = Map.of("pauseReadingAt", 4096);
        assertThatThrownBy(() -> SinkServerComponent.settings(serverConfig(pause), pause))
                .hasMessageContaining("pauseReadingAt must be between 1 and 4095, got 4096");
        Map<String, Object> keepalive = Map.of("keepaliveMillis", "1 minute");
        assertThatThrownBy(() -> ClientComponentAccess.settings(clientConfig(keepalive), keepalive))
                .hasMessage("io.sink.transport.client: invalid configuration: keepaliveMillis = \"1 minute\" is not a "
                        + "whole number (long)");
    }

    @Test
    void theServerKeepsListeningWhenAPortIsNotANumber() throws Exception {
        int first = freePort();
        server = new SinkServerComponent();
        server.activate(null, serverConfig(Map.of("port", first)), Map.of());
        Map<String, Object> bad = Map.of("port", "abc");
        server.modified(null, serverConfig(bad), bad);
        assertThat(listening(first)).isTrue();
        assertThat(server.listenAddress()).contains("127.0.0.1:" + first);
    }

    @Test
    void aPortInUseAtActivationIsRetriedUntilItIsFree() throws Exception {
        Path status = pki.resolve("server.status");
        ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = taken.getLocalPort();
        try {
            server = new SinkServerComponent();
            server.activate(null, serverConfig(Map.of("port", port, "statusFile", status.toString())), Map.of());
            assertThat(server.listenAddress()).isEmpty();
            assertThat(Files.readString(status)).startsWith("not-listening cannot listen on 127.0.0.1:" + port + ": ")
                    .containsIgnoringCase("address already in use");
        } finally {
            taken.close();
        }
        await("listening once the port is free", () -> server.listenAddress().isPresent());
        assertThat(listening(port)).isTrue();
        await("the status file says so", () -> readQuietly(status).equals("listening 127.0.0.1:" + port + "\n"));

        // while it listens, a port in use is refused as before: it keeps listening where it is
        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server.modified(null, serverConfig(Map.of("port", other.getLocalPort(), "statusFile", status.toString())),
                    Map.of());
        }
        assertThat(server.listenAddress()).contains("127.0.0.1:" + port);
        server.deactivate();
        server = null;
        assertThat(Files.readString(status)).isEqualTo("stopped\n");
    }

    @Test
    void aNewConfigurationReplacesOneThatCouldNotListen() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            server = new SinkServerComponent();
            server.activate(null, serverConfig(Map.of("port", taken.getLocalPort())), Map.of());
            assertThat(server.listenAddress()).isEmpty();
            int free = freePort();
            server.modified(null, serverConfig(Map.of("port", free)), Map.of());
            assertThat(server.listenAddress()).contains("127.0.0.1:" + free);
            assertThat(listening(free)).isTrue();
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void theClientStaysConnectedOnAnInvalidChangeAndReconnectsOnAValidOne() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        remoteServer = new SinkServerEngine(ServerSettings.defaults(0), serverContext(), () -> admitAll(),
                () -> registry, () -> new CountingHandler(connections));
        int port = remoteServer.start().getPort();

        client = new ClientComponentAccess();
        client.bindHandler(new RecordingClient(1234));
        client.activate(null, clientConfig(Map.of("port", port)), Map.of());
        await("connected", () -> client.component().connected());
        await("one connection", () -> connections.get() == 1);

        client.modified(null, clientConfig(Map.of("port", 70000)), Map.of());
        client.modified(null, clientConfig(Map.of("port", port, "reconnectDelays", "soon")), Map.of());
        client.modified(null, clientConfig(Map.of("port", port, "privateKey", pki.resolve("nosuch.pem").toString())), Map.of());
        assertThat(client.component().connected()).isTrue();
        assertThat(client.component().server()).isEqualTo("127.0.0.1:" + port);
        assertThat(connections.get()).as("never reconnected").isEqualTo(1);
        // the working configuration put back: unchanged, so no reconnect either
        client.modified(null, clientConfig(Map.of("port", port)), Map.of());
        assertThat(client.component().connected()).isTrue();
        assertThat(connections.get()).as("never reconnected").isEqualTo(1);

        client.modified(null, clientConfig(Map.of("port", port, "applicationVersion", "2.0.0")), Map.of());
        await("connected again with the new configuration", () -> connections.get() == 2 && client.component().connected());
        assertThat(remoteServer.connectedClients()).singleElement()
                .satisfies(c -> assertThat(c.applicationVersion()).isEqualTo("2.0.0"));
    }

    // ----------------------------------------------------------------------------------- fixtures

    private static SinkServerComponent.Config serverConfig(Map<String, Object> values) {
        Map<String, Object> all = new HashMap<>(Map.of("certificate", file(DevCertificates.SERVER_CERTIFICATE),
                "privateKey", file(DevCertificates.SERVER_KEY), "trustedCertificates", file(DevCertificates.CA_CERTIFICATE)));
        all.putAll(values);
        return DsConfig.of(SinkServerComponent.Config.class, all);
    }

    private static SinkClientComponent.Config clientConfig(Map<String, Object> values) {
        Map<String, Object> all = new HashMap<>(Map.of("host", "127.0.0.1",
                "certificate", DevCertificates.clientCertificate(pki, DevCertificates.DEFAULT_CLIENT).toString(),
                "privateKey", DevCertificates.clientKey(pki, DevCertificates.DEFAULT_CLIENT).toString(),
                "trustedCertificates", file(DevCertificates.CA_CERTIFICATE), "reconnectDelays", "20ms, 50ms, 100ms"));
        all.putAll(values);
        return DsConfig.of(SinkClientComponent.Config.class, all);
    }

    private static String file(String name) {
        return pki.resolve(name).toString();
    }

    private static SslContext serverContext() throws Exception {
        return SslContexts.forServer(DevCertificates.serverConfig(pki));
    }

    private static ClientAuthenticator admitAll() {
        return certificate -> Optional.of(DevCertificates.DEFAULT_CLIENT);
    }

    private static final class CountingHandler implements ServerHandler {
        private final AtomicInteger connections;

        CountingHandler(AtomicInteger connections) {
            this.connections = connections;
        }

        @Override
        public CompletableFuture<Optional<io.sink.api.Nack>> handlePublish(String clientId, io.sink.api.Event event) {
            return CompletableFuture.completedFuture(Optional.empty());
        }

        @Override
        public void connectionUp(String clientId, String peer) {
            connections.incrementAndGet();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, TIMEOUT, condition);
    }
}
