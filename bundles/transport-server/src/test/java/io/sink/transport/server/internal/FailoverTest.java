package io.sink.transport.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.PublishResult;
import io.sink.testsupport.Await;
import io.sink.testsupport.DsConfig;
import io.sink.tls.DevCertificates;
import io.sink.transport.client.internal.ClientComponentAccess;
import io.sink.transport.client.internal.ClientSettings;
import io.sink.transport.client.internal.ServerAddress;
import io.sink.transport.client.internal.SinkClientComponent;
import io.sink.transport.client.internal.SinkClientEngine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A client given several servers (two real server engines over TLS on loopback, sharing one client
 * registry as the nodes of a fleet share their database) moves to the next when one fails, with the
 * default reconnect schedule.
 */
class FailoverTest extends ServerTestBase {
    /** "Within seconds": the default schedule tries the next server after 50 ms. */
    private static final Duration FAILOVER = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<SinkServerEngine> others = new ArrayList<>();
    private ClientComponentAccess component;

    @AfterEach
    void stopOthers() throws Exception {
        if (component != null) {
            component.deactivate();
        }
        others.forEach(SinkServerEngine::stop);
    }

    @Test
    void whenTheFirstServerStopsTheClientConnectsToTheSecondAndPublishesThere() throws Exception {
        server = startServer(Fixtures.serverSettings());
        int first = port;
        Fixtures.Handler firstHandler = handler;
        Fixtures.Handler secondHandler = new Fixtures.Handler();
        SinkServerEngine second = otherServer("127.0.0.1", secondHandler);
        int secondPort = portOf(second);

        Fixtures.Client device = new Fixtures.Client(31);
        SinkClientEngine engine = client("example-client", device, ClientSettings.defaults("127.0.0.1", first)
                .withServers(List.of(local(first), local(secondPort))));
        Await.until("connected to the first server", WAIT, engine::connected);
        assertThat(engine.server()).isEqualTo("127.0.0.1:" + first);
        assertThat(engine.servers()).isEqualTo("127.0.0.1:" + first + ", 127.0.0.1:" + secondPort);
        assertThat(await(engine.publish(Fixtures.event("k", 1)))).isInstanceOf(PublishResult.Acked.class);
        assertThat(firstHandler.received).hasSize(1);

        long stopped = System.nanoTime();
        server.stop();
        server = null;
        Await.until("connected to the second server within seconds", FAILOVER,
                () -> engine.connected() && engine.server().equals("127.0.0.1:" + secondPort));
        long failoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
        System.out.println("failover from a stopped server to the second one took " + failoverMillis + " ms");
        assertThat(second.connected("example-client")).isTrue();
        assertThat(await(engine.publish(Fixtures.event("k", 2)))).isInstanceOf(PublishResult.Acked.class);
        assertThat(secondHandler.received).extracting(e -> e.offset()).containsExactly(2L);
        assertThat(firstHandler.received).hasSize(1);
        assertThat(device.storedServerIds).as("one fleet: the server instance id was stored once").hasSize(1);

        // the first one back on its port, the second one stops: the list wraps around
        SinkServerEngine firstAgain = otherServer(first, firstHandler);
        second.stop();
        Await.until("back on the first server", FAILOVER,
                () -> engine.connected() && engine.server().equals("127.0.0.1:" + first));
        assertThat(firstAgain.connected("example-client")).isTrue();
        assertThat(await(engine.publish(Fixtures.event("k", 3)))).isInstanceOf(PublishResult.Acked.class);
        assertThat(firstHandler.received).extracting(e -> e.offset()).containsExactly(1L, 3L);
    }

    @Test
    void anAddressThatRefusesConnectionsFirstInTheListIsPassedOver() throws Exception {
        server = startServer(Fixtures.serverSettings());
        int refusing = closedPort();
        long start = System.nanoTime();
        SinkClientEngine engine = client("example-client", new Fixtures.Client(32),
                ClientSettings.defaults("127.0.0.1", refusing).withServers(List.of(local(refusing), local(port))));
        Await.until("connected to the second address", FAILOVER, engine::connected);
        System.out.println("connected past a refusing address in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
        assertThat(engine.server()).isEqualTo("127.0.0.1:" + port);
        assertThat(await(engine.publish(Fixtures.event("k", 1)))).isInstanceOf(PublishResult.Acked.class);
        assertThat(handler.received).hasSize(1);
    }

    @Test
    void aServerThatNeverAnswersTheHandshakeIsLeftAfterTheHandshakeTimeout() throws Exception {
        server = startServer(Fixtures.serverSettings());
        // the kernel completes the TCP connect (backlog) but nobody ever answers the TLS ClientHello
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ClientSettings d = ClientSettings.defaults("127.0.0.1", silent.getLocalPort());
            ClientSettings settings = new ClientSettings(List.of(local(silent.getLocalPort()), local(port)),
                    d.applicationVersion(), d.keepalive(), d.connectTimeout(), Duration.ofMillis(500), d.window(),
                    d.reconnectDelays(), d.refusalDelay(), d.jitter());
            SinkClientEngine engine = client("example-client", new Fixtures.Client(35), settings);
            Await.until("connected to the second address", FAILOVER, engine::connected);
            assertThat(engine.server()).isEqualTo("127.0.0.1:" + port);
            assertThat(await(engine.publish(Fixtures.event("k", 1)))).isInstanceOf(PublishResult.Acked.class);
        }
    }

