package io.sink.transport.server.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.sink.api.ConnectionResponse;
import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.PublishResult;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.server.ClientAuthenticator;
import io.sink.api.server.ClientLeases;
import io.sink.api.server.ClientRecord;
import io.sink.api.server.ClientRegistry;
import io.sink.api.server.ConnectedClient;
import io.sink.api.server.RetryLaterException;
import io.sink.api.server.ServerHandler;
import io.sink.api.text.Printable;
import io.sink.protocol.ConnectionRequestFrame;
import io.sink.protocol.ConnectionResponseFrame;
import io.sink.protocol.Frame;
import io.sink.protocol.ProtocolException;
import io.sink.tls.Certificates;
import io.sink.transport.internal.netty.Connection;
import io.sink.transport.internal.state.Admission;
import io.sink.transport.internal.state.ConnectionCounters;
import io.sink.transport.internal.state.FrameType;
import io.sink.transport.internal.state.Inflight;
import io.sink.transport.internal.state.Keepalive;
import io.sink.transport.internal.state.ProtocolViolation;
import io.sink.transport.internal.state.ServerHandshake;
import io.sink.transport.internal.state.ServerSession;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The server end of one client connection: authenticates the client by its certificate, answers
 * its CONNECTION_REQUEST by the rules of section 4, then serves it.
 */
final class ServerConnection extends Connection {
    private final SinkServerEngine engine;
    private final ServerSession session = new ServerSession();
    private String clientId;
    private ConnectionRequestFrame request;
    /** The fleet lease of this connection, {@link #NO_MORE_LEASE} once it closed (a lease taken after is released). */
    private final AtomicReference<ClientLeases.Lease> lease = new AtomicReference<>();
    private static final ClientLeases.Lease NO_MORE_LEASE = () -> { };
    /** While one thread acquires the lease: no other may (two acquisitions would replace each other). */
    private static final ClientLeases.Lease TAKING = () -> { };

    ServerConnection(SinkServerEngine engine, ConnectionCounters counters) {
        super(SinkServerEngine.LOG, counters, engine.settings().keepalive(), engine.settings().window(),
                engine.settings().limits().pauseReadingAt());
        this.engine = engine;
    }

