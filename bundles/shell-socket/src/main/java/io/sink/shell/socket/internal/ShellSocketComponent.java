package io.sink.shell.socket.internal;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.felix.service.command.CommandProcessor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Runs Gogo command lines sent to an owner-only Unix domain socket ({@code bin/sink <role> exec}).
 * Runs with its defaults when PID {@value #PID} is not configured.
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
                + "the framework property sink.home. Its directory is made owner-only (rwx------). bin/sink "
                + "expects the default.")
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

    @Reference
    private CommandProcessor processor;

    private ShellSocketServer server;

    @Activate
    void activate(BundleContext context, Config config) throws IOException {
        ShellSocketServer.Settings settings;
        try {
            settings = new ShellSocketServer.Settings(socketPath(context.getProperty(HOME_PROPERTY), config.path()),
                    seconds("requestTimeoutSeconds", config.requestTimeoutSeconds(), 600),
                    seconds("commandTimeoutSeconds", config.commandTimeoutSeconds(), 3600),
                    seconds("requestTimeoutSeconds", config.requestTimeoutSeconds(), 600),
                    range("maxConcurrentCommands", config.maxConcurrentCommands(), 1, 64));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PID + ": invalid configuration: " + e.getMessage(), e);
        }
        try {
            server = ShellSocketServer.start(settings, new GogoRunner(processor));
        } catch (IOException e) {
            throw new IOException(PID + ": cannot listen on " + settings.socket() + ": " + e.getMessage(), e);
        }
    }

    @Deactivate
    void deactivate() {
        server.close();
    }

    /** {@code path} resolved against {@code home} (the working directory when home is not set). */
    static Path socketPath(String home, String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("path must name the socket file, got an empty value");
        }
        try {
            Path base = Path.of(home == null || home.isBlank() ? "." : home);
            Path socket = base.resolve(path.strip()).toAbsolutePath().normalize();
            if (socket.getParent() == null) {
                throw new IllegalArgumentException("path " + socket + " has no directory");
            }
            return socket;
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("path is not a valid path: \"" + path + "\" (" + e.getReason() + ")", e);
        }
    }

    private static Duration seconds(String property, int value, int max) {
        return Duration.ofSeconds(range(property, value, 1, max));
    }

    private static int range(String property, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(property + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }
}
