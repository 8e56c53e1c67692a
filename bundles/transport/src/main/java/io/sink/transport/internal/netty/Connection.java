package io.sink.transport.internal.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.ScheduledFuture;
import io.sink.api.AckKey;
import io.sink.api.ConnectionStats;
import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.PublishResult;
import io.sink.api.server.RetryLaterException;
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
import io.sink.transport.internal.state.ReadGate;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;

/**
 * What both ends of a Sink connection do once the handshake succeeded: publish with in-flight
 * tracking, answer PUBLISHes with ACK or NACK, settle ACKs and NACKs, answer PINGs, and keep the
 * connection alive or close it when it is dead. The last handler of the pipeline; everything runs on
 * the channel's event loop except {@link #publish}, which may be called from any thread.
 */
public abstract class Connection extends ChannelInboundHandlerAdapter {
    /**
     * Outbound bytes queued (TLS records not yet taken by the socket) above which the channel is
     * unwritable and the connection stops reading; it reads again below the low mark. Frames are at
     * most 64 KiB, so one frame over the mark is the most that is ever queued beyond it by a read.
     */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 128 * 1024);
    /** Unanswered PUBLISHes from the peer at which a connection stops reading until half are answered. */
    public static final int DEFAULT_PAUSE_READING_AT = 1024;

    protected final Logger log;
    protected final ConnectionCounters counters;
    protected final Duration keepaliveInterval;
    private final int window;
    private final ReadGate gate;
    protected Channel channel;
    protected Keepalive keepalive;
    private Inflight<CompletableFuture<PublishResult>> inflight;
    private final List<ScheduledFuture<?>> timers = new java.util.ArrayList<>();
    /** In-flight count and room, for status readers on other threads. */
    private volatile int inFlightCount;
    private volatile int windowAvailable;
    private volatile boolean closing;
    /** Set on the event loop when the receiver withheld an answer: nothing more is answered. */
    private boolean withheld;
    /** How long a connection whose receiver withheld an answer stays open (see {@link #withhold}). */
    static final long RETRY_LATER_CLOSE_DELAY_MILLIS = 2000;
    private volatile String closeReason;
    /** Whether the connection reads, and how often it stopped (status readers on other threads). */
    private volatile boolean reading = true;
    private volatile long readPauses;
    /** Answers given on other threads, waiting for the event loop (see {@link #answer}). */
    private final Queue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean answering = new AtomicBoolean();
    /** Publishes handed to the event loop as tasks and not yet run: {@link #publishInOrder}. */
    private final AtomicInteger publishTasks = new AtomicInteger();
    /**
     * Frames sent since the last flush (event loop only): written to the pipeline together by
     * {@link #flush()}, as one message the encoder puts in one buffer, instead of one write (a pass
     * through the pipeline, a buffer, an entry of the TLS handler's queue) per frame.
     */
    private final List<Frame> unflushed = new java.util.ArrayList<>();
    /** PUBLISHes of the current read, delivered together at its end (event loop only). */
    private final List<Received> received = new java.util.ArrayList<>();
    /** Most PUBLISHes of one read delivered together; a longer read is delivered in parts. */
    static final int MAX_DELIVERED_TOGETHER = 1024;

    protected Connection(Logger log, ConnectionCounters counters, Duration keepaliveInterval, int window, int pauseReadingAt) {
        this.log = log;
        this.counters = counters;
        this.keepaliveInterval = keepaliveInterval;
        this.window = window;
        this.gate = new ReadGate(pauseReadingAt);
    }

    // ------------------------------------------------------------------ what the two ends add

    /** Who the peer is, for the log: address and, on the server, the client id. */
    protected abstract String describePeer();

    /** The frame arrived before or during the handshake, or is otherwise the end's own business. */
    protected abstract void handshakeFrame(Frame frame, FrameType type) throws ProtocolException, ProtocolViolation;

    /** Whether the handshake succeeded and the connection is served. */
    protected abstract boolean isConnected();

    /** Checks the frame against the end's session state; false when it is dropped or kept for later. */
    protected abstract boolean admit(Frame frame, FrameType type) throws ProtocolViolation;

    /** An event the peer published, to hand to the application. */
    protected abstract CompletionStage<Optional<Nack>> deliver(Event event);

    /**
     * Events the peer published that arrived together (one read), in order, to hand to the
     * application: one stage per event, in the same order. By default each is delivered alone.
     */
    protected List<? extends CompletionStage<Optional<Nack>>> deliverAll(List<Event> events) {
        List<CompletionStage<Optional<Nack>>> answers = new java.util.ArrayList<>(events.size());
        for (Event event : events) {
            CompletionStage<Optional<Nack>> answer;
            try {
                answer = deliver(event);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answers.add(answer);
        }
        return answers;
    }

    /**
     * The application's answer to a PUBLISH is about to be sent (bookkeeping: an exception thrown here
     * is logged, and the answer is sent all the same).
     */
    protected void delivered(Event event, boolean acked) {
    }

    /** A PUBLISH this end sent was settled (ACK or NACK); called before its future completes. */
    protected void settled(Inflight.Settled<CompletableFuture<PublishResult>> settled) {
    }

    /** The connection is closed; everything in flight has failed already. */
    protected abstract void closed(String reason);

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        keepalive = newKeepalive(System.nanoTime());
    }

    protected abstract Keepalive newKeepalive(long nowNanos);

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
            // a connection held unread by backpressure for that long is closed too: its peer then
            // connects again and sends what was not answered
            close("nothing received for " + keepalive.sinceLastReceived(now).toMillis() + " ms (keepalive "
                    + keepalive.interval().toMillis() + " ms): " + (reading ? "the peer is dead or the link stalled"
                    : "reading was paused because " + gate.pauseReason()));
        }
    }

    private void checkPing() {
        long now = System.nanoTime();
        if (isConnected() && keepalive.checkPing(now)) {
            counters.pingSent();
            send(PingFrame.INSTANCE);
            flush();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        // what the last read brought is handed over as it was before reads were grouped (stored, not
        // answered: the peer sends it again and the store recognises it)
        deliverReceived();
        unflushed.clear(); // nowhere to go
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
    public void close(String reason) {
        if (channel.eventLoop().inEventLoop()) {
            deliverReceived(); // the PUBLISHes read before the reason to close are handed over first
        }
        if (closeReason == null) {
            closeReason = reason;
        }
        if (!closing) {
            closing = true;
            logClosing(false, reason);
        }
        channel.close();
    }

    /** Logs why the connection is closed: WARN for the peer's malformed input, INFO otherwise. */
    protected void logClosing(boolean malformed, String reason) {
        if (malformed) {
            log.warn("closing connection {}: {}", describePeer(), Printable.inline(reason));
        } else {
            log.info("closing connection {}: {}", describePeer(), Printable.inline(reason));
        }
    }

    public boolean isClosing() {
        return closing;
    }

    /** The connection's channel; its event loop runs everything of the connection. */
    public Channel channel() {
        return channel;
    }

    // ------------------------------------------------------------------ backpressure

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        gate.writabilityChanged(ctx.channel().isWritable());
        applyGate();
        ctx.fireChannelWritabilityChanged();
    }

    /** Stops or starts reading as the gate says (setting autoRead back to true reads at once). */
    private void applyGate() {
        boolean read = gate.shouldRead();
        if (read != channel.config().isAutoRead()) {
            channel.config().setAutoRead(read);
            reading = read;
            if (!read) {
                readPauses++;
                log.debug("connection {} stops reading: {}", describePeer(), gate.pauseReason());
            } else {
                log.debug("connection {} reads again", describePeer());
            }
        }
    }

    /** Whether the connection reads from the peer now (false while backpressure holds it). */
    public boolean isReading() {
        return reading;
    }

    /** How many times the connection stopped reading. */
    public long readPauses() {
        return readPauses;
    }

    /** Bytes written to the connection and not yet taken by the socket (TLS records included). */
    public long pendingOutboundBytes() {
        io.netty.channel.ChannelOutboundBuffer buffer = channel == null ? null : channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
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
            if (type != FrameType.PUBLISH) {
                // the PUBLISHes before it are handed over first, so that answers keep the order of the
                // frames they answer when the receiver answers at once (an ACK before a later PONG)
                deliverReceived();
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
                    flush();
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

    private void received(PublishFrame frame) throws ProtocolException, ProtocolViolation {
        gate.publishReceived();
        applyGate();
        received.add(new Received(frame.event(), frame.messageId())); // a malformed event closes here
        if (received.size() >= MAX_DELIVERED_TOGETHER) {
            deliverReceived();
        }
    }

    /**
     * The end of a read: the PUBLISHes it brought are handed to the application together (one
     * commit can then serve all of them).
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        deliverReceived();
        ctx.fireChannelReadComplete();
    }

    /** Hands the PUBLISHes received since the last call to the application, in order, and answers each. */
    private void deliverReceived() {
        int n = received.size();
        if (n == 0) {
            return;
        }
        Received[] frames = received.toArray(new Received[n]);
        received.clear(); // before delivering: answering may close the connection, or read again
        List<Event> events = new java.util.ArrayList<>(n);
        for (Received frame : frames) {
            events.add(frame.event());
        }
        List<? extends CompletionStage<Optional<Nack>>> answers;
        try {
            answers = deliverAll(events);
            if (answers == null || answers.size() != n) {
                throw new IllegalStateException("the receiver answered " + (answers == null ? "nothing" : answers.size()
                        + " times") + " for " + n + " events");
            }
        } catch (RuntimeException e) {
            CompletableFuture<Optional<Nack>> failed = CompletableFuture.failedFuture(e);
            answers = java.util.Collections.nCopies(n, failed);
        }
        for (int i = 0; i < n; i++) {
            answerWhenDone(frames[i], answers.get(i));
        }
    }

    /** A PUBLISH received, its event decoded. */
    private record Received(Event event, int messageId) {
    }

    private void answerWhenDone(Received frame, CompletionStage<Optional<Nack>> answer) {
        Event event = frame.event();
        int messageId = frame.messageId();
        answer.whenComplete((nack, failure) -> {
            Frame reply;
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof RetryLaterException retry) {
                answer(new Answer(event, null, retry));
                return;
            }
            if (failure != null) {
                log.warn("handling event {} from {} failed; answering NACK: {}", event.ackKey(), describePeer(),
                        Printable.inline(cause.toString()));
                reply = NackFrame.of(messageId, Nack.of("", humanReason(cause)));
            } else if (nack == null || nack.isEmpty()) {
                reply = new AckFrame(messageId);
            } else {
                reply = NackFrame.of(messageId, nack.get());
            }
            answer(new Answer(event, reply, null));
        });
    }

    /** The answer to a PUBLISH: a reply to send, or a withheld one. */
    private record Answer(Event event, Frame reply, RetryLaterException retry) {
        void run(Connection connection) {
            if (retry != null) {
                connection.withhold(event, retry);
            } else {
                connection.reply(event, reply);
            }
        }
    }

    /**
     * Sends an answer. Answers given on other threads (the receiver's store completes a whole batch of
     * events at once on its writer thread) are queued and sent by one task of the event loop, written
     * one after the other and flushed once, in the order they were given.
     */
    private void answer(Answer answer) {
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            answer.run(this);
            flush();
            return;
        }
        answers.add(answer);
        if (answering.compareAndSet(false, true)) {
            try {
                loop.execute(this::sendAnswers);
            } catch (RejectedExecutionException e) {
                // the event loop is shutting down: the connection is gone, the peer sends them again
                answering.set(false);
                answers.clear();
            }
        }
    }

    /** Event loop: sends the answers queued so far, one flush for all. */
    private void sendAnswers() {
        // cleared first: an answer queued from here on schedules a task of its own
        answering.set(false);
        Answer next;
        int sent = 0;
        while ((next = answers.poll()) != null) {
            next.run(this);
            sent++;
        }
        if (sent > 0) {
            flush();
        }
    }

    private static String humanReason(Throwable cause) {
        String message = cause.getMessage();
        String text = "the receiver failed to handle the event: " + cause.getClass().getSimpleName()
                + (message == null ? "" : ": " + message);
        return text.length() > 1000 ? text.substring(0, 1000) : text;
    }

    /**
     * The receiver could not take {@code event} for now (a {@link RetryLaterException}): it is
     * answered neither ACK nor NACK (a NACK would park the sender's stream), nor is anything the
     * peer sent after it, so that order holds; the connection closes after
     * {@link #RETRY_LATER_CLOSE_DELAY_MILLIS} (a pause, so a peer that reconnects at once does not
     * spin) and the peer sends every unanswered event again on its next connection.
     */
    private void withhold(Event event, RetryLaterException retry) {
        gate.answered();
        if (withheld) {
            return;
        }
        withheld = true;
        String reason = "event " + event.ackKey() + " was not taken for now (" + retry.getMessage()
                + "); it and everything after it stay unanswered and are sent again after reconnecting";
        logWithheld(reason + "; closing in " + RETRY_LATER_CLOSE_DELAY_MILLIS + " ms");
        channel.eventLoop().schedule(() -> close(reason), RETRY_LATER_CLOSE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Logs that the receiver withheld an answer on this connection ({@link #withhold}); a WARN by
     * default. An end whose peer can make this happen once a second for as long as the cause lasts (a
     * server with a full disk, each client reconnecting) logs it in aggregate instead.
     */
    protected void logWithheld(String what) {
        log.warn("connection {}: {}", describePeer(), Printable.inline(what));
    }

    private void reply(Event event, Frame reply) {
        gate.answered();
        if (!channel.isActive() || withheld) {
            return; // the peer sends it again on its next connection
        }
        applyGate();
        boolean acked = reply instanceof AckFrame;
        if (!acked) {
            counters.nackSent();
        }
        try {
            delivered(event, acked);
        } catch (RuntimeException e) {
            // bookkeeping only: the peer's answer is sent whatever happens here
            log.warn("recording the delivery of offset {} from {} failed; it is answered anyway",
                    Long.toUnsignedString(event.offset()), describePeer(), e);
        }
        send(reply); // flushed by the caller, once for all the answers at hand
    }

    private void malformed(String reason) {
        if (closing) {
            return; // logged once, when the connection was condemned
        }
        deliverReceived(); // the valid PUBLISHes read before the malformed input are handed over first
        logClosing(true, reason);
        closing = true;
        close(reason);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable root = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (root instanceof ProtocolException pe) {
            malformedInput(pe);
        } else if (root instanceof SSLException || root instanceof io.netty.handler.ssl.NotSslRecordException) {
            close("TLS error: " + root.getMessage());
        } else if (root instanceof java.io.IOException) {
            close("I/O error: " + root.getMessage());
        } else {
            log.error("unexpected failure on connection {}; closing it", describePeer(), root);
            close("unexpected failure: " + root);
        }
    }

    /** Malformed input from the peer: closes this one connection with a log line. */
    protected void malformedInput(ProtocolException e) {
        malformed("malformed input (" + e.kind() + "): " + e.getMessage());
    }

    // ------------------------------------------------------------------ outbound

    /** Sends a frame with the next {@link #flush()}. Event loop only. */
    protected void send(Frame frame) {
        keepalive.onFrameSent(System.nanoTime());
        unflushed.add(frame);
    }

    /** Writes the frames sent since the last flush, in order, and flushes. Event loop only. */
    protected void flush() {
        writeUnflushed(channel.voidPromise()); // a failed write reaches exceptionCaught, as each frame's did
        channel.flush();
    }

    /** Writes the frames sent since the last flush as one message, if there are any. */
    private void writeUnflushed(io.netty.channel.ChannelPromise promise) {
        int n = unflushed.size();
        if (n == 0) {
            return;
        }
        Object message = n == 1 ? unflushed.get(0) : new FrameBatch(unflushed.toArray(new Frame[n]));
        unflushed.clear(); // before writing: a listener of the write may send again
        channel.write(message, promise);
    }

    /** Writes a frame, flushes, and closes the connection once it is written. */
    protected void sendAndClose(Frame frame, String reason) {
        if (channel.eventLoop().inEventLoop()) {
            deliverReceived();
        }
        if (closeReason == null) {
            closeReason = reason;
        }
        closing = true;
        if (!channel.eventLoop().inEventLoop()) {
            keepalive.onFrameSent(System.nanoTime());
            channel.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        send(frame); // after the frames sent before it
        io.netty.channel.ChannelPromise written = channel.newPromise();
        written.addListener(ChannelFutureListener.CLOSE);
        writeUnflushed(written);
        channel.flush();
    }

    /**
     * Publishes an event; thread-safe. Completes with ACK, NACK or a failure (not connected, window
     * full, the same event already in flight, or the connection lost before the answer).
     */
    public CompletableFuture<PublishResult> publish(Event event) {
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        publishInOrder(() -> doPublish(event, result));
        return result;
    }

    /**
     * Runs a publish on the event loop after every publish asked for before it: at once when called on
     * the event loop and no publish handed over from another thread waits there (its caller may have
     * asked for it before this call, e.g. under a lock both threads take), otherwise as a task.
     */
    private void publishInOrder(Runnable publishing) {
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop() && publishTasks.get() == 0) {
            publishing.run();
            return;
        }
        publishTasks.incrementAndGet();
        try {
            loop.execute(() -> {
                publishTasks.decrementAndGet();
                publishing.run();
            });
        } catch (RuntimeException e) {
            publishTasks.decrementAndGet();
            throw e;
        }
    }

    /**
     * Publishes events in this order with one task on the event loop and one flush for all of them
     * (one write to the network instead of one per event); thread-safe. One stage per event, as
     * {@link #publish} gives.
     */
    public List<CompletionStage<PublishResult>> publishAll(List<Event> events) {
        List<CompletableFuture<PublishResult>> results = new java.util.ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            results.add(new CompletableFuture<>());
        }
        publishInOrder(() -> {
            for (int i = 0; i < events.size(); i++) {
                publishWithoutFlush(events.get(i), results.get(i));
            }
            flush();
        });
        return java.util.Collections.unmodifiableList(results); // a view: no copy per call
    }

    private void doPublish(Event event, CompletableFuture<PublishResult> result) {
        publishWithoutFlush(event, result);
        flush();
    }

    private void publishWithoutFlush(Event event, CompletableFuture<PublishResult> result) {
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
    }

    private void updateStatus() {
        if (inflight != null) {
            inFlightCount = inflight.size();
            windowAvailable = inflight.available();
        }
    }

    // ------------------------------------------------------------------ status, any thread

    public int inFlightCount() {
        return inFlightCount;
    }

    public int windowAvailable() {
        return isConnected() && !closing ? windowAvailable : 0;
    }

    /** The ack keys in flight; asks the event loop, waiting at most a second. */
    public List<AckKey> inFlightKeys() {
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

    public ConnectionStats stats() {
        return counters.snapshot(remoteAddress(), inFlightCount);
    }

    public String remoteAddress() {
        SocketAddress address = channel == null ? null : channel.remoteAddress();
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress().getHostAddress() + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
