package io.sink.transport.server.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.PublishResult;
import io.sink.api.server.ClientAuthenticator;
import io.sink.api.server.ClientLeases;
import io.sink.api.server.ClientRegistry;
import io.sink.api.server.ConnectedClient;
import io.sink.api.server.ServerHandler;
import io.sink.api.server.SinkServer;
import io.sink.api.text.Printable;
import io.sink.transport.internal.netty.Connection;
import io.sink.transport.internal.netty.FrameDecoder;
import io.sink.transport.internal.netty.FrameEncoder;
import io.sink.transport.internal.netty.RenegotiationGuard;
import io.sink.transport.internal.netty.Shutdown;
import io.sink.transport.internal.state.ConnectionCounters;
import io.sink.transport.internal.state.ConnectionLimiter;
import io.sink.transport.internal.state.Freshness;
import io.sink.transport.internal.state.PeerRegistry;
import io.sink.api.text.RepeatedEvents;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Sink server: listens for mutually authenticated TLS connections and serves each client by the
 * protocol. A plain class (no OSGi) so tests can run it directly; the DS component wraps it.
 * The collaborators are suppliers so that the component can swap them while the server runs.
 */
public final class SinkServerEngine implements SinkServer {
    static final Logger LOG = LoggerFactory.getLogger("io.sink.transport.server");

    private final ServerSettings settings;
    private final SslContext sslContext;
    private final Supplier<ClientAuthenticator> authenticator;
    private final Supplier<ClientRegistry> registry;
    private final Supplier<ServerHandler> handler;
    /** The fleet's leases when the server shares its clients with other nodes; gives null otherwise. */
    private volatile Supplier<ClientLeases> leases = () -> null;
    private final PeerRegistry<ServerConnection> peers = new PeerRegistry<>();
    private final Freshness freshness;
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private ExecutorService blocking;
    private Channel serverChannel;
    private volatile InetSocketAddress boundAddress;
    private volatile ConnectionLimiter limiter;
    private final RepeatedEvents repeated;

    public SinkServerEngine(ServerSettings settings, SslContext sslContext, Supplier<ClientAuthenticator> authenticator,
            Supplier<ClientRegistry> registry, Supplier<ServerHandler> handler) {
        this(settings, sslContext, authenticator, registry, handler, new Freshness());
    }

    /** With the given freshness bookkeeping (tests). */
    SinkServerEngine(ServerSettings settings, SslContext sslContext, Supplier<ClientAuthenticator> authenticator,
            Supplier<ClientRegistry> registry, Supplier<ServerHandler> handler, Freshness freshness) {
        this.freshness = Objects.requireNonNull(freshness, "freshness");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
        if (!sslContext.isServer()) {
            throw new IllegalArgumentException("a server SSL context is needed");
        }
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.handler = Objects.requireNonNull(handler, "handler");
        this.repeated = new RepeatedEvents(settings.limits().refusalLogInterval());
    }

