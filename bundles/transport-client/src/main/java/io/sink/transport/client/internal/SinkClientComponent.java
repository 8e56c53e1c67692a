package io.sink.transport.client.internal;

import io.netty.handler.ssl.SslContext;
import io.sink.api.AckKey;
import io.sink.api.ConnectionStats;
import io.sink.api.Event;
import io.sink.api.PublishResult;
import io.sink.api.client.ClientHandler;
import io.sink.api.client.SinkClient;
import io.sink.api.config.ConfigurationCheck;
import io.sink.api.text.Printable;
import io.sink.tls.SslContexts;
import io.sink.transport.internal.component.Home;
import io.sink.transport.internal.state.ReconnectSchedule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * The Sink client as a service: while configured and a {@link ClientHandler} is registered, keeps a
 * connection to the server (or to one of several, {@code servers}) and reconnects by the schedule
 * of section 9.
 *
 * <p>A changed configuration is applied without deactivating the component: the client
 * reconnects with the new values. A configuration that cannot be applied (a bad value, an
 * unreadable certificate) is refused with an ERROR naming the PID, the property and why, and the
 * client keeps its connection and its previous configuration. (Without a modified method SCR would
 * deactivate the component, and a bad value would leave no client at all.)
 */
@Component(service = SinkClient.class, immediate = true, configurationPid = SinkClientComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = SinkClientComponent.Config.class)
public final class SinkClientComponent implements SinkClient {
    public static final String PID = "io.sink.transport.client";
    private static final Logger LOG = LoggerFactory.getLogger(SinkClientComponent.class);

    @ObjectClassDefinition(name = "Sink client", description = "Connects to a Sink server over mutual TLS "
            + "(TLS 1.2 or 1.3) and keeps reconnecting.")
    public @interface Config {
        @AttributeDefinition(description = "Server host name or IP address; must match the server certificate.")
        String host() default "localhost";

        @AttributeDefinition(description = "Server TCP port; also the port of a servers entry that names none.",
                min = "1", max = "65535")
        int port() default 4000;

        @AttributeDefinition(description = "Several servers, tried in turn, e.g. \"sink1.example.org:4000, "
                + "sink2.example.org:4000\": each host:port, or a host alone (port then applies), an IPv6 "
                + "address in brackets ([::1]:4000); separated by commas. When set it replaces host. The client "
                + "connects to one server at a time and moves to the next when one fails (refused, timed out, "
                + "TLS failure, connection dropped): every server once quickly, then by reconnectDelays. Empty: "
                + "the one server host:port.")
        String servers() default "";

        @AttributeDefinition(description = "Application version sent to the server, e.g. 1.0.0.")
        String applicationVersion() default "1.0.0";

        @AttributeDefinition(description = "The client's certificate chain, PEM, leaf first. Relative paths "
                + "resolve against the framework property sink.home.")
        String certificate() default "certs/example-client.pem";

        @AttributeDefinition(description = "The client's private key, PEM (PKCS#8, PKCS#1 or EC), readable only "
                + "by the user running Sink.")
        String privateKey() default "certs/example-client-key.pem";

        @AttributeDefinition(description = "CA certificates (PEM bundle) that issue the server certificate.")
        String trustedCertificates() default "certs/ca.pem";

        @AttributeDefinition(description = "Keepalive interval in milliseconds: PING after this long idle, "
                + "disconnect after 1.5 times this without anything received. The original uses 60 s.",
                min = "1")
        long keepaliveMillis() default 60_000;

        @AttributeDefinition(description = "Reconnect delays after a lost or failed connection, e.g. "
                + "\"50ms, 50ms, 1s, 5s, 30s, 60s\"; the last repeats. Each gets +-10% jitter.")
        String reconnectDelays() default "50ms, 50ms, 1s, 5s, 30s, 60s";

        @AttributeDefinition(description = "Delay before reconnecting after the server refused this client "
                + "(instance id mismatch, quarantine, versions, certificate), e.g. 5m.")
        String refusalDelay() default "5m";

        @AttributeDefinition(description = "Longest TCP connect, in milliseconds.", min = "1")
        long connectTimeoutMillis() default 10_000;

        @AttributeDefinition(description = "Longest TLS handshake, in milliseconds.", min = "1")
        long handshakeTimeoutMillis() default 10_000;
    }

    private volatile ClientHandler handler;
    /** Runs every engine start and stop, in order, off the caller's thread. */
    private ExecutorService lifecycle;
    /** The engine of the current configuration; replaced by {@link #modified}. */
    private volatile SinkClientEngine engine;
    /** The engine started, or null; touched only on the lifecycle thread. */
    private SinkClientEngine started;
    /** The settings and certificate paths of {@link #engine}. */
    private volatile Applied applied;