    @Override
    protected Keepalive newKeepalive(long nowNanos) {
        return Keepalive.server(keepaliveInterval, nowNanos);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        startKeepalive(); // also bounds how long a connection may sit before its handshake
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                authenticate();
            } else {
                close("TLS handshake failed: " + describe(handshake.cause()));
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    private static String describe(Throwable cause) {
        return cause == null ? "unknown reason" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** Maps the peer's certificate to a client id; refuses unknown certificates. */
    private boolean authenticate() {
        if (clientId != null) {
            return true;
        }
        if (isClosing()) {
            return false;
        }
        SslHandler ssl = channel.pipeline().get(SslHandler.class);
        Optional<X509Certificate> certificate = ssl == null ? Optional.empty()
                : Certificates.peerCertificate(ssl.engine().getSession());
        if (certificate.isEmpty()) {
            close("no client certificate");
            return false;
        }
        ClientAuthenticator authenticator = engine.authenticator();
        Optional<String> id;
        try {
            id = authenticator == null ? Optional.empty() : authenticator.authenticate(certificate.get());
        } catch (RuntimeException e) {
            log.error("the client authenticator failed for {}", remoteAddress(), e);
            id = Optional.empty();
        }
        if (id.isEmpty()) {
            X509Certificate cert = certificate.get();
            engine.repeated("connections with an unknown client certificate", "refused connection from "
                    + remoteAddress() + ": unknown client certificate subject=" + Printable.quoted(Certificates.subject(cert))
                    + " sha256=" + Certificates.sha256Fingerprint(cert));
            close("unknown client certificate");
            return false;
        }
        clientId = id.get();
        return true;
    }

    /** Before the client is known, anyone can make a connection fail: logged in aggregate. */
    @Override
    protected void logClosing(boolean malformed, String reason) {
        if (clientId == null) {
            engine.repeated("unauthenticated connections closed", "closing connection " + describePeer() + ": "
                    + Printable.inline(reason));
        } else {
            super.logClosing(malformed, reason);
        }
    }

    /**
     * While its store cannot take events (a full disk), every connection of a client ends this way, one
     * a second for as long as it lasts: the first line per client in full, then a count per interval
     * (the store's own failure is logged by the store and the reading log).
     */
    @Override
    protected void logWithheld(String what) {
        engine.repeated("answers withheld from " + Printable.text(clientId), "connection " + describePeer() + ": "
                + Printable.inline(what));
    }

    @Override
    protected String describePeer() {
        return remoteAddress() + (clientId == null ? "" : " (client " + Printable.text(clientId) + ")");
    }

    String clientId() {
        return clientId;
    }

    @Override
    protected boolean isConnected() {
        return session.state() == ServerSession.State.CONNECTED;
    }

    @Override
    protected boolean admit(Frame frame, FrameType type) throws ProtocolViolation {
        if (!authenticate()) {
            return false;
        }
        return session.admit(type) == Admission.PROCESS;
    }

    @Override
    protected void handshakeFrame(Frame frame, FrameType type) throws ProtocolViolation {
        if (type != FrameType.CONNECTION_REQUEST) {
            throw new ProtocolViolation(type + " is not expected here");
        }
        session.requestReceived();
        request = (ConnectionRequestFrame) frame;
        ClientInstanceIds presented = new ClientInstanceIds(request.clientInstanceId(), request.serverInstanceId());
        String id = clientId;
        ConnectionRequestFrame req = request;
        try {
            engine.blocking().execute(() -> decide(id, req, presented));
        } catch (RejectedExecutionException e) {
            close("the server is stopping");
        }
    }

    /** Off the event loop: the registry may block. */
    private void decide(String id, ConnectionRequestFrame req, ClientInstanceIds presented) {
        ServerHandshake.Decision decision;
        try {
            ClientRegistry registry = engine.registry();
            if (registry == null) {
                throw new IllegalStateException("no client registry is available");
            }
            ClientRecord record = registry.record(id);
            boolean accepted = registry.acceptsApplicationVersion(id, req.applicationVersion());
            decision = ServerHandshake.decide(req.applicationVersion(), presented, record, accepted);
            if (decision.clientInstanceIdToRegister().isPresent()) {
                registry.registerClientInstanceId(id, decision.clientInstanceIdToRegister().get());
            }
            if (decision.connected()) {
                takeLease(id);
            }
        } catch (Exception e) {
            log.error("handshake of client {} failed in the client registry; closing its connection", id, e);
            channel.eventLoop().execute(() -> close("the client registry failed: " + e));
            return;
        }
        ServerHandshake.Decision answer = decision;
        channel.eventLoop().execute(() -> answer(answer));
    }

    /**
     * Several nodes share the fleet: the newest connection of a client wins fleet-wide, as on one node.
     * Taking the lease closes the client's connection on the node that held it; this one is closed when
     * a newer one elsewhere takes it over.
     */
    private void takeLease(String id) throws Exception {
        ClientLeases leases = engine.leases();
        if (leases == null || !lease.compareAndSet(null, TAKING)) {
            return; // not in a fleet (yet), or taken, being taken, or closed
        }
        ClientLeases.Lease taken;
        try {
            taken = leases.acquire(id, reason -> channel.eventLoop().execute(() -> close(reason)));
        } catch (Exception | Error e) {
            lease.compareAndSet(TAKING, null);
            throw e;
        }
        if (!lease.compareAndSet(TAKING, taken)) {
            taken.release(); // closed meanwhile
        }
    }

    /**
     * The fleet's leases came after this connection was accepted without one (the transport does not
     * wait for them: they are optional): takes the client's lease now, off the event loop, so that the
     * fleet's rules (one connection per client, a quarantine given on another node) reach this connection
     * too. When it cannot be taken the connection is closed; the client connects again and its handshake
     * takes the lease.
     */
    void takeLeaseIfNone() {
        if (lease.get() != null || !isConnected() || isClosing()) {
            return;
        }
        try {
            engine.blocking().execute(() -> {
                try {
                    takeLease(clientId);
                } catch (Exception e) {
                    log.warn("client {}: the fleet lease could not be taken ({}); closing its connection", clientId,
                            Printable.inline(e.toString()));
                    channel.eventLoop().execute(() -> close("the fleet lease could not be taken: " + e));
                }
            });
        } catch (RejectedExecutionException e) {
            // the server is stopping
        }
    }

    private void releaseLease() {
        ClientLeases.Lease held = lease.getAndSet(NO_MORE_LEASE);
        if (held == null || held == NO_MORE_LEASE || held == TAKING) { // a lease being taken is given back by its taker
            return;
        }
        try {
            engine.blocking().execute(held::release);
        } catch (RejectedExecutionException e) {
            held.release(); // the server is stopping: give it up now rather than let it expire
        }
    }

    private void answer(ServerHandshake.Decision decision) {
        if (!channel.isActive() || isClosing()) {
            return;
        }
        session.decided(decision);
        ConnectionResponseFrame response;
        switch (decision.response()) {
            case CONNECTED:
                response = ConnectionResponseFrame.connected();
                break;
            case HELLO_NEW_CLIENT:
                response = ConnectionResponseFrame.helloNewClient(decision.serverInstanceId().orElseThrow());
                break;
            case QUARANTINED:
                response = ConnectionResponseFrame.quarantined(decision.quarantine().orElseThrow());
                break;
            default:
                response = ConnectionResponseFrame.of(decision.response());
        }
        if (decision.connected()) {
            startServing();
            send(response);
            flush();
            log.info("client {} connected from {} ({}, application version {})", clientId, remoteAddress(),
                    decision.response().protocolName(), Printable.text(request.applicationVersion()));
            engine.connectionUp(this);
            recheckAdmission();
        } else {
            // The original keeps a quarantined client's socket open without serving it; the client must
            // close. We close it ourselves once the answer is written, so refused clients hold nothing.
            log.info("refused client {} from {}: {}", clientId, remoteAddress(), Printable.inline(decision.reason()));
            sendAndClose(response, decision.reason());
        }
    }

    /**
     * The operator may have removed the client's certificate or quarantined it while its handshake was
     * being decided, and closed "its connection" before this one was registered: look again now that
     * it is registered, so such a connection does not stay up.
     */
    private void recheckAdmission() {
        String id = clientId;
        try {
            engine.blocking().execute(() -> {
                String reason = null;
                try {
                    ClientAuthenticator auth = engine.authenticator();
                    ClientRegistry registry = engine.registry();
                    if (auth == null || !auth.isAdmitted(id)) {
                        reason = "the client is no longer on the allow-list";
                    } else if (registry == null || registry.record(id).quarantine().isPresent()) {
                        reason = "the client was quarantined";
                    }
                } catch (Exception e) {
                    reason = "the client registry failed: " + e;
                }
                if (reason != null) {
                    String why = reason;
                    channel.eventLoop().execute(() -> close(why));
                }
            });
        } catch (RejectedExecutionException e) {
            close("the server is stopping");
        }
    }

    @Override
    protected void malformedInput(ProtocolException e) {
        if (e.kind() == ProtocolException.Kind.UNSUPPORTED_PROTOCOL_VERSION
                && session.state() == ServerSession.State.AWAITING_REQUEST && authenticate()) {
            session.decided(ServerHandshake.unsupportedProtocolVersion(-1));
            log.info("refused client {} from {}: {}", clientId, remoteAddress(), Printable.inline(e.getMessage()));
            sendAndClose(ConnectionResponseFrame.unsupportedProtocolVersion(), e.getMessage());
            return;
        }
        super.malformedInput(e);
    }

    @Override
    protected CompletionStage<Optional<Nack>> deliver(Event event) {
        ServerHandler handler = engine.handler();
        if (handler == null) {
            return CompletableFuture.failedFuture(new RetryLaterException("no event handler is available"));
        }
        return handler.handlePublish(clientId, event);
    }

    /** The events of one read go to the handler together: its store can commit them together. */
    @Override
    protected List<? extends CompletionStage<Optional<Nack>>> deliverAll(List<Event> events) {
        ServerHandler handler = engine.handler();
        if (handler == null) {
            return java.util.Collections.nCopies(events.size(),
                    CompletableFuture.failedFuture(new RetryLaterException("no event handler is available")));
        }
        if (events.size() == 1) {
            return List.of(handler.handlePublish(clientId, events.get(0)));
        }
        return handler.handlePublishes(clientId, events);
    }

    @Override
    protected void delivered(Event event, boolean acked) {
        if (acked) {
            engine.freshness().record(clientId, event.eventTypeId(), event.timestamp());
        }
    }

    @Override
    protected void settled(Inflight.Settled<CompletableFuture<PublishResult>> settled) {
        ServerHandler handler = engine.handler();
        if (handler == null) {
            return;
        }
        try {
            if (settled.result() instanceof PublishResult.Nacked nacked) {
                handler.handleNack(clientId, nacked.ackKey(), nacked.nack());
            } else {
                handler.handleAck(clientId, settled.ackKey());
            }
        } catch (Exception e) {
            log.warn("the event handler failed on the answer of {} from {}", settled.ackKey(), clientId, e);
        }
    }

    @Override
    protected void closed(String reason) {
        boolean wasConnected = session.state() == ServerSession.State.CONNECTED;
        session.closed();
        releaseLease();
        if (clientId != null) {
            engine.connectionDown(this, wasConnected, reason);
        }
    }

    ConnectedClient describe() {
        return new ConnectedClient(clientId, request.clientInstanceId(), request.serverInstanceId(),
                request.applicationVersion(), stats());
    }

    ConnectionResponse response() {
        return session.decision().map(ServerHandshake.Decision::response).orElse(null);
    }
}
