package io.sink.transport.client.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sink.api.AckKey;
import io.sink.api.ConnectionStats;
import io.sink.api.Event;
import io.sink.api.PublishResult;
import io.sink.api.client.ClientHandler;
import io.sink.api.client.SinkClient;
import io.sink.api.text.Printable;
import io.sink.transport.internal.netty.Connection;
import io.sink.transport.internal.netty.FrameDecoder;
import io.sink.transport.internal.netty.FrameEncoder;
import io.sink.transport.internal.netty.RenegotiationGuard;
import io.sink.transport.internal.netty.Shutdown;
import io.sink.transport.internal.state.ClientSession;
import io.sink.transport.internal.state.ConnectionCounters;
import io.sink.transport.internal.state.ReconnectSchedule;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Sink client: keeps one mutually authenticated TLS connection to a server, reconnecting by
 * the schedule of section 9. Given several servers, it connects to one at a time and moves to the
 * next when one fails ({@link Failover}); the TLS host check uses the host being tried. A plain
 * class (no OSGi) so tests can run it directly; the DS component wraps it. All connection
 * management runs on its single event loop.
 */
public final class SinkClientEngine implements SinkClient {
    static final Logger LOG = LoggerFactory.getLogger("io.sink.transport.client");

    private final ClientSettings settings;
    private final SslContext sslContext;
    private final Supplier<ClientHandler> handler;
    /** Which server next, and when; touched on the event loop only. */
    private final Failover failover;
    /** The server of the current connection or attempt (the last one tried while waiting). */
    private volatile ServerAddress target;
    private EventLoopGroup group;
    private ExecutorService blocking;
    private volatile ClientConnection current;
    private volatile boolean running;
    private volatile String lastProblem = "not started";
    private io.netty.util.concurrent.ScheduledFuture<?> pendingReconnect;

