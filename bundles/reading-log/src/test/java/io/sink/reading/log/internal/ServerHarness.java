package io.sink.reading.log.internal;

import io.netty.handler.ssl.SslContext;
import io.sink.api.server.SinkServer;
import io.sink.server.auth.ClientAdministration;
import io.sink.server.auth.internal.AuthenticatorComponent;
import io.sink.server.auth.internal.RegistryComponent;
import io.sink.server.store.internal.SqliteReceivedEventStore;
import io.sink.sqlite.DataSourceSqlExecutor;
import io.sink.sqlite.SqliteSettings;
import io.sink.testsupport.DsConfig;
import io.sink.testsupport.RecordingClient;
import io.sink.tls.DevCertificates;
import io.sink.tls.SslContexts;
import io.sink.transport.client.internal.ClientSettings;
import io.sink.transport.client.internal.SinkClientEngine;
import io.sink.transport.server.internal.ServerSettings;
import io.sink.transport.server.internal.SinkServerEngine;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A whole Sink server without a framework, as the DS components would wire it: the real server-auth
 * components (allow-list directory and registry), the SQLite received-event store, the reading-log
 * handler and the Netty server engine on an ephemeral loopback port with real TLS.
 *
 * <p>The server-auth components get their configuration as DS would (a proxy of their
 * {@code Config} with the annotation's defaults) and their dynamic {@code SinkServer} references
 * are set the way SCR sets field references (reflection), so that removing a certificate or
 * quarantining closes the live connection as in the framework.
 *
 * <p>Layout under {@code root}: {@code allow/} (allow-list), {@code registry/}, {@code server/events.db}.
 */
final class ServerHarness implements AutoCloseable {
    final Path root;
    final Path pki;
    final AuthenticatorComponent authenticator;
    final RegistryComponent registry;
    final SqliteReceivedEventStore store;
    final ReadingLogHandler handler;
    final SinkServerEngine engine;
    final int port;
    /** How long after an event that could not be stored its client's connection is closed. */
    static final Duration STORE_FAILURE_CLOSE_DELAY = Duration.ofMillis(300);
    private final ReadingLogServer stack;

    /**
     * Starts a server.
     *
     * @param port                      0 for an ephemeral port
     * @param minimumApplicationVersion empty to accept every version
     */
    ServerHarness(Path root, Path pki, int port, String minimumApplicationVersion, LogLines lines) throws Exception {
        this.root = root;
        this.pki = pki;
        AuthenticatorComponent auth = null;
        SqliteReceivedEventStore events = null;
        ReadingLogServer started = null;
        try {
            auth = new AuthenticatorComponent(DsConfig.of(AuthenticatorComponent.Config.class,
                    Map.of("allowListDir", allowListDir(root).toString(), "rescanSeconds", 1)));
            RegistryComponent reg = new RegistryComponent(DsConfig.of(RegistryComponent.Config.class,
                    Map.of("stateDir", root.resolve("registry").toString(),
                            "minimumApplicationVersion", minimumApplicationVersion)));
            SqliteSettings settings = SqliteSettings.builder(database(root)).build();
            events = SqliteReceivedEventStore.open(DataSourceSqlExecutor.forSqlite(settings), settings,
                    Clock.systemUTC());
            started = new ReadingLogServer(events, lines, STORE_FAILURE_CLOSE_DELAY, ServerSettings.defaults(port),
                    serverTls(pki), auth, reg);
            inject(auth, "server", started.engine);
            inject(reg, "server", started.engine);
            inject(reg, "allowList", auth);
            this.port = started.start();
            this.authenticator = auth;
            this.registry = reg;
            this.store = events;
            this.stack = started;
            this.handler = started.handler;
            this.engine = started.engine;
        } catch (Exception | Error e) {
            if (started != null) {
                started.close();
            }
            if (auth != null) {
                deactivate(auth);
            }
            if (events != null) {
                events.close();
            }
            throw e;
        }
    }

    static Path allowListDir(Path root) {
        return root.resolve("allow");
    }

    static Path database(Path root) {
        return root.resolve("server/events.db");
    }

    /** Creates the CA, the server's and these clients' certificates in {@code pki} (once). */
    static void certificates(Path pki, List<String> clients) throws IOException {
        DevCertificates.ensure(pki, clients);
    }

    static SslContext serverTls(Path pki) throws Exception {
        return SslContexts.forServer(DevCertificates.serverConfig(pki));
    }

    static SslContext clientTls(Path pki, String client) throws Exception {
        return SslContexts.forClient(DevCertificates.clientConfig(pki, client));
    }

    /** Admits {@code client} by placing its certificate in the allow-list (written aside, then moved). */
    static void allow(Path root, Path pki, String client) throws IOException {
        Path dir = Files.createDirectories(allowListDir(root));
        Path temp = dir.resolve("." + client + ".pem.tmp");
        Files.copy(DevCertificates.clientCertificate(pki, client), temp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temp, dir.resolve(client + ".pem"), StandardCopyOption.ATOMIC_MOVE);
    }

    void allow(String client) throws IOException {
        allow(root, pki, client);
    }

    /** Locks {@code client} out by removing its certificate from the allow-list. */
    void disallow(String client) throws IOException {
        Files.delete(allowListDir(root).resolve(client + ".pem"));
    }

    ClientAdministration admin() {
        return registry;
    }

    SinkServer server() {
        return engine;
    }

    /** Client settings for this server: short reconnect delays, so tests do not wait long. */
    ClientSettings clientSettings() {
        return clientSettings(port);
    }

    static ClientSettings clientSettings(int port) {
        return ClientSettings.defaults("127.0.0.1", port).withReconnect(
                List.of(Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100)), Duration.ofMillis(200));
    }

    SinkClientEngine client(String name, RecordingClient device, ClientSettings settings) throws Exception {
        SinkClientEngine client = new SinkClientEngine(settings, clientTls(pki, name), () -> device);
        client.start();
        return client;
    }

    @Override
    public void close() {
        stack.close();
        deactivate(authenticator);
        store.close();
    }

    /** Sets a field reference as SCR does. */
    private static void inject(Object component, String field, Object service) throws ReflectiveOperationException {
        Field f = component.getClass().getDeclaredField(field);
        f.setAccessible(true);
        f.set(component, service);
    }

    /** Calls the component's deactivate method as SCR does (it stops the allow-list watcher). */
    private static void deactivate(AuthenticatorComponent component) {
        try {
            Method m = AuthenticatorComponent.class.getDeclaredMethod("deactivate");
            m.setAccessible(true);
            m.invoke(component);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot deactivate the authenticator", e);
        }
    }
}
