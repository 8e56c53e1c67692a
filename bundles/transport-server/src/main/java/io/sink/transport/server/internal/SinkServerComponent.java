package io.sink.transport.server.internal;

import io.netty.handler.ssl.SslContext;
import io.sink.api.Event;
import io.sink.api.PublishResult;
import io.sink.api.config.ConfigurationCheck;
import io.sink.api.server.ClientAuthenticator;
import io.sink.api.server.ClientLeases;
import io.sink.api.server.ClientRegistry;
import io.sink.api.server.ConnectedClient;
import io.sink.api.server.ServerHandler;
import io.sink.api.server.SinkServer;
import io.sink.tls.SslContexts;
import io.sink.transport.internal.component.Home;
import io.sink.transport.internal.state.ReadGate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Sink server as a service: listens while configured, serves clients through the whiteboard
 * authenticator, registry and event handler (each swappable while it runs, or chosen with a
 * {@code <name>.target} filter in the configuration).
 *
 * <p>A changed configuration is applied without deactivating the component: a new engine starts
 * with it and replaces the running one. A configuration that cannot be applied (a bad value, an
 * unreadable certificate, an address that cannot be bound) is refused with an ERROR naming the PID,
 * the property and why, and the server keeps listening with its previous configuration. (Without a
 * modified method SCR would deactivate the component and activate it again, and a bad value would
 * leave no server at all.)
 *
 * <p>An address that cannot be bound at activation (a port in use) does not fail the component:
 * it logs one ERROR and tries again with a growing delay, so the server listens as soon as the port
 * is free; {@code statusFile} says meanwhile that it does not listen, and why.
 */
@Component(service = SinkServer.class, immediate = true, configurationPid = SinkServerComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = SinkServerComponent.Config.class)
public final class SinkServerComponent implements SinkServer {
    public static final String PID = "io.sink.transport.server";
    private static final Logger LOG = LoggerFactory.getLogger(SinkServerComponent.class);

    @ObjectClassDefinition(name = "Sink server", description = "Listens for Sink clients over mutual TLS "
            + "(TLS 1.2 or 1.3, client certificate required).")
    public @interface Config {
        @AttributeDefinition(description = "Address to listen on. 127.0.0.1 by default: only local clients; "
                + "use 0.0.0.0 to accept clients from the network.")
        String host() default "127.0.0.1";

        @AttributeDefinition(description = "TCP port to listen on (0 picks a free port).", min = "0", max = "65535")
        int port() default 4000;

        @AttributeDefinition(description = "The server's certificate chain, PEM, leaf first. Relative paths "
                + "resolve against the framework property sink.home.")
        String certificate() default "certs/server.pem";

        @AttributeDefinition(description = "The server's private key, PEM (PKCS#8, PKCS#1 or EC), readable only "
                + "by the user running Sink.")
        String privateKey() default "certs/server-key.pem";

        @AttributeDefinition(description = "CA certificates (PEM bundle) that issue client certificates.")
        String trustedCertificates() default "certs/ca.pem";

        @AttributeDefinition(description = "Keepalive interval in milliseconds: a connection on which nothing "
                + "arrives for 1.5 times this is closed. The original uses 60 s.", min = "1")
        long keepaliveMillis() default 60_000;

        @AttributeDefinition(description = "Longest TLS handshake, in milliseconds.", min = "1")
        long handshakeTimeoutMillis() default 10_000;

        @AttributeDefinition(description = "Network threads; 0 for twice the number of cores.", min = "0")
        int ioThreads() default 0;

            @AttributeDefinition(description = "Most events the server keeps in flight to one client (1..4095).",
                min = "1", max = "4095")
        int window() default 4095;

        @AttributeDefinition(description = "Most connections open at once, TLS handshakes included; more are "
                + "closed as soon as they are accepted.", min = "1")
        int maxConnections() default 10_000;

        @AttributeDefinition(description = "Most connections open at once from one IP address (devices behind "
                + "one NAT share an address).", min = "1")
        int maxConnectionsPerAddress() default 100;

        @AttributeDefinition(description = "New connections accepted per second, all addresses together; more "
                + "are closed at once (a token bucket of handshakeBurst).")
        double handshakesPerSecond() default 100;

        @AttributeDefinition(description = "New connections accepted at once before handshakesPerSecond applies.",
                min = "1")
        int handshakeBurst() default 200;

        @AttributeDefinition(description = "The server stops reading a client's connection while this many of "
                + "its events wait to be stored (1..4095), and reads again when half of them are answered. More "
                + "than 4095 unanswered is a protocol violation and closes the connection.", min = "1", max = "4095")
        int pauseReadingAt() default 1024;

