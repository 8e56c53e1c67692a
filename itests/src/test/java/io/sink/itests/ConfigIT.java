package io.sink.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import io.sink.api.server.ServerHandler;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Bad configuration values in a running framework (issue 11, operator input): a component refuses an
 * invalid value in one ERROR line and keeps running on its previous configuration, without being
 * deactivated. Shown for the reading log (the server's handler: deactivating it would take the
 * server's handler away), for the shell socket, and for an invalid reference target filter, which SCR
 * itself would otherwise answer by deactivating the component (TargetFilterGuard, a ConfigurationPlugin,
 * keeps it from SCR). Each check waits until SCR has taken the change (its component properties show
 * a marker set with the bad value), then asserts that the service was never unregistered.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfigIT {
    private static final Path HOME = createHome();

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurationAdmin;

    @Inject
    private ServiceComponentRuntime scr;

    private static Path createHome() {
        try {
            Path home = Files.createTempDirectory("sink-config-it",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (java.util.stream.Stream<Path> paths = Files.walk(home)) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    // best effort at JVM exit
                }
            }));
            return home;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Configuration
    public Option[] config() {
        return SinkOptions.config(SinkOptions.sqlite(), SinkOptions.gogo(),
                frameworkProperty("sink.data.dir").value(HOME.resolve("data").toString()),
                frameworkProperty("sink.home").value(HOME.toString()),
                SinkOptions.sinkBundles("api", "protocol", "sqlite", "server-store", "reading-log", "shell-socket"));
    }

    @Test
    public void theReadingLogRefusesABadValueAndKeepsServing() throws Exception {
        ServiceReference<ServerHandler> handler = handler();
        List<String> unregistered = watchUnregistering(ServerHandler.class);
        try {
            configure("io.sink.reading.log", "loggerName", "io.sink.readings", "logQueueCapacity", "lots",
                    "marker", "bad-value");
            awaitTaken("io.sink.reading.log.internal.ReadingLogComponent", "bad-value");
            assertEquals("the reading log was never unregistered", List.of(), unregistered);
            assertEquals(serviceId(handler), serviceId(handler()));
        } finally {
            stopWatching();
        }
    }

    @Test
    public void anInvalidTargetFilterKeepsThePreviousTarget() throws Exception {
        String component = "io.sink.reading.log.internal.ReadingLogComponent";
        configure("io.sink.reading.log", "store.target", "(sink.store.type=sqlite)", "marker", "good-target");
        awaitTaken(component, "good-target");
        ServiceReference<ServerHandler> handler = handler();
        List<String> unregistered = watchUnregistering(ServerHandler.class);
        try {
            configure("io.sink.reading.log", "store.target", "(broken", "marker", "bad-target");
            Map<String, Object> taken = awaitTaken(component, "bad-target");
            assertEquals("the target DS was given", "(sink.store.type=sqlite)", taken.get("store.target"));
            assertEquals("the reading log was never unregistered", List.of(), unregistered);
            assertEquals(serviceId(handler), serviceId(handler()));
        } finally {
            stopWatching();
        }
    }

    @Test
    public void theShellSocketRefusesABadValueAndKeepsListeningThenMovesOnAGoodOne() throws Exception {
        String component = "io.sink.shell.socket.internal.ShellSocketComponent";
        Path first = HOME.resolve("first.sock");
        Path second = HOME.resolve("second.sock");
        configure("io.sink.shell.socket", "path", first.toString(), "marker", "first");
        awaitTaken(component, "first");
        Await.until("listening on " + first, Await.TIMEOUT, () -> listening(first));

        configure("io.sink.shell.socket", "path", first.toString(), "maxConcurrentCommands", "many",
                "marker", "bad");
        awaitTaken(component, "bad");
        assertTrue("still listening with the previous configuration", listening(first));
        assertEquals(ComponentConfigurationDTO.ACTIVE, configurationOf(component).state);

        configure("io.sink.shell.socket", "path", second.toString(), "marker", "second");
        awaitTaken(component, "second");
        Await.until("listening on " + second, Await.TIMEOUT, () -> listening(second));
        assertFalse("the previous socket file is removed", Files.exists(first));
    }

    // ------------------------------------------------------------------ helpers

    private ServiceReference<ServerHandler> handler() throws InterruptedException {
        Await.service(context, ServerHandler.class, null, Await.TIMEOUT);
        return context.getServiceReference(ServerHandler.class);
    }

    private static Object serviceId(ServiceReference<?> reference) {
        return reference.getProperty(Constants.SERVICE_ID);
    }

    private ServiceListener listener;

    private List<String> watchUnregistering(Class<?> type) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        listener = event -> {
            if (event.getType() == ServiceEvent.UNREGISTERING) {
                events.add("service " + serviceId(event.getServiceReference()) + " unregistered");
            }
        };
        context.addServiceListener(listener, "(" + Constants.OBJECTCLASS + "=" + type.getName() + ")");
        return events;
    }

    private void stopWatching() {
        context.removeServiceListener(listener);
    }

    /** Waits until SCR's component configuration shows {@code marker}; its properties then. */
    private Map<String, Object> awaitTaken(String component, String marker) throws InterruptedException {
        Await.until(() -> component + " takes the configuration marked " + marker + " (now: "
                + describe(component) + ")", Await.TIMEOUT, () -> {
                    ComponentConfigurationDTO c = configurationOf(component);
                    return c != null && marker.equals(c.properties.get("marker"));
                });
        return configurationOf(component).properties;
    }

    private ComponentConfigurationDTO configurationOf(String component) {
        for (Bundle bundle : context.getBundles()) {
            ComponentDescriptionDTO description = scr.getComponentDescriptionDTO(bundle, component);
            if (description != null) {
                return scr.getComponentConfigurationDTOs(description).stream().findFirst().orElse(null);
            }
        }
        return null;
    }

    private String describe(String component) {
        ComponentConfigurationDTO c = configurationOf(component);
        return c == null ? "no configuration" : "state " + c.state + ", properties " + c.properties;
    }

    private static boolean listening(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return false;
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
