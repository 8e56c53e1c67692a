package io.sink.transport.internal.component;

import io.netty.handler.ssl.SslContext;
import io.sink.api.AckKey;
import io.sink.api.ConnectionStats;
import io.sink.api.Event;
import io.sink.api.PublishResult;
import io.sink.api.client.ClientHandler;
import io.sink.api.client.SinkClient;
import io.sink.tls.SslContexts;
import io.sink.transport.internal.netty.ClientSettings;
import io.sink.transport.internal.netty.SinkClientEngine;
import io.sink.transport.internal.state.ReconnectSchedule;
import java.time.Duration;
import java.util.List;
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
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The Sink client as a service: while configured and a {@link ClientHandler} is registered, keeps a
 * connection to the server and reconnects by the schedule of section 9.
 */
@Component(service = SinkClient.class, immediate = true, configurationPid = SinkClientComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = SinkClientComponent.Config.class)
public final class SinkClientComponent implements SinkClient {
    public static final String PID = "io.sink.transport.client";

    @ObjectClassDefinition(name = "Sink client", description = "Connects to a Sink server over mutual TLS "
            + "(TLS 1.2 or 1.3) and keeps reconnecting.")
    public @interface Config {
        @AttributeDefinition(description = "Server host name or IP address; must match the server certificate.")
        String host() default "localhost";

        @AttributeDefinition(description = "Server TCP port.", min = "1", max = "65535")
        int port() default 4000;

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
    private ExecutorService lifecycle;
    private SinkClientEngine engine;
    private boolean running;

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
    void activate(BundleContext context, Config config) throws Exception {
        ClientSettings settings;
        SslContext ssl;
        try {
            List<Duration> delays = ReconnectSchedule.parseDelays(config.reconnectDelays());
            Duration refusal = ReconnectSchedule.parseDelays(config.refusalDelay()).get(0);
            settings = new ClientSettings(config.host(), config.port(), config.applicationVersion(),
                    Duration.ofMillis(config.keepaliveMillis()), Duration.ofMillis(config.connectTimeoutMillis()),
                    Duration.ofMillis(config.handshakeTimeoutMillis()), io.sink.api.Limits.MAX_WINDOW, delays, refusal,
                    ReconnectSchedule.DEFAULT_JITTER);
            ssl = SslContexts.forClient(Home.tls(context, PID, config.certificate(), config.privateKey(),
                    config.trustedCertificates()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PID + ": invalid configuration: " + e.getMessage(), e);
        }
        synchronized (this) {
            engine = new SinkClientEngine(settings, ssl, () -> handler);
            lifecycle = Executors.newSingleThreadExecutor(r -> new Thread(r, "sink-client-lifecycle"));
        }
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
        engine.stop();
    }

    /** Starts the engine while a handler is bound, stops it otherwise; never blocks the caller. */
    private synchronized void adjust() {
        if (lifecycle == null) {
            return;
        }
        lifecycle.execute(() -> {
            synchronized (SinkClientComponent.this) {
                boolean wanted = handler != null;
                if (wanted && !running) {
                    engine.start();
                    running = true;
                } else if (!wanted && running) {
                    engine.stop();
                    running = false;
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
}
