package io.sink.transport.server.internal;

import io.netty.handler.ssl.SslContext;
import io.sink.tls.DevCertificates;
import io.sink.transport.client.internal.ClientSettings;
import io.sink.transport.client.internal.SinkClientEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server engine over TLS on loopback with in-memory collaborators (example-client and
 * mallory admitted, stranger not), and the clients and raw peers a test starts against it, all
 * stopped after each test.
 */
abstract class ServerTestBase {
    @TempDir
    static Path pki;
    static SslContext serverTls;

    Fixtures.Authenticator authenticator;
    Fixtures.Registry registry;
    Fixtures.Handler handler;
    SinkServerEngine server;
    int port;
    final List<SinkClientEngine> clients = new ArrayList<>();
    final List<RawPeer> peers = new ArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        DevCertificates.ensure(pki, List.of("example-client", "mallory", "stranger"));
        serverTls = Fixtures.serverContext(pki);
    }

    @BeforeEach
    void collaborators() throws Exception {
        authenticator = new Fixtures.Authenticator().allow(pki, "example-client", "mallory");
        registry = new Fixtures.Registry();
        handler = new Fixtures.Handler();
    }

    /** Starts a server engine with {@code settings}; {@link #port} is its port. */
    SinkServerEngine startServer(ServerSettings settings) throws Exception {
        SinkServerEngine engine = new SinkServerEngine(settings, serverTls, () -> authenticator, () -> registry,
                () -> handler);
        port = engine.start().getPort();
        return engine;
    }

    @AfterEach
    void stopAll() throws Exception {
        clients.forEach(SinkClientEngine::stop);
        peers.forEach(RawPeer::close);
        if (server != null) {
            server.stop();
        }
    }

    SinkClientEngine client(String name, Fixtures.Client device) throws Exception {
        return client(name, device, Fixtures.clientSettings(port));
    }

    SinkClientEngine client(String name, Fixtures.Client device, ClientSettings settings) throws Exception {
        SinkClientEngine engine = new SinkClientEngine(settings, Fixtures.clientContext(pki, name), () -> device);
        clients.add(engine);
        engine.start();
        return engine;
    }

    RawPeer raw(String name) throws Exception {
        return raw(name, 0);
    }

    /** A raw TLS peer connected with {@code name}'s certificate (socket receive buffer {@code receiveBuffer}, 0: default). */
    RawPeer raw(String name, int receiveBuffer) throws Exception {
        RawPeer peer = RawPeer.client(Fixtures.clientContext(pki, name), port, receiveBuffer);
        peers.add(peer);
        return peer;
    }
}