        @AttributeDefinition(description = "Refused and failed connections (unknown certificates, failed TLS "
                + "handshakes, limits) are logged in full once per kind in this many milliseconds, then counted.",
                min = "1")
        long refusalLogIntervalMillis() default 60_000;

        @AttributeDefinition(description = "A file the server keeps up to date with 'listening ADDRESS' or "
                + "'not-listening REASON' (bin/sink server start reads it); empty for none. Relative paths "
                + "resolve against sink.home.")
        String statusFile() default "";
    }

    /** Waits between attempts to listen on an address that cannot be bound: doubling, at most this. */
    static final Duration MAX_BIND_RETRY = Duration.ofSeconds(30);

    @Reference(policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClientAuthenticator authenticator;

    @Reference(policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClientRegistry registry;

    @Reference(policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServerHandler handler;

    /**
     * Present when this node shares its clients with other nodes (e.g. on PostgreSQL): the fleet's leases.
     * The transport does not wait for them; clients it accepted before they came take their lease when
     * they come (see {@link SinkServerEngine#leasesChanged}).
     */
    private volatile ClientLeases leases;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindLeases(ClientLeases bound) {
        leases = bound;
        SinkServerEngine e = engine;
        if (e != null) {
            e.leasesChanged();
        }
    }

    void unbindLeases(ClientLeases unbound) {
        if (leases == unbound) {
            leases = null;
        }
    }

    /** The running engine; replaced by {@link #modified}. */
    private volatile SinkServerEngine engine;
    /** The settings of {@link #engine}. */
    private ServerSettings settings;
    /** The certificate, key, CA and status file paths of {@link #engine}. */
    private List<String> files;
    private StatusFile status = StatusFile.none();
    /** Runs the attempts to listen again while the address cannot be bound. */
    private ScheduledExecutorService binder;
    private ScheduledFuture<?> retry;

    @Activate
    synchronized void activate(BundleContext context, Config config, Map<String, Object> properties) throws Exception {
        ServerSettings s = settings(config, properties);
        SinkServerEngine e = engine(context, config, s);
        binder = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "sink-server-bind"));
        settings = s;
        files = files(config);
        status = statusFile(context, config);
        engine = e;
        listen(e, 0);
    }

    /**
     * Starts the engine; when its address cannot be bound (a port in use, an address not there yet),
     * says so once at ERROR and tries again after 1, 2, 4 ... and then every 30 s, so that the server
     * listens as soon as it can instead of never.
     */
    private synchronized void listen(SinkServerEngine e, int attempt) {
        retry = null;
        if (e != engine || binder == null) {
            return; // replaced or deactivated meanwhile
        }
        try {
            e.start();
        } catch (Exception failure) {
            String reason = String.valueOf(failure.getMessage());
            status.notListening(reason);
            Duration delay = Duration.ofSeconds(1L << Math.min(attempt, 5));
            if (delay.compareTo(MAX_BIND_RETRY) > 0) {
                delay = MAX_BIND_RETRY;
            }
            if (attempt == 0) {
                LOG.error("{}: the server is not listening: {}; trying again in {} s, then up to every {} s", PID,
                        reason, delay.toSeconds(), MAX_BIND_RETRY.toSeconds());
            } else if (attempt % 10 == 0) {
                LOG.warn("{}: the server is still not listening after {} attempts: {}", PID, attempt + 1, reason);
            }
            retry = binder.schedule(() -> listen(e, attempt + 1), delay.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        String address = e.listenAddress().orElse("?");
        status.listening(address);
        if (attempt > 0) {
            LOG.info("{}: the server listens on {} after {} attempts", PID, address, attempt + 1);
        }
    }

    @Modified
    synchronized void modified(BundleContext context, Config config, Map<String, Object> properties) {
        SinkServerEngine previous = engine;
        boolean listening = previous.listenAddress().isPresent();
        String keeping = listening ? "; the server keeps listening on " + previous.listenAddress().get()
                + " with its previous configuration"
                : "; the server keeps its previous configuration (not listening yet, trying again)";
        ServerSettings next;
        SinkServerEngine replacement;
        try {
            next = settings(config, properties);
            replacement = engine(context, config, next);
        } catch (Exception e) {
            LOG.error("{}{}", message(e), keeping);
            return;
        }
        if (next.equals(settings) && files(config).equals(files)) {
            // e.g. a refused value put back: nothing to restart, no client to disconnect
            LOG.info("{}: configuration unchanged for the server, {}", PID,
                    listening ? "still listening on " + previous.listenAddress().get() : "not listening yet");
            return;
        }
        if (!listening) {
            // nothing to keep: the new configuration replaces the one that could not listen
            cancelRetry();
            previous.stop();
            adopt(context, config, next, replacement);
            listen(replacement, 0);
            return;
        }
        // the same port cannot be bound twice: stop first, and listen with the old settings again on failure
        boolean samePort = next.port() != 0 && next.port() == settings.port();
        if (samePort) {
            previous.stop();
        }
        try {
            replacement.start();
        } catch (Exception e) {
            if (samePort) {
                LOG.error("{}: the new configuration is not applied: {}; the server listens again with its previous "
                        + "configuration", PID, e.getMessage());
                listen(previous, 0);
                return;
            }
            LOG.error("{}: the new configuration is not applied: {}{}", PID, e.getMessage(), keeping);
            return;
        }
        if (!samePort) {
            previous.stop();
        }
        adopt(context, config, next, replacement);
        status.listening(replacement.listenAddress().orElse("?"));
        LOG.info("{}: configuration applied, listening on {}", PID, replacement.listenAddress().orElse("?"));
    }

    private void adopt(BundleContext context, Config config, ServerSettings next, SinkServerEngine replacement) {
        settings = next;
        files = files(config);
        status = statusFile(context, config);
        engine = replacement;
    }

    @Deactivate
    synchronized void deactivate() {
        cancelRetry();
        if (binder != null) {
            binder.shutdownNow();
            binder = null;
        }
        if (engine != null) {
            engine.stop();
        }
        status.stopped();
    }

    private void cancelRetry() {
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
    }

    static ServerSettings settings(Config config, Map<String, Object> properties) {
        try {
            ConfigurationCheck.requireReadable(Config.class, config, properties);
            ServerLimits limits = new ServerLimits(config.maxConnections(), config.maxConnectionsPerAddress(),
                    config.handshakesPerSecond(), config.handshakeBurst(), config.pauseReadingAt(),
                    Duration.ofMillis(config.refusalLogIntervalMillis()));
            if (config.pauseReadingAt() > ReadGate.MAX_UNANSWERED) {
                throw new IllegalArgumentException("pauseReadingAt must be between 1 and 4095, got "
                        + config.pauseReadingAt());
            }
            return new ServerSettings(config.host(), config.port(), Duration.ofMillis(config.keepaliveMillis()),
                    Duration.ofMillis(config.handshakeTimeoutMillis()), config.ioThreads(), config.window(), limits);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PID + ": invalid configuration: " + e.getMessage(), e);
        }
    }

    private static List<String> files(Config config) {
        return List.of(config.certificate(), config.privateKey(), config.trustedCertificates(), config.statusFile());
    }

    private static StatusFile statusFile(BundleContext context, Config config) {
        String file = config.statusFile();
        return file == null || file.isBlank() ? StatusFile.none()
                : new StatusFile(Home.of(context).resolve(file.trim()).normalize());
    }

    private SinkServerEngine engine(BundleContext context, Config config, ServerSettings s) throws Exception {
        SslContext ssl;
        try {
            ssl = SslContexts.forServer(Home.tls(context, PID, config.certificate(), config.privateKey(),
                    config.trustedCertificates()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PID + ": invalid configuration: " + e.getMessage(), e);
        }
        SinkServerEngine e = new SinkServerEngine(s, ssl, () -> authenticator, () -> registry, () -> handler);
        e.leases(() -> leases);
        return e;
    }

    /** The exception's message, prefixed with the PID unless it names it already. */
    static String message(Exception e) {
        String m = String.valueOf(e.getMessage());
        return m.startsWith(PID) ? m : PID + ": invalid configuration: " + m;
    }

    @Override
    public boolean connected(String clientId) {
        return engine.connected(clientId);
    }

    @Override
    public List<ConnectedClient> connectedClients() {
        return engine.connectedClients();
    }

    @Override
    public Optional<ConnectedClient> client(String clientId) {
        return engine.client(clientId);
    }

    @Override
    public CompletionStage<PublishResult> publish(String clientId, Event event) {
        return engine.publish(clientId, event);
    }

    @Override
    public Map<Long, Long> freshness(String clientId) {
        return engine.freshness(clientId);
    }

    @Override
    public boolean disconnect(String clientId, String reason) {
        return engine.disconnect(clientId, reason);
    }

    @Override
    public Optional<String> listenAddress() {
        return engine.listenAddress();
    }
}