    /**
     * Binds and starts serving.
     *
     * @return the address bound (with the actual port when the settings ask for port 0)
     * @throws Exception when the address cannot be bound; nothing is left running then
     */
    public synchronized InetSocketAddress start() throws Exception {
        if (serverChannel != null) {
            throw new IllegalStateException("already started");
        }
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sink-server-accept"),
                NioIoHandler.newFactory());
        workerGroup = new MultiThreadIoEventLoopGroup(settings.ioThreads(), new DefaultThreadFactory("sink-server-io"),
                NioIoHandler.newFactory());
        ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory("sink-server-registry"));
        pool.allowCoreThreadTimeOut(true);
        blocking = pool;
        ServerLimits limits = settings.limits();
        limiter = new ConnectionLimiter(limits.maxConnections(), limits.maxConnectionsPerAddress(),
                limits.handshakesPerSecond(), limits.handshakeBurst(), System.nanoTime());
        // counts are logged at most a sixth of an interval after it ends
        long flushNanos = Math.max(TimeUnit.SECONDS.toNanos(1), limits.refusalLogInterval().toNanos() / 6);
        bossGroup.scheduleAtFixedRate(this::flushRepeated, flushNanos, flushNanos, TimeUnit.NANOSECONDS);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Connection.WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!admit(ch)) {
                            return;
                        }
                        ConnectionCounters counters = new ConnectionCounters();
                        SslHandler tls = sslContext.newHandler(ch.alloc());
                        tls.setHandshakeTimeoutMillis(settings.handshakeTimeout().toMillis());
                        ch.pipeline()
                                .addLast("renegotiation", new RenegotiationGuard(tls))
                                .addLast("tls", tls)
                                .addLast("flush", new FlushConsolidationHandler(256, true))
                                .addLast("decoder", new FrameDecoder(counters))
                                .addLast("encoder", new FrameEncoder(counters))
                                .addLast("sink", new ServerConnection(SinkServerEngine.this, counters));
                    }
                });
        try {
            ChannelFuture bind = bootstrap.bind(settings.host(), settings.port());
            if (!bind.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("binding " + settings.host() + ":" + settings.port() + " timed out");
            }
            if (!bind.isSuccess()) {
                throw new IllegalStateException("cannot listen on " + settings.host() + ":" + settings.port() + ": "
                        + bind.cause().getMessage(), bind.cause());
            }
            serverChannel = bind.channel();
            boundAddress = (InetSocketAddress) serverChannel.localAddress();
            // in ms, as the connections' keepalive messages give it (whole seconds would show 500 ms as 0)
            LOG.info("Sink server listening on {}:{} (mutual TLS, keepalive {} ms)",
                    boundAddress.getAddress().getHostAddress(), boundAddress.getPort(),
                    settings.keepalive().toMillis());
            return boundAddress;
        } catch (Exception e) {
            stop();
            throw e;
        }
    }

    /** Stops listening, closes every connection and waits for the threads to end. */
    public synchronized void stop() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
            serverChannel = null;
        }
        boundAddress = null;
        for (ServerConnection connection : peers.snapshot().values()) {
            connection.channel().eventLoop().execute(() -> connection.close("the server is stopping"));
        }
        if (workerGroup != null) {
            workerGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS);
            workerGroup = null;
        }
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(15, TimeUnit.SECONDS);
            bossGroup = null;
        }
        if (blocking != null) {
            Shutdown.executor(blocking, 10);
            blocking = null;
        }
    }

    /** Counts the new connection against the limits, or closes it at once (before any TLS work). */
    private boolean admit(SocketChannel ch) {
        InetSocketAddress remote = ch.remoteAddress();
        String address = remote == null ? "?" : remote.getAddress().getHostAddress();
        Optional<String> refusal = limiter.tryAdmit(address, System.nanoTime());
        if (refusal.isPresent()) {
            repeated("connections refused by a limit", "refused connection from " + address + ": " + refusal.get());
            ch.close();
            return false;
        }
        ConnectionLimiter admittedBy = limiter;
        ch.closeFuture().addListener(f -> admittedBy.release(address));
        return true;
    }

    /**
     * Logs an event a peer can repeat at will (refused and failed connections) through
     * {@link RepeatedEvents}: the first of its kind in full, then a count per interval.
     */
    void repeated(String kind, String line) {
        for (String l : repeated.occurred(kind, line, System.nanoTime())) {
            LOG.info("{}", l);
        }
    }

    private void flushRepeated() {
        for (String l : repeated.flush(System.nanoTime())) {
            LOG.info("{}", l);
        }
    }

    // ------------------------------------------------------------------ for connections

    ServerSettings settings() {
        return settings;
    }

    ClientAuthenticator authenticator() {
        return authenticator.get();
    }

    ClientRegistry registry() {
        return registry.get();
    }

    ServerHandler handler() {
        return handler.get();
    }

    /**
     * Where the fleet's leases come from (a {@link ClientLeases} service when the node shares its clients
     * with other nodes): a connection takes its client's lease once accepted, and is closed when another
     * node's newer connection of the client takes it over.
     */
    public void leases(Supplier<ClientLeases> supplier) {
        this.leases = Objects.requireNonNull(supplier, "supplier");
    }

    ClientLeases leases() {
        return leases.get();
    }

    /**
     * The fleet's leases may have arrived (the optional service came after the server started): every
     * client connected without a lease takes it now.
     */
    public void leasesChanged() {
        if (leases.get() == null) {
            return;
        }
        for (ServerConnection connection : peers.snapshot().values()) {
            connection.takeLeaseIfNone();
        }
    }

    ExecutorService blocking() {
        return blocking;
    }

    Freshness freshness() {
        return freshness;
    }

    void connectionUp(ServerConnection connection) {
        peers.register(connection.clientId(), connection).ifPresent(previous -> previous.channel().eventLoop()
                .execute(() -> previous.close("replaced by a new connection of the same client")));
        ServerHandler h = handler.get();
        if (h != null) {
            try {
                h.connectionUp(connection.clientId(), connection.remoteAddress());
            } catch (RuntimeException e) {
                LOG.warn("the event handler failed on connection up of {}", connection.clientId(), e);
            }
        }
    }

    void connectionDown(ServerConnection connection, boolean wasConnected, String reason) {
        boolean live = peers.remove(connection.clientId(), connection);
        if (wasConnected) {
            LOG.info("client {} disconnected: {}", connection.clientId(), Printable.inline(reason));
            ServerHandler h = handler.get();
            if (h != null && live) {
                try {
                    h.connectionDown(connection.clientId(), reason);
                } catch (RuntimeException e) {
                    LOG.warn("the event handler failed on connection down of {}", connection.clientId(), e);
                }
            }
        }
    }

    // ------------------------------------------------------------------ SinkServer

    @Override
    public boolean connected(String clientId) {
        return peers.get(clientId).map(ServerConnection::isConnected).orElse(false);
    }

    @Override
    public List<ConnectedClient> connectedClients() {
        List<ConnectedClient> clients = new ArrayList<>();
        for (ServerConnection connection : peers.snapshot().values()) {
            if (connection.isConnected()) {
                clients.add(connection.describe());
            }
        }
        clients.sort((a, b) -> a.clientId().compareTo(b.clientId()));
        return clients;
    }

    @Override
    public Optional<ConnectedClient> client(String clientId) {
        return peers.get(clientId).filter(ServerConnection::isConnected).map(ServerConnection::describe);
    }

    @Override
    public CompletionStage<PublishResult> publish(String clientId, Event event) {
        Optional<ServerConnection> connection = peers.get(clientId);
        if (connection.isEmpty()) {
            AckKey key = event.ackKey();
            return CompletableFuture.completedFuture(new PublishResult.Failed(key, clientId + " is not connected"));
        }
        return connection.get().publish(event);
    }

    @Override
    public Map<Long, Long> freshness(String clientId) {
        return freshness.of(clientId);
    }

    @Override
    public boolean disconnect(String clientId, String reason) {
        Optional<ServerConnection> connection = peers.get(clientId);
        connection.ifPresent(c -> c.channel().eventLoop().execute(() -> c.close(reason)));
        return connection.isPresent();
    }

    @Override
    public Optional<String> listenAddress() {
        InetSocketAddress address = boundAddress;
        return address == null ? Optional.empty()
                : Optional.of(address.getAddress().getHostAddress() + ":" + address.getPort());
    }

    /** Connections open now, connected or not (for tests and status). */
    public int openConnections() {
        return peers.size();
    }

    /** TCP connections admitted and open now, handshakes included. */
    public int admittedConnections() {
        ConnectionLimiter l = limiter;
        return l == null ? 0 : l.open();
    }

    /** Bytes queued for a client and not yet taken by its socket; 0 when it is not connected. */
    public long pendingOutboundBytes(String clientId) {
        return peers.get(clientId).map(Connection::pendingOutboundBytes).orElse(0L);
    }

    /** Whether the server reads from the client's connection now (false while backpressure holds it). */
    public boolean reading(String clientId) {
        return peers.get(clientId).map(Connection::isReading).orElse(false);
    }

    /** How many times the server stopped reading the client's current connection. */
    public long readPauses(String clientId) {
        return peers.get(clientId).map(Connection::readPauses).orElse(0L);
    }
}
