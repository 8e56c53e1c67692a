package io.sink.transport.internal.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.ScheduledFuture;
import io.sink.api.AckKey;
import io.sink.api.ConnectionStats;
import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.PublishResult;
import io.sink.api.text.Printable;
import io.sink.protocol.AckFrame;
import io.sink.protocol.Frame;
import io.sink.protocol.NackFrame;
import io.sink.protocol.PingFrame;
import io.sink.protocol.PongFrame;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.PublishFrame;
import io.sink.transport.internal.state.ConnectionCounters;
import io.sink.transport.internal.state.FrameType;
import io.sink.transport.internal.state.Inflight;
import io.sink.transport.internal.state.Keepalive;
import io.sink.transport.internal.state.ProtocolViolation;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;

/**
 * What both ends of a Sink connection do once the handshake succeeded: publish with in-flight
 * tracking, answer PUBLISHes with ACK or NACK, settle ACKs and NACKs, answer PINGs, and keep the
 * connection alive or close it when it is dead. The last handler of the pipeline; everything runs on
 * the channel's event loop except {@link #publish}, which may be called from any thread.
 */
abstract class Connection extends ChannelInboundHandlerAdapter {
    protected final Logger log;
    protected final ConnectionCounters counters;
    protected final Duration keepaliveInterval;
    private final int window;
    protected Channel channel;
    protected Keepalive keepalive;
    private Inflight<CompletableFuture<PublishResult>> inflight;
    private final List<ScheduledFuture<?>> timers = new java.util.ArrayList<>();
    /** In-flight count and room, for status readers on other threads. */
    private volatile int inFlightCount;
    private volatile int windowAvailable;
    private volatile boolean closing;
    private volatile String closeReason;

    Connection(Logger log, ConnectionCounters counters, Duration keepaliveInterval, int window) {
        this.log = log;
        this.counters = counters;
        this.keepaliveInterval = keepaliveInterval;
        this.window = window;
    }

    // ------------------------------------------------------------------ what the two ends add

    /** Who the peer is, for the log: address and, on the server, the client id. */
    abstract String describePeer();

    /** The frame arrived before or during the handshake, or is otherwise the end's own business. */
    abstract void handshakeFrame(Frame frame, FrameType type) throws ProtocolException, ProtocolViolation;

    /** Whether the handshake succeeded and the connection is served. */
    abstract boolean isConnected();

    /** Checks the frame against the end's session state; false when it is dropped or kept for later. */
    abstract boolean admit(Frame frame, FrameType type) throws ProtocolViolation;

    /** An event the peer published, to hand to the application. */
    abstract CompletionStage<Optional<Nack>> deliver(Event event);

    /** The application's answer to a PUBLISH is about to be sent. */
    void delivered(Event event, boolean acked) {
    }

    /** A PUBLISH this end sent was settled (ACK or NACK); called before its future completes. */
    void settled(Inflight.Settled<CompletableFuture<PublishResult>> settled) {
    }