    @Test
    void theServerCertificateIsCheckedAgainstTheHostOfTheAddressTried() throws Exception {
        // a server on 127.0.0.2, which the development certificate (localhost, 127.0.0.1) does not name
        SinkServerEngine wrongName;
        try {
            wrongName = otherServer("127.0.0.2", new Fixtures.Handler());
        } catch (Exception e) {
            Assumptions.abort("127.0.0.2 is not a loopback address here (Linux has 127.0.0.0/8): " + e);
            return;
        }
        int wrongPort = portOf(wrongName);
        server = startServer(Fixtures.serverSettings());

        SinkClientEngine alone = client("example-client", new Fixtures.Client(33),
                ClientSettings.defaults("127.0.0.2", wrongPort));
        Await.until("the certificate refused for 127.0.0.2", WAIT,
                () -> alone.problem().orElse("").contains("127.0.0.2"));
        assertThat(alone.problem().orElseThrow()).contains("TLS handshake with 127.0.0.2:" + wrongPort + " failed");
        alone.stop();

        SinkClientEngine engine = client("example-client", new Fixtures.Client(33), ClientSettings
                .defaults("127.0.0.2", wrongPort).withServers(List.of(new ServerAddress("127.0.0.2", wrongPort),
                        local(port))));
        Await.until("connected to 127.0.0.1, whose name the certificate holds", FAILOVER, engine::connected);
        assertThat(engine.server()).isEqualTo("127.0.0.1:" + port);
        assertThat(wrongName.connectedClients()).isEmpty();
    }

    @Test
    void theComponentTakesAServersListAndRefusesABadOneKeepingItsConnection() throws Exception {
        server = startServer(Fixtures.serverSettings());
        int refusing = closedPort();
        component = new ClientComponentAccess();
        component.bindHandler(new Fixtures.Client(34));
        String servers = "127.0.0.1:" + refusing + ", 127.0.0.1:" + port;
        component.activate(null, clientConfig(Map.of("servers", servers, "host", "not used")), Map.of());
        Await.until("connected through the list", WAIT, () -> component.component().connected());
        assertThat(component.component().server()).isEqualTo("127.0.0.1:" + port);
        assertThat(handler.ups).hasSize(1);

        Map<String, Object> bad = Map.of("servers", servers + ", localhost:abc");
        assertThatThrownBy(() -> ClientComponentAccess.settings(clientConfig(bad), bad))
                .hasMessage("io.sink.transport.client: invalid configuration: servers = \"" + servers
                        + ", localhost:abc\": address 3 \"localhost:abc\": the port \"abc\" is not a whole number from "
                        + "1 to 65535");
        component.modified(null, clientConfig(bad), bad);
        component.modified(null, clientConfig(Map.of("servers", servers + ",")), Map.of());
        assertThat(component.component().connected()).isTrue();
        assertThat(handler.ups).as("never reconnected").hasSize(1);

        // a host alone takes the port property; without servers, host and port are the one server
        Map<String, Object> hostAlone = Map.of("servers", "127.0.0.1", "port", port);
        assertThat(ClientComponentAccess.settings(clientConfig(hostAlone), hostAlone).servers())
                .containsExactly(local(port));
        Map<String, Object> one = Map.of("port", port);
        assertThat(ClientComponentAccess.settings(clientConfig(one), one).servers()).containsExactly(local(port));
        Map<String, Object> badHost = Map.of("host", "evil\nhost");
        assertThatThrownBy(() -> ClientComponentAccess.settings(clientConfig(badHost), badHost))
                .hasMessage("io.sink.transport.client: invalid configuration: host = \"evil\\nhost\" is not a host "
                        + "name or IP address (letters, digits, '-', '.', '_')");
    }

    // ----------------------------------------------------------------------------------- fixtures

    private static PublishResult await(java.util.concurrent.CompletionStage<PublishResult> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static ServerAddress local(int port) {
        return new ServerAddress("127.0.0.1", port);
    }

    /** Another server node: the same authenticator and registry (one fleet), its own handler. */
    private SinkServerEngine otherServer(String host, Fixtures.Handler own) throws Exception {
        ServerSettings d = Fixtures.serverSettings();
        return otherServer(new ServerSettings(host, 0, d.keepalive(), d.handshakeTimeout(), d.ioThreads(),
                d.window()), own);
    }

    private SinkServerEngine otherServer(int port, Fixtures.Handler own) throws Exception {
        return otherServer(ServerSettings.defaults(port), own);
    }

    private SinkServerEngine otherServer(ServerSettings settings, Fixtures.Handler own) throws Exception {
        SinkServerEngine engine = new SinkServerEngine(settings, serverTls, () -> authenticator, () -> registry,
                () -> own);
        others.add(engine);
        engine.start();
        return engine;
    }

    private static int portOf(SinkServerEngine engine) {
        String address = engine.listenAddress().orElseThrow();
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    /** A loopback port nobody listens on: connections to it are refused. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    private static SinkClientComponent.Config clientConfig(Map<String, Object> values) {
        Map<String, Object> all = new HashMap<>(Map.of("host", "127.0.0.1",
                "certificate", DevCertificates.clientCertificate(pki, "example-client").toString(),
                "privateKey", DevCertificates.clientKey(pki, "example-client").toString(),
                "trustedCertificates", pki.resolve(DevCertificates.CA_CERTIFICATE).toString()));
        all.putAll(values);
        return DsConfig.of(SinkClientComponent.Config.class, all);
    }
}