    private record Applied(ClientSettings settings, List<String> tls) {
        static Applied of(ClientSettings settings, Config config) {
            return new Applied(settings, List.of(config.certificate(), config.privateKey(),
                    config.trustedCertificates()));
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindHandler(ClientHandler h) {
        handler = h;
        adjust();
    }

    void unbindHandler(ClientHandler h) {
        if (handler == h) {
            handler = null;
        }
        adjust();
    }

    @Activate
    void activate(BundleContext context, Config config, Map<String, Object> properties) throws Exception {
        ClientSettings settings = settings(config, properties);
        SinkClientEngine e = engine(context, config, settings);
        applied = Applied.of(settings, config);
        synchronized (this) {
            engine = e;
            lifecycle = Executors.newSingleThreadExecutor(r -> new Thread(r, "sink-client-lifecycle"));
        }
        adjust();
    }

    @Modified
    void modified(BundleContext context, Config config, Map<String, Object> properties) {
        ClientSettings settings;
        SinkClientEngine replacement;
        try {
            settings = settings(config, properties);
            if (Applied.of(settings, config).equals(applied)) {
                // e.g. a refused value put back: no reason to reconnect
                LOG.info("{}: configuration unchanged for the client ({})", PID, describe(engine));
                return;
            }
            replacement = engine(context, config, settings);
        } catch (Exception e) {
            String m = String.valueOf(e.getMessage());
            LOG.error("{}; the client keeps its previous configuration ({})",
                    m.startsWith(PID) ? m : PID + ": invalid configuration: " + m, describe(engine));
            return;
        }
        applied = Applied.of(settings, config);
        engine = replacement;
        LOG.info("{}: configuration applied, connecting to {}", PID, replacement.servers());
        adjust();
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        ExecutorService executor;
        synchronized (this) {
            executor = lifecycle;
            lifecycle = null;
        }
        executor.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
        if (started != null) {
            started.stop();
        }
        engine.stop();
    }

    static ClientSettings settings(Config config, Map<String, Object> properties) {
        try {
            ConfigurationCheck.requireReadable(Config.class, config, properties);
            List<Duration> delays = ReconnectSchedule.parseDelays(config.reconnectDelays());
            Duration refusal = ReconnectSchedule.parseDelays(config.refusalDelay()).get(0);
            return new ClientSettings(servers(config), config.applicationVersion(),
                    Duration.ofMillis(config.keepaliveMillis()), Duration.ofMillis(config.connectTimeoutMillis()),
                    Duration.ofMillis(config.handshakeTimeoutMillis()), io.sink.api.Limits.MAX_WINDOW, delays, refusal,
                    ReconnectSchedule.DEFAULT_JITTER);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PID + ": invalid configuration: " + e.getMessage(), e);
        }
    }

    /** The {@code servers} list, or the one server {@code host:port} when it is empty. */
    private static List<ServerAddress> servers(Config config) {
        int port = ServerAddress.requirePort(config.port());
        List<ServerAddress> list = ServerAddress.parseList("servers", config.servers(), port);
        if (!list.isEmpty()) {
            return list;
        }
        String problem = ServerAddress.hostProblem(config.host());
        if (problem != null) {
            throw new IllegalArgumentException("host = " + Printable.quoted(String.valueOf(config.host()), 80) + " "
                    + problem);
        }
        return List.of(new ServerAddress(config.host(), port));
    }

    /** "server a:1" or "servers a:1, b:2": what the engine connects to, for the log. */
    private static String describe(SinkClientEngine engine) {
        String servers = engine.servers();
        return (servers.contains(", ") ? "servers " : "server ") + servers;
    }

    private SinkClientEngine engine(BundleContext context, Config config, ClientSettings settings) throws Exception {
        SslContext ssl;
        try {
            ssl = SslContexts.forClient(Home.tls(context, PID, config.certificate(), config.privateKey(),
                    config.trustedCertificates()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PID + ": invalid configuration: " + e.getMessage(), e);
        }
        return new SinkClientEngine(settings, ssl, () -> handler);
    }

    /**
     * Runs the current engine while a handler is bound, and no other; never blocks the caller (the
     * starts and stops run in order on the lifecycle thread).
     */
    private synchronized void adjust() {
        if (lifecycle == null) {
            return;
        }
        lifecycle.execute(() -> {
            SinkClientEngine wanted = handler != null ? engine : null;
            if (started != wanted) {
                if (started != null) {
                    started.stop();
                }
                started = wanted;
                if (wanted != null) {
                    wanted.start();
                }
            }
        });
    }

    @Override
    public boolean connected() {
        SinkClientEngine e = engine;
        return e != null && e.connected();
    }

    @Override
    public CompletionStage<PublishResult> publish(Event event) {
        return engine.publish(event);
    }

    @Override
    public List<CompletionStage<PublishResult>> publishAll(List<Event> events) {
        return engine.publishAll(events);
    }

    @Override
    public int windowAvailable() {
        return engine.windowAvailable();
    }

    @Override
    public List<AckKey> inFlight() {
        return engine.inFlight();
    }

    @Override
    public Optional<ConnectionStats> stats() {
        return engine.stats();
    }

    @Override
    public String server() {
        return engine.server();
    }

    @Override
    public Optional<String> problem() {
        SinkClientEngine e = engine;
        return e == null ? Optional.of("not configured") : e.problem();
    }
}