    /** The connection is closed; everything in flight has failed already. */
    abstract void closed(String reason);

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        keepalive = newKeepalive(System.nanoTime());
    }

    abstract Keepalive newKeepalive(long nowNanos);

    /** The handshake succeeded: start serving. Called on the event loop. */
    protected void startServing() {
        inflight = new Inflight<>(window, ThreadLocalRandom.current());
        counters.connected(Instant.now());
        updateStatus();
    }

    /** Starts the keepalive timers: the dead-peer check always, the PING check where this end pings. */
    protected void startKeepalive() {
        EventLoop loop = channel.eventLoop();
        long deadPeriod = Math.max(1, keepalive.deadCheckPeriod().toNanos());
        timers.add(loop.scheduleAtFixedRate(this::checkDead, deadPeriod, deadPeriod, TimeUnit.NANOSECONDS));
        if (keepalive.role() == Keepalive.Role.CLIENT) {
            long pingPeriod = Math.max(1, keepalive.pingCheckPeriod().toNanos());
            timers.add(loop.scheduleAtFixedRate(this::checkPing, pingPeriod, pingPeriod, TimeUnit.NANOSECONDS));
        }
    }

    private void checkDead() {
        long now = System.nanoTime();
        if (keepalive.checkDead(now)) {
            close("nothing received for " + keepalive.sinceLastReceived(now).toMillis() + " ms (keepalive "
                    + keepalive.interval().toMillis() + " ms): the peer is dead or the link stalled");
        }
    }

    private void checkPing() {
        long now = System.nanoTime();
        if (isConnected() && keepalive.checkPing(now)) {
            counters.pingSent();
            send(PingFrame.INSTANCE);
            channel.flush();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (ScheduledFuture<?> timer : timers) {
            timer.cancel(false);
        }
        timers.clear();
        String reason = closeReason != null ? closeReason : "the connection was closed by the peer or the network";
        if (inflight != null) {
            for (Inflight.Settled<CompletableFuture<PublishResult>> failed : inflight.failAll(
                    "connection lost before an answer: " + reason)) {
                failed.context().complete(failed.result());
            }
            updateStatus();
        }
        closed(reason);
        ctx.fireChannelInactive();
    }

    /** Closes the connection with a reason for the log and for the failed publishes. */
    void close(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        if (!closing) {
            closing = true;
            log.info("closing connection {}: {}", describePeer(), Printable.inline(reason));
        }
        channel.close();
    }

    boolean isClosing() {
        return closing;
    }

    // ------------------------------------------------------------------ inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            return; // the connection is condemned: nothing more it sent is handled
        }
        Frame frame = (Frame) msg;
        keepalive.onFrameReceived(System.nanoTime());
        FrameType type = FrameType.fromCode(frame.type().code()).orElseThrow();
        try {
            if (!admit(frame, type)) {
                return;
            }
            if (!isConnected()) {
                handshakeFrame(frame, type);
                return;
            }
            switch (type) {
                case PUBLISH:
                    received((PublishFrame) frame);
                    break;
                case ACK:
                    counters.ackReceived();
                    settle(inflight.ack(((AckFrame) frame).messageId()));
                    break;
                case NACK:
                    counters.nackReceived();
                    NackFrame nack = (NackFrame) frame;
                    settle(inflight.nack(nack.messageId(), nack.nack()));
                    break;
                case PING:
                    send(PongFrame.INSTANCE);
                    channel.flush();
                    break;
                case PONG:
                    counters.pongReceived();
                    break;
                default:
                    handshakeFrame(frame, type);
            }
        } catch (ProtocolException e) {
            malformedInput(e);
        } catch (ProtocolViolation e) {
            malformed("protocol violation: " + e.getMessage());
        }
    }

    private void settle(Inflight.Settled<CompletableFuture<PublishResult>> settled) {
        updateStatus();
        settled(settled);
        settled.context().complete(settled.result());
    }

    private void received(PublishFrame frame) throws ProtocolException {
        Event event = frame.event();
        int messageId = frame.messageId();
        CompletionStage<Optional<Nack>> answer;
        try {
            answer = deliver(event);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((nack, failure) -> {
            Frame reply;
            if (failure != null) {
                Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                log.warn("handling event {} from {} failed; answering NACK: {}", event.ackKey(), describePeer(),
                        Printable.inline(cause.toString()));
                reply = NackFrame.of(messageId, Nack.of("", humanReason(cause)));
            } else if (nack == null || nack.isEmpty()) {
                reply = new AckFrame(messageId);
            } else {
                reply = NackFrame.of(messageId, nack.get());
            }
            EventLoop loop = channel.eventLoop();
            if (loop.inEventLoop()) {
                reply(event, reply);
            } else {
                loop.execute(() -> reply(event, reply));
            }
        });
    }

    private static String humanReason(Throwable cause) {
        String message = cause.getMessage();
        String text = "the receiver failed to handle the event: " + cause.getClass().getSimpleName()
                + (message == null ? "" : ": " + message);
        return text.length() > 1000 ? text.substring(0, 1000) : text;
    }

    private void reply(Event event, Frame reply) {
        if (!channel.isActive()) {
            return; // the peer sends it again on its next connection
        }
        boolean acked = reply instanceof AckFrame;
        if (!acked) {
            counters.nackSent();
        }
        delivered(event, acked);
        send(reply);
        channel.flush();
    }

    private void malformed(String reason) {
        if (closing) {
            return; // logged once, when the connection was condemned
        }
        log.warn("closing connection {}: {}", describePeer(), Printable.inline(reason));
        closing = true;
        close(reason);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof ProtocolException pe) {
            malformedInput(pe);
        } else if (root instanceof SSLException) {
            close("TLS error: " + root.getMessage());
        } else if (root instanceof java.io.IOException) {
            close("I/O error: " + root.getMessage());
        } else {
            log.error("unexpected failure on connection {}; closing it", describePeer(), root);
            close("unexpected failure: " + root);
        }
    }

    /** Malformed input from the peer: closes this one connection with a log line. */
    void malformedInput(ProtocolException e) {
        malformed("malformed input (" + e.kind() + "): " + e.getMessage());
    }

    // ------------------------------------------------------------------ outbound

    /** Writes a frame (not flushed). Event loop only. */
    protected void send(Frame frame) {
        keepalive.onFrameSent(System.nanoTime());
        channel.write(frame, channel.voidPromise());
    }

    /** Writes a frame, flushes, and closes the connection once it is written. */
    protected void sendAndClose(Frame frame, String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        closing = true;
        keepalive.onFrameSent(System.nanoTime());
        channel.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * Publishes an event; thread-safe. Completes with ACK, NACK or a failure (not connected, window
     * full, the same event already in flight, or the connection lost before the answer).
     */
    CompletableFuture<PublishResult> publish(Event event) {
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            doPublish(event, result);
        } else {
            loop.execute(() -> doPublish(event, result));
        }
        return result;
    }

    private void doPublish(Event event, CompletableFuture<PublishResult> result) {
        AckKey ackKey = event.ackKey();
        if (!isConnected() || !channel.isActive() || closing) {
            result.complete(new PublishResult.Failed(ackKey, "not connected"));
            return;
        }
        Inflight.Registration registration = inflight.register(ackKey, result);
        if (registration instanceof Inflight.Refused refused) {
            result.complete(new PublishResult.Failed(ackKey, refused.message()));
            return;
        }
        int messageId = ((Inflight.Registered) registration).messageId();
        updateStatus();
        send(PublishFrame.of(messageId, event));
        channel.flush();
    }

    private void updateStatus() {
        if (inflight != null) {
            inFlightCount = inflight.size();
            windowAvailable = inflight.available();
        }
    }

    // ------------------------------------------------------------------ status, any thread

    int inFlightCount() {
        return inFlightCount;
    }

    int windowAvailable() {
        return isConnected() && !closing ? windowAvailable : 0;
    }

    /** The ack keys in flight; asks the event loop, waiting at most a second. */
    List<AckKey> inFlightKeys() {
        if (inflight == null) {
            return List.of();
        }
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            return inflight.ackKeys();
        }
        try {
            return loop.submit(() -> inflight.ackKeys()).get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            return List.of();
        }
    }

    ConnectionStats stats() {
        return counters.snapshot(remoteAddress(), inFlightCount);
    }

    String remoteAddress() {
        SocketAddress address = channel == null ? null : channel.remoteAddress();
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
