package io.sink.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.Version;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.protocol.AckFrame;
import io.sink.protocol.FrameCodec;

/** The Sink bundles that every assembly has (API, protocol codec), in Felix with SCR and ConfigAdmin. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CoreBundlesIT {

    private static final Version API_VERSION = new Version(1, 0, 0);
    /**
     * io.sink.api.client 1.1: SinkClient.problem() (why the client is not connected); 1.2: ServerEventHandler
     * (what the server publishes, by event type); 2.0: the Outbox, ClientHandler.connectionUp(SinkClient) and no
     * handleAck/handleNack (one ACK path: the publish's result).
     */
    private static final Version API_CLIENT_VERSION = new Version(2, 1, 0); // 2.1.0: SinkClient.publishAll

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return SinkOptions.config(SinkOptions.sinkBundles("api", "protocol"));
    }

    @Test
    public void everyBundleResolves() {
        Bundles.requireAllResolved(context);
    }

    @Test
    public void declarativeServicesAndConfigAdminRun() throws InterruptedException {
        Bundles.requireActive(context, "org.apache.felix.scr");
        Bundles.requireActive(context, "org.apache.felix.configadmin");
        Await.tracked(context, ServiceComponentRuntime.class, null, Await.TIMEOUT).close();
        Await.tracked(context, ConfigurationAdmin.class, null, Await.TIMEOUT).close();
    }

    @Test
    public void apiBundleExportsItsPackagesAtTheirVersions() {
        Bundle api = Bundles.requireActive(context, "io.sink.api");
        Map<String, Version> exports = Bundles.exportedPackages(api);
        // io.sink.api 1.1.0: unsigned 64-bit event type ids, schema versions and offsets;
        // io.sink.api.text 1.1.0: the escaper, the command argument parser and RepeatedEvents
        assertEquals("exports of io.sink.api: " + exports,
                Map.of("io.sink.api", new Version(1, 1, 0), "io.sink.api.client", API_CLIENT_VERSION,
                        "io.sink.api.config", API_VERSION, "io.sink.api.text", new Version(1, 1, 0),
                        // 1.1.0: RetryLaterException, a stage the transport must not answer;
                        // 1.2.0: ClientLeases, the fleet-wide one-connection-per-client rule;
                        // 1.3.0: handlePublishes/storeAll, the PUBLISHes of one network read stored together
                        "io.sink.api.server", new Version(1, 3, 0),
                        // 1.0.0: the sensors the server configures on its clients
                        "io.sink.api.server.sensors", API_VERSION),
                exports);
    }

    @Test
    public void eventsAreBuiltFromTheApiBundle() {
        Bundle api = Bundles.bySymbolicName(context, "io.sink.api");
        // the probe imports io.sink.api from the bundle, not from the test class path
        assertSame(api, FrameworkUtil.getBundle(Event.class));

        byte[] data = "payload".getBytes(StandardCharsets.UTF_8);
        Event event = Event.of(7, 1, "device-1", 42, 1_700_000_000L, data);
        assertEquals(AckKey.of(7, "device-1", 42), event.ackKey());
        assertEquals(AckKey.of(7, "device-1", 42).hashCode(), event.ackKey().hashCode());
        assertNotEquals(AckKey.of(7, "device-1", 43), event.ackKey());
        assertNotEquals(AckKey.of(8, "device-1", 42), event.ackKey());
        assertTrue(event.publishPayloadSize() > data.length);
    }

    @Test
    public void protocolBundleWiresToTheApiAndRoundTripsAnAck() throws Exception {
        Bundle protocol = Bundles.requireActive(context, "io.sink.protocol");
        Map<String, Version> exports = Bundles.exportedPackages(protocol);
        assertEquals("exports of io.sink.protocol: " + exports, API_VERSION, exports.get("io.sink.protocol"));
        assertTrue("implementation packages stay private: " + exports,
                exports.keySet().stream().noneMatch(p -> p.contains(".internal")));
        assertSame(Bundles.bySymbolicName(context, "io.sink.api"), Bundles.importedFrom(protocol, "io.sink.api"));
        assertSame(protocol, FrameworkUtil.getBundle(FrameCodec.class));

        byte[] wire = FrameCodec.encodeWithLengthPrefix(new AckFrame(4095));
        assertEquals("length prefix and a 2-byte ACK", 4, wire.length);
        assertEquals(new AckFrame(4095), FrameCodec.decodeWithLengthPrefix(wire, 0, wire.length));
    }
}