    public SinkClientEngine(ClientSettings settings, SslContext sslContext, Supplier<ClientHandler> handler) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
        if (!sslContext.isClient()) {
            throw new IllegalArgumentException("a client SSL context is needed");
        }
        this.handler = Objects.requireNonNull(handler, "handler");
        this.failover = new Failover(settings.servers(), new ReconnectSchedule(settings.reconnectDelays(),
                settings.refusalDelay(), settings.jitter(), ThreadLocalRandom.current()));
        this.target = failover.current();
    }

    /** Starts connecting (and reconnecting until {@link #stop()}). */
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        lastProblem = "connecting";
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sink-client-io"),
                NioIoHandler.newFactory());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory("sink-client-store"));
        pool.allowCoreThreadTimeOut(true);
        blocking = pool;
        group.execute(this::connect);
    }

    /** Closes the connection, stops reconnecting and waits for the threads to end. */
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        ClientConnection connection = current;
        if (connection != null) {
            connection.channel().eventLoop().execute(() -> connection.close("the client is stopping"));
        }
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS);
        Shutdown.executor(blocking, 10);
        current = null;
        lastProblem = "stopped";
    }

    private void connect() {
        pendingReconnect = null;
        if (!running || group.isShuttingDown()) {
            return;
        }
        ServerAddress server = failover.current();
        target = server;
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, Connection.WATER_MARK)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ConnectionCounters counters = new ConnectionCounters();
                        // the certificate is checked against the host being tried
                        SslHandler tls = sslContext.newHandler(ch.alloc(), server.host(), server.port());
                        tls.setHandshakeTimeoutMillis(settings.handshakeTimeout().toMillis());
                        ClientConnection connection = new ClientConnection(SinkClientEngine.this, server, counters);
                        ch.pipeline()
                                .addLast("renegotiation", new RenegotiationGuard(tls))
                                .addLast("tls", tls)
                                .addLast("flush", new FlushConsolidationHandler(256, true))
                                .addLast("decoder", new FrameDecoder(counters))
                                .addLast("encoder", new FrameEncoder(counters))
                                .addLast("sink", connection);
                    }
                });
        ChannelFuture attempt = bootstrap.connect(server.host(), server.port());
        attempt.addListener(f -> {
            if (!f.isSuccess()) {
                lastProblem = "cannot connect to " + server + ": "
                        + Printable.inline(String.valueOf(f.cause().getMessage()));
                LOG.debug("{}", lastProblem);
                scheduleReconnect(failover.failed(false));
            }
        });
    }

    private void scheduleReconnect(Duration delay) {
        if (!running || group.isShuttingDown()) {
            return;
        }
        if (pendingReconnect != null) {
            pendingReconnect.cancel(false);
        }
        LOG.debug("connecting to {} in {} ms", failover.current(), delay.toMillis());
        pendingReconnect = group.schedule(this::connect, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------------ for connections

    ClientSettings settings() {
        return settings;
    }

    ClientHandler handler() {
        return handler.get();
    }

    ExecutorService blocking() {
        return blocking;
    }

    void connected(ClientConnection connection) {
        failover.connected();
        current = connection;
        lastProblem = null;
        ClientHandler h = handler.get();
        if (h != null) {
            try {
                h.connectionUp(this);
            } catch (RuntimeException e) {
                LOG.warn("the client handler failed on connection up", e);
            }
        }
    }

    void refused(ClientSession.Refused refusal) {
        lastProblem = refusal.reason();
    }

    void disconnected(ClientConnection connection, boolean wasConnected, String reason) {
        if (current == connection) {
            current = null;
        }
        if (wasConnected) {
            LOG.info("disconnected from Sink server {}: {}", connection.server(), Printable.inline(reason));
            ClientHandler h = handler.get();
            if (h != null) {
                try {
                    h.connectionDown(reason);
                } catch (RuntimeException e) {
                    LOG.warn("the client handler failed on connection down", e);
                }
            }
        }
        lastProblem = reason;
        Duration delay = failover.failed(connection.wasRefused());
        if (wasConnected && running && failover.servers().size() > 1) {
            LOG.info("trying Sink server {} next, in {} ms", failover.current(), delay.toMillis());
        }
        scheduleReconnect(delay);
    }

    // ------------------------------------------------------------------ SinkClient

    @Override
    public boolean connected() {
        ClientConnection connection = current;
        return connection != null && connection.isConnected() && !connection.isClosing();
    }

    @Override
    public CompletionStage<PublishResult> publish(Event event) {
        ClientConnection connection = current;
        if (connection == null) {
            return CompletableFuture.completedFuture(new PublishResult.Failed(event.ackKey(), "not connected"
                    + (lastProblem == null ? "" : ": " + lastProblem)));
        }
        return connection.publish(event);
    }

    /** The events of one call go to the network together: one event-loop task, one flush. */
    @Override
    public List<CompletionStage<PublishResult>> publishAll(List<Event> events) {
        ClientConnection connection = current;
        if (connection == null) {
            return SinkClient.super.publishAll(events); // each fails as publish says: not connected
        }
        return connection.publishAll(events);
    }

    @Override
    public int windowAvailable() {
        ClientConnection connection = current;
        return connection == null ? 0 : connection.windowAvailable();
    }

    @Override
    public List<AckKey> inFlight() {
        ClientConnection connection = current;
        return connection == null ? List.of() : connection.inFlightKeys();
    }

    @Override
    public Optional<ConnectionStats> stats() {
        ClientConnection connection = current;
        return connection == null ? Optional.empty() : Optional.of(connection.stats());
    }

    /**
     * The server this client is connected to; while it is not, the one it is trying or tried last
     * (e.g. {@code localhost:4000}).
     */
    @Override
    public String server() {
        ClientConnection connection = current;
        return (connection != null ? connection.server() : target).toString();
    }

    /** The servers configured, in the order they are tried, e.g. {@code sink1:4000, sink2:4000}. */
    public String servers() {
        return ServerAddress.describe(settings.servers());
    }

    /** Whether the client reads from its connection now (false while backpressure holds it, or not connected). */
    public boolean reading() {
        ClientConnection connection = current;
        return connection != null && connection.isReading();
    }

    /** How many times the client stopped reading its current connection. */
    public long readPauses() {
        ClientConnection connection = current;
        return connection == null ? 0 : connection.readPauses();
    }

    /** Bytes queued for the server and not yet taken by the socket. */
    public long pendingOutboundBytes() {
        ClientConnection connection = current;
        return connection == null ? 0 : connection.pendingOutboundBytes();
    }

    /** Why the client is not connected, if it is not: the last connection problem. */
    @Override
    public Optional<String> problem() {
        return connected() ? Optional.empty() : Optional.ofNullable(lastProblem);
    }
}
