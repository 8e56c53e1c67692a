package io.sink.reading.log.internal;

import io.netty.handler.ssl.SslContext;
import io.sink.api.server.ClientAuthenticator;
import io.sink.api.server.ClientRegistry;
import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.SinkServer;
import io.sink.transport.server.internal.ServerSettings;
import io.sink.transport.server.internal.SinkServerEngine;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Sink server outside the framework, wired as the DS components wire it: the reading-log handler
 * (its log thread, and the withholding of events that could not be stored) over a received-event
 * store, served by the Netty server engine with real TLS. The one way the reading-log tests, the
 * chaos server and the delivery benchmark start a server; shared through this module's test-jar.
 * The caller owns the store, the authenticator and the registry, and closes the store after this.
 */
public final class ReadingLogServer implements AutoCloseable {
    /** The default delay after an event that could not be stored before its client's connection is closed. */
    public static final Duration STORE_FAILURE_CLOSE_DELAY = Duration.ofSeconds(1);

    public final ReadingLogHandler handler;
    public final SinkServerEngine engine;
    private final LogExecutor logging;
    private final ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor();

    /**
     * Builds the server; {@link #start()} listens.
     *
     * @param storeFailureCloseDelay how long after an event that could not be stored its client's
     *                               connection is closed
     */
    public ReadingLogServer(ReceivedEventStore store, LogLines lines, Duration storeFailureCloseDelay,
            ServerSettings settings, SslContext tls, ClientAuthenticator authenticator, ClientRegistry registry) {
        AtomicReference<SinkServer> server = new AtomicReference<>();
        logging = new LogExecutor("sink-reading-log", 10_000, lines);
        handler = new ReadingLogHandler(() -> store, logging, lines, true,
                new Withholding(closer, storeFailureCloseDelay, server::get));
        closer.scheduleWithFixedDelay(handler::flushRepeated, 10, 10, TimeUnit.SECONDS);
        engine = new SinkServerEngine(settings, tls, () -> authenticator, () -> registry, () -> handler);
        server.set(engine);
    }

    /** Listens; the port (the ephemeral one when the settings ask for port 0). Closes all when it cannot. */
    public int start() throws Exception {
        try {
            return engine.start().getPort();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** Stops the engine, then the log thread once it has written what it was given (the store stays open). */
    @Override
    public void close() {
        engine.stop();
        closer.shutdownNow();
        logging.close();
    }
}
