package io.sink.transport.client.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.sink.api.ConnectionResponse;
import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.client.ClientHandler;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.text.Printable;
import io.sink.protocol.ConnectionRequestFrame;
import io.sink.protocol.ConnectionResponseFrame;
import io.sink.protocol.Frame;
import io.sink.protocol.ProtocolException;
import io.sink.transport.internal.netty.Connection;
import io.sink.transport.internal.state.Admission;
import io.sink.transport.internal.state.ClientSession;
import io.sink.transport.internal.state.ConnectionCounters;
import io.sink.transport.internal.state.FrameType;
import io.sink.transport.internal.state.Keepalive;
import io.sink.transport.internal.state.ProtocolViolation;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;

/**
 * The client end of a connection: sends the CONNECTION_REQUEST once TLS is up, takes the response
 * (storing the server's instance id after {@code hello_new_client} before anything is published),
 * then serves the connection.
 */
final class ClientConnection extends Connection {
    private final SinkClientEngine engine;
    /** The server this connection is to. */
    private final ServerAddress server;
    private final ClientSession session = new ClientSession();
    /** Frames that arrived while the server's instance id was being stored, handled once connected. */
    private final Queue<Frame> deferred = new ArrayDeque<>();
    private ChannelHandlerContext context;
    private volatile boolean refused;

    ClientConnection(SinkClientEngine engine, ServerAddress server, ConnectionCounters counters) {
        super(SinkClientEngine.LOG, counters, engine.settings().keepalive(), engine.settings().window(),
                DEFAULT_PAUSE_READING_AT);
        this.engine = engine;
        this.server = server;
    }

    @Override
    protected Keepalive newKeepalive(long nowNanos) {
        return Keepalive.client(keepaliveInterval, nowNanos);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        super.handlerAdded(ctx);
        context = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startKeepalive();
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                requestConnection();
            } else {
                Throwable cause = handshake.cause();
                // a refused certificate: do not retry in a tight loop; a link that failed during the
                // handshake (closed, reset, timed out) is transient and follows the usual schedule
                refused = HandshakeFailure.isCertificateRefusal(cause);
                close("TLS handshake with " + server + " failed: "
                        + (cause == null ? "unknown reason"
                                : cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()));
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void requestConnection() {
        try {
            engine.blocking().execute(() -> {
                ClientInstanceIds ids;
                try {
                    ClientHandler handler = engine.handler();
                    if (handler == null) {
                        throw new IllegalStateException("no client handler is available");
                    }
                    ids = handler.instanceIds();
                } catch (Exception e) {
                    logInstanceIdFailure(e);
                    channel.eventLoop().execute(() -> close("cannot read the instance ids: " + e));
                    return;
                }
                channel.eventLoop().execute(() -> sendRequest(ids));
            });
        } catch (RejectedExecutionException e) {
            close("the client is stopping");
        }
    }

    private void logInstanceIdFailure(Exception e) {
        log.error("the client handler failed to give the instance ids", e);
    }

    private void sendRequest(ClientInstanceIds ids) {
        if (!channel.isActive() || isClosing()) {
            return;
        }
        session.requestSent(ids);
        send(new ConnectionRequestFrame(engine.settings().applicationVersion(), ids.client(), ids.server()));
        flush();
    }

    @Override
    protected String describePeer() {
        return "to server " + server + " (" + remoteAddress() + ")";
    }

    @Override
    protected boolean isConnected() {
        return session.state() == ClientSession.State.CONNECTED;
    }

    ServerAddress server() {
        return server;
    }

    boolean wasRefused() {
        return refused;
    }

    @Override
    protected boolean admit(Frame frame, FrameType type) throws ProtocolViolation {
        Admission admission = session.admit(type);
        if (admission == Admission.DEFER) {
            deferred.add(frame);
            return false;
        }
        return admission == Admission.PROCESS;
    }

    @Override
    protected void handshakeFrame(Frame frame, FrameType type) throws ProtocolException, ProtocolViolation {
        if (type != FrameType.CONNECTION_RESPONSE) {
            throw new ProtocolViolation(type + " is not expected here");
        }
        ConnectionResponseFrame response = (ConnectionResponseFrame) frame;
        Optional<Nack> quarantine = response.response() == ConnectionResponse.QUARANTINED
                ? Optional.of(response.nack()) : Optional.empty();
        ClientSession.Outcome outcome = session.responseReceived(response.response(), response.serverInstanceId(),
                quarantine);
        if (outcome instanceof ClientSession.Connected) {
            becomeConnected(response.response());
        } else if (outcome instanceof ClientSession.StoreServerInstanceId store) {
            storeServerInstanceId(store);
        } else if (outcome instanceof ClientSession.Refused refusal) {
            refused = true;
            log.warn("{}", Printable.inline(refusal.reason()));
            engine.refused(refusal);
            close(refusal.reason());
        }
    }

    private void storeServerInstanceId(ClientSession.StoreServerInstanceId store) {
        try {
            engine.blocking().execute(() -> {
                try {
                    ClientHandler handler = engine.handler();
                    if (handler == null) {
                        throw new IllegalStateException("no client handler is available");
                    }
                    handler.serverInstanceIdReceived(store.serverInstanceId());
                } catch (Exception e) {
                    log.error("cannot store the server instance id {}; closing the connection",
                            store.serverInstanceId(), e);
                    channel.eventLoop().execute(() -> close("cannot store the server instance id: " + e));
                    return;
                }
                channel.eventLoop().execute(() -> {
                    if (!channel.isActive() || isClosing()) {
                        return;
                    }
                    session.serverInstanceIdStored();
                    becomeConnected(ConnectionResponse.HELLO_NEW_CLIENT);
                    Frame next;
                    while ((next = deferred.poll()) != null && channel.isActive()) {
                        channelRead(context, next);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            close("the client is stopping");
        }
    }

    private void becomeConnected(ConnectionResponse response) {
        startServing();
        log.info("connected to Sink server {} ({}, client instance id {}, server instance id {})", server,
                response.protocolName(), session.presented().map(ids -> ids.client().toString()).orElse("?"),
                session.serverInstanceId().map(Object::toString).orElse("?"));
        engine.connected(this);
    }

    @Override
    protected CompletionStage<Optional<Nack>> deliver(Event event) {
        ClientHandler handler = engine.handler();
        if (handler == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no client handler is available"));
        }
        return handler.handlePublish(event);
    }

    @Override
    protected void closed(String reason) {
        boolean wasConnected = session.state() == ClientSession.State.CONNECTED;
        session.closed();
        deferred.clear();
        engine.disconnected(this, wasConnected, reason);
    }
}
