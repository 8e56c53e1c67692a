package io.sink.shell.socket.internal;

import io.sink.api.config.ConfigReader;
import io.sink.api.config.Reconfigurable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.felix.service.command.CommandProcessor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Gogo command lines sent to an owner-only Unix domain socket ({@code bin/sink <role> exec}).
 * Runs with its defaults when PID {@value #PID} is not configured. A changed configuration is applied
 * while it runs; an invalid one is refused in one ERROR line and the socket keeps its previous one.
 */
@Component(service = {}, immediate = true, configurationPid = ShellSocketComponent.PID)
@Designate(ocd = ShellSocketComponent.Config.class)
public final class ShellSocketComponent {
    public static final String PID = "io.sink.shell.socket";
    /** Framework property naming the instance's home folder; a relative socket path resolves against it. */
    static final String HOME_PROPERTY = "sink.home";

    @ObjectClassDefinition(id = PID, name = "Sink shell socket",
            description = "Runs Gogo commands sent by 'bin/sink <role> exec' over a Unix domain socket that only "
                    + "the user running Sink can use.")
    public @interface Config {
        @AttributeDefinition(name = "Socket path", description = "The socket file. Relative paths resolve against "
                + "the framework property sink.home. A missing directory is created owner-only (rwx------); an existing "
                + "one must be owner-only already (it is refused, never changed). bin/sink expects the default.")
        String path() default "data/sink.sock";

        @AttributeDefinition(name = "Command timeout (seconds)", min = "1", max = "3600",
                description = "A command running longer is interrupted and answered with status 3.")
        int commandTimeoutSeconds() default 60;

        @AttributeDefinition(name = "Request timeout (seconds)", min = "1", max = "600",
                description = "Longest wait for a client's command, and for the client to take the answer.")
        int requestTimeoutSeconds() default 10;

        @AttributeDefinition(name = "Concurrent commands", min = "1", max = "64",
                description = "Most commands running at once; more are refused as busy (status 2).")
        int maxConcurrentCommands() default 4;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ShellSocketComponent.class);

    @Reference
    private CommandProcessor processor;

    private Reconfigurable<ShellSocketServer.Settings, ShellSocketServer> server;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        String home = context == null ? null : context.getProperty(HOME_PROPERTY);
        server = new Reconfigurable<>(PID, "the shell socket", properties, p -> settings(home, p), this::listen,
                ShellSocketServer::close, LOG::error, LOG::info);
    }

    /**
     * A changed configuration, applied without deactivating the component: an invalid value is refused
     * with ONE error line naming the PID, the property, the value and why, and the socket keeps
     * listening as it was; a valid change listens again with it (see {@link Reconfigurable}).
     */
    @Modified
    void modified(Map<String, Object> properties) {
        server.modified(properties);
    }

    @Deactivate
    void deactivate() {
        server.close();
    }

    private ShellSocketServer listen(ShellSocketServer.Settings settings) {
        try {
            return ShellSocketServer.start(settings, new GogoRunner(processor));
        } catch (IOException e) {
            throw new UncheckedIOException(PID + ": cannot listen on " + settings.socket() + ": " + e.getMessage(), e);
        }
    }

    /** Validates the configuration's raw properties; messages name the PID, the property and the value. */
    static ShellSocketServer.Settings settings(String home, Map<String, ?> properties) {
        ConfigReader config = new ConfigReader(PID, properties);
        String path = config.nonBlankText("path", "data/sink.sock");
        Path socket;
        try {
            socket = socketPath(home, path);
        } catch (IllegalArgumentException e) {
            throw config.invalid("path", config.raw("path"), e.getMessage());
        }
        Duration request = Duration.ofSeconds(config.intValue("requestTimeoutSeconds", 10, 1, 600));
        return new ShellSocketServer.Settings(socket, request,
                Duration.ofSeconds(config.intValue("commandTimeoutSeconds", 60, 1, 3600)), request,
                config.intValue("maxConcurrentCommands", 4, 1, 64));
    }

    /**
     * {@code path} resolved against {@code home} (the working directory when home is not set).
     *
     * @throws IllegalArgumentException saying why (without the property's name and value)
     */
    static Path socketPath(String home, String path) {
        try {
            Path base = Path.of(home == null || home.isBlank() ? "." : home);
            Path socket = base.resolve(path.strip()).toAbsolutePath().normalize();
            if (socket.getParent() == null) {
                throw new IllegalArgumentException("it has no directory");
            }
            return socket;
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("it is not a valid path (" + e.getReason() + ")", e);
        }
    }
}
