package io.sink.transport.internal.component;

import io.netty.handler.ssl.SslContext;
import io.sink.api.Event;
import io.sink.api.PublishResult;
import io.sink.api.server.ClientAuthenticator;
import io.sink.api.server.ClientRegistry;
import io.sink.api.server.ConnectedClient;
import io.sink.api.server.ServerHandler;
import io.sink.api.server.SinkServer;
import io.sink.tls.SslContexts;
import io.sink.transport.internal.netty.ServerSettings;
import io.sink.transport.internal.netty.SinkServerEngine;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
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
    }

    @Reference(policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClientAuthenticator authenticator;

    @Reference(policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClientRegistry registry;

    @Reference(policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServerHandler handler;

    /** The running engine; replaced by {@link #modified}. */
    private volatile SinkServerEngine engine;
    /** The settings of {@link #engine}. */
    private ServerSettings settings;
    /** The certificate, key and CA paths of {@link #engine}. */
    private List<String> tls;

    @Activate
    synchronized void activate(BundleContext context, Config config) throws Exception {
        ServerSettings s = settings(config);
        SinkServerEngine e = engine(context, config, s);
        e.start();
        settings = s;
        tls = tls(config);
        engine = e;
    }

    @Modified
    synchronized void modified(BundleContext context, Config config) {
        SinkServerEngine previous = engine;
        String keeping = "; the server keeps listening on " + previous.listenAddress().orElse("(nothing)")
                + " with its previous configuration";
        ServerSettings next;
        SinkServerEngine replacement;
        try {
            next = settings(config);
            replacement = engine(context, config, next);
        } catch (Exception e) {
            LOG.error("{}{}", message(e), keeping);
            return;
        }
        if (next.equals(settings) && tls(config).equals(tls)) {
            // e.g. a refused value put back: nothing to restart, no client to disconnect
            LOG.info("{}: configuration unchanged for the server, still listening on {}", PID,
                    previous.listenAddress().orElse("(nothing)"));
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
                try {
                    previous.start();
                } catch (Exception again) {
                    LOG.error("{}: the new configuration cannot listen ({}), and the previous one no longer can "
                            + "either ({}): the server is not listening", PID, e.getMessage(), again.getMessage(), again);
                    return;
                }
            }
            LOG.error("{}: the new configuration is not applied: {}{}", PID, e.getMessage(), keeping);
            return;
        }
        if (!samePort) {
            previous.stop();
        }
        settings = next;
        tls = tls(config);
        engine = replacement;
        LOG.info("{}: configuration applied, listening on {}", PID, replacement.listenAddress().orElse("?"));
    }

    @Deactivate
    synchronized void deactivate() {
        if (engine != null) {
            engine.stop();
        }
    }

    private static ServerSettings settings(Config config) {
        try {
            return new ServerSettings(config.host(), config.port(), Duration.ofMillis(config.keepaliveMillis()),
                    Duration.ofMillis(config.handshakeTimeoutMillis()), config.ioThreads(), config.window());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PID + ": invalid configuration: " + e.getMessage(), e);
        }
    }

    private static List<String> tls(Config config) {
        return List.of(config.certificate(), config.privateKey(), config.trustedCertificates());
    }

    private SinkServerEngine engine(BundleContext context, Config config, ServerSettings s) throws Exception {
        SslContext ssl;
        try {
            ssl = SslContexts.forServer(Home.tls(context, PID, config.certificate(), config.privateKey(),
                    config.trustedCertificates()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PID + ": invalid configuration: " + e.getMessage(), e);
        }
        return new SinkServerEngine(s, ssl, () -> authenticator, () -> registry, () -> handler);
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
