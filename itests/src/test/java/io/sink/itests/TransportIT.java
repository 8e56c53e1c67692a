package io.sink.itests;

import static org.junit.Assert.assertEquals;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.PublishResult;
import io.sink.api.client.ClientHandler;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.SinkClient;
import io.sink.api.server.ClientAuthenticator;
import io.sink.api.server.ClientRecord;
import io.sink.api.server.ClientRegistry;
import io.sink.api.server.ServerHandler;
import io.sink.api.server.SinkServer;
import io.sink.tls.Certificates;
import io.sink.tls.DevCertificates;
import io.sink.tls.PemFiles;
import java.io.File;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import javax.inject.Inject;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A Sink server and a Sink client inside one Felix, wired by DS and configured through ConfigAdmin,
 * exchanging events over mutual TLS on loopback in both directions.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TransportIT {

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    @Configuration
    public Option[] config() {
        return SinkOptions.config(SinkOptions.netty(), SinkOptions.bouncyCastle(),
                SinkOptions.sinkBundles("api", "protocol", "tls", "transport", "transport-client",
                        "transport-server"));
    }

    @Test
    public void theSharedTransportIsWiredToTheClientAndServerTransportsOnly() {
        Bundles.requireAllResolved(context);
        Bundle shared = Bundles.requireActive(context, "io.sink.transport");
        Set<String> importers = new TreeSet<>();
        for (BundleWire wire : shared.adapt(BundleWiring.class).getProvidedWires(BundleRevision.PACKAGE_NAMESPACE)) {
            // the internal packages carry the mandatory attribute: only an import naming it wires
            assertEquals("friend", wire.getCapability().getAttributes().get("sink.transport"));
            importers.add(wire.getRequirer().getSymbolicName());
        }
        assertEquals(new TreeSet<>(List.of("io.sink.transport-client", "io.sink.transport-server")),
                importers);
    }

    @Test
    public void clientAndServerExchangeEventsInsideFelix() throws Exception {
        Bundles.requireAllResolved(context);
        File pki = folder.newFolder("pki");
        DevCertificates.ensure(pki.toPath(), List.of("example-client"));
        X509Certificate clientCert = PemFiles.readCertificates(
                DevCertificates.clientCertificate(pki.toPath(), "example-client")).get(0);
        String fingerprint = Certificates.sha256Fingerprint(clientCert);

        ConcurrentLinkedQueue<Event> received = new ConcurrentLinkedQueue<>();
        Map<String, InstanceId> remembered = new ConcurrentHashMap<>();
        List<ServiceRegistration<?>> registrations = new ArrayList<>();
        registrations.add(context.registerService(ClientAuthenticator.class,
                cert -> Certificates.sha256Fingerprint(cert).equals(fingerprint) ? Optional.of("example-client")
                        : Optional.empty(), null));
        registrations.add(context.registerService(ClientRegistry.class, new ClientRegistry() {
            @Override
            public ClientRecord record(String clientId) {
                return new ClientRecord(new InstanceId(99), Optional.ofNullable(remembered.get(clientId)),
                        Optional.empty());
            }

            @Override
            public void registerClientInstanceId(String clientId, InstanceId id) {
                remembered.put(clientId, id);
            }
        }, null));
        registrations.add(context.registerService(ServerHandler.class, (clientId, event) -> {
            received.add(event);
            return CompletableFuture.completedFuture(Optional.empty());
        }, null));
        ConcurrentLinkedQueue<Event> toClient = new ConcurrentLinkedQueue<>();
        registrations.add(context.registerService(ClientHandler.class, new ClientHandler() {
            volatile InstanceId server;

            @Override
            public ClientInstanceIds instanceIds() {
                return new ClientInstanceIds(new InstanceId(7), Optional.ofNullable(server));
            }

            @Override
            public void serverInstanceIdReceived(InstanceId serverInstanceId) {
                server = serverInstanceId;
            }

            @Override
            public CompletionStage<Optional<Nack>> handlePublish(Event event) {
                toClient.add(event);
                return CompletableFuture.completedFuture(Optional.empty());
            }
        }, null));
        try {
            configure("io.sink.transport.server", "port", 0,
                    "certificate", pki + "/server.pem", "privateKey", pki + "/server-key.pem",
                    "trustedCertificates", pki + "/ca.pem");
            SinkServer server = Await.service(context, SinkServer.class, null, Await.TIMEOUT);
            Await.until("server listening", Await.TIMEOUT, () -> server.listenAddress().isPresent());
            int port = Integer.parseInt(server.listenAddress().get().replaceAll(".*:", ""));

            configure("io.sink.transport.client", "host", "localhost", "port", port,
                    "certificate", pki + "/example-client.pem", "privateKey", pki + "/example-client-key.pem",
                    "trustedCertificates", pki + "/ca.pem");
            SinkClient client = Await.service(context, SinkClient.class, null, Await.TIMEOUT);
            Await.until("client connected", Await.TIMEOUT, client::connected);
            // the server sends its answer, then registers the connection: the client can be first
            Await.until("the server sees the client connected", Await.TIMEOUT,
                    () -> server.connected("example-client"));
            assertEquals(new InstanceId(7), remembered.get("example-client"));

            List<CompletableFuture<PublishResult>> results = new ArrayList<>();
            for (int i = 1; i <= 100; i++) {
                results.add(client.publish(Event.of(1, 1, "kitchen", i, 1_700_000_000L + i, new byte[] {1}))
                        .toCompletableFuture());
            }
            for (int i = 0; i < results.size(); i++) {
                assertEquals(new PublishResult.Acked(AckKey.of(1, "kitchen", i + 1)),
                        results.get(i).get(20, TimeUnit.SECONDS));
            }
            assertEquals(100, received.size());
            assertEquals(Long.valueOf(1_700_000_100L), server.freshness("example-client").get(1L));

            PublishResult down = server.publish("example-client", Event.of(2, 1, "config", 1, 5, new byte[0]))
                    .toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertEquals(new PublishResult.Acked(AckKey.of(2, "config", 1)), down);
            assertEquals(1, toClient.size());
        } finally {
            for (org.osgi.service.cm.Configuration c : configurationAdmin.listConfigurations(
                    "(service.pid=io.sink.transport.*)")) {
                c.delete();
            }
            registrations.forEach(ServiceRegistration::unregister);
        }
    }

    private void configure(String pid, Object... keyValues) throws Exception {
        Dictionary<String, Object> properties = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put((String) keyValues[i], keyValues[i + 1]);
        }
        configurationAdmin.getConfiguration(pid, "?").update(properties);
    }
}
