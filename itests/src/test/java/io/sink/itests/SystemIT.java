package io.sink.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import io.sink.api.client.GroundEventLog;
import io.sink.api.client.SinkClient;
import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.SinkServer;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.tls.DevCertificates;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The whole application in one Felix: the client bundles (SQLite event log, sensor source, poller,
 * transport client, commands) and the server bundles (authentication and registry, SQLite reading
 * store, reading log, transport server, commands), wired by DS and configured through ConfigAdmin.
 * Readings logged with the {@code sensor:log} command reach the server's store and the client's queue
 * drains to 0.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SystemIT {
    private static final Path HOME = createHome();

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Inject
    private CommandProcessor commandProcessor;

    private static Path createHome() {
        try {
            Path home = Files.createTempDirectory("sink-system-it");
            // the framework holds the databases until the JVM ends: delete the folder then
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(home)));
            return home;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // best effort at JVM exit
        }
    }

    @Configuration
    public Option[] config() {
        return SinkOptions.config(SinkOptions.netty(), SinkOptions.bouncyCastle(), SinkOptions.sqlite(),
                SinkOptions.gogo(),
                frameworkProperty("sink.data.dir").value(HOME.resolve("data").toString()),
                frameworkProperty("sink.home").value(HOME.toString()),
                SinkOptions.sinkBundles("api", "protocol", "tls", "transport", "transport-client", "transport-server",
                        "sqlite", "store-sqlite", "sensor",
                        "poller", "client-commands", "server-auth", "server-store", "reading-log",
                        "server-commands"));
    }

    @Test
    public void readingsLoggedByCommandReachTheServersStore() throws Exception {
        Bundles.requireAllResolved(context);
        Path pki = HOME.resolve("certs");
        DevCertificates.ensure(pki, List.of("example-client"));
        Path allowList = Files.createDirectories(HOME.resolve("allow"));
        Files.copy(DevCertificates.clientCertificate(pki, "example-client"), allowList.resolve("example-client.pem"));

        configure("io.sink.server.auth", "allowListDir", allowList.toString(), "rescanSeconds", 1);
        configure("io.sink.server.registry", "stateDir", HOME.resolve("registry").toString());
        configure("io.sink.store.sqlite", "path", HOME.resolve("client.db").toString());
        configure("io.sink.server.store", "path", HOME.resolve("server.db").toString());
        configure("io.sink.poller", "window", 16, "periodMillis", 1000L);
        configure("io.sink.transport.server", "port", 0, "certificate", pki + "/server.pem",
                "privateKey", pki + "/server-key.pem", "trustedCertificates", pki + "/ca.pem");
        SinkServer server = Await.service(context, SinkServer.class, null, Await.TIMEOUT);
        Await.until("server listening", Await.TIMEOUT, () -> server.listenAddress().isPresent());
        int port = Integer.parseInt(server.listenAddress().get().replaceAll(".*:", ""));

        // offline first, as in the original walkthrough: readings are logged before any connection
        run("sensor:log kitchen 70 40");
        run("sensor:log bedroom 68 35");
        run("sensor:log kitchen 71 39");
        GroundEventLog log = Await.service(context, GroundEventLog.class, "(sink.store.type=sqlite)", Await.TIMEOUT);
        assertEquals(3, log.queueSize());
        assertTrue(run("sink:queuesize").contains("3"));

        configure("io.sink.transport.client", "host", "localhost", "port", port,
                "certificate", pki + "/example-client.pem", "privateKey", pki + "/example-client-key.pem",
                "trustedCertificates", pki + "/ca.pem");
        SinkClient client = Await.service(context, SinkClient.class, null, Await.TIMEOUT);
        Await.until("client connected", Await.TIMEOUT, client::connected);
        // the server sends its answer, then registers the connection: the client can be first
        Await.until("the server sees the client connected", Await.TIMEOUT,
                () -> server.connected("example-client"));

        ReceivedEventStore store = Await.service(context, ReceivedEventStore.class, null, Await.TIMEOUT);
        Await.until("three readings stored", Await.TIMEOUT, () -> store.count("example-client") == 3);
        Await.until("the client's queue drains", Await.TIMEOUT, () -> log.queueSize() == 0);
        assertTrue(log.nextEvent().isEmpty());

        List<ReceivedEventStore.StoredEvent> latest = store.latest("example-client", 10);
        assertEquals(3, latest.size());
        ReceivedEventStore.StoredEvent newest = latest.get(0);
        assertEquals("kitchen", newest.event().keyAsString());
        assertEquals(2, newest.event().offset());
        assertEquals(new SensorReading(71, 39), SensorReadingCodec.decode(newest.event().eventData()));

        // more readings while connected flow at once
        for (int i = 0; i < 50; i++) {
            run("sensor:log kitchen " + (60 + i % 20) + " 40");
        }
        Await.until("53 readings stored", Await.TIMEOUT, () -> store.count("example-client") == 53);
        Await.until("the client's queue drains again", Await.TIMEOUT, () -> log.queueSize() == 0);
        assertTrue(run("sink:events example-client 1").contains("kitchen"));
    }

    private String run(String command) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession session = commandProcessor.createSession(System.in, print, print)) {
            Object result = session.execute(command);
            if (result != null) {
                print.println(session.format(result, org.apache.felix.service.command.Converter.INSPECT));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private void configure(String pid, Object... keyValues) throws Exception {
        Dictionary<String, Object> properties = new Hashtable<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put((String) keyValues[i], keyValues[i + 1]);
        }
        configurationAdmin.getConfiguration(pid, "?").update(properties);
    }
}
