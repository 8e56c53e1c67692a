package io.sink.transport.internal.state;

import io.sink.api.ConnectionStats;
import io.sink.api.Limits;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one connection, turned into {@link ConnectionStats} snapshots.
 *
 * <p>Thread-safe: the connection's event loop counts, status commands read from other threads. Each
 * counter is exact, but a snapshot is not atomic across counters: a frame counted while the snapshot
 * is taken may show in one counter and not yet in another.
 */
public final class ConnectionCounters {
    /** Bytes of the length prefix in front of every frame. */
    public static final int LENGTH_PREFIX = 2;

    private final LongAdder framesIn = new LongAdder();
    private final LongAdder framesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder pingsSent = new LongAdder();
    private final LongAdder pongsReceived = new LongAdder();
    private final LongAdder acksReceived = new LongAdder();
    private final LongAdder nacksReceived = new LongAdder();
    private final LongAdder nacksSent = new LongAdder();
    private volatile Instant connectedSince;

    /**
     * A frame was received.
     *
     * @param frameLength bytes of the frame without its length prefix (1..65535); the 2-byte prefix
     *                    is added here
     */
    public void frameReceived(int frameLength) {
        int length = requireFrameLength(frameLength);
        framesIn.increment();
        bytesIn.add(length + LENGTH_PREFIX);
    }

    /**
     * A frame was sent.
     *
     * @param frameLength bytes of the frame without its length prefix (1..65535); the 2-byte prefix
     *                    is added here
     */
    public void frameSent(int frameLength) {
        int length = requireFrameLength(frameLength);
        framesOut.increment();
        bytesOut.add(length + LENGTH_PREFIX);
    }

    public void pingSent() {
        pingsSent.increment();
    }

    public void pongReceived() {
        pongsReceived.increment();
    }

    public void ackReceived() {
        acksReceived.increment();
    }

    public void nackReceived() {
        nacksReceived.increment();
    }

    public void nackSent() {
        nacksSent.increment();
    }

    /** The handshake completed at {@code since}; once per connection. */
    public void connected(Instant since) {
        Objects.requireNonNull(since, "since");
        synchronized (this) {
            if (connectedSince != null) {
                throw new IllegalStateException("connected already, since " + connectedSince);
            }
            connectedSince = since;
        }
    }

    /** When the handshake completed; empty before. */
    public Optional<Instant> connectedSince() {
        return Optional.ofNullable(connectedSince);
    }

    /**
     * The counters now.
     *
     * @param peer     the remote address
     * @param inFlight PUBLISHes in flight now (read from the event loop's {@link Inflight} by the caller)
     * @throws IllegalStateException before the handshake completed
     */
    public ConnectionStats snapshot(String peer, int inFlight) {
        Objects.requireNonNull(peer, "peer");
        if (inFlight < 0) {
            throw new IllegalArgumentException("inFlight must not be negative, got " + inFlight);
        }
        Instant since = connectedSince;
        if (since == null) {
            throw new IllegalStateException("no stats before the handshake completed");
        }
        return new ConnectionStats(since, peer, framesIn.sum(), framesOut.sum(), bytesIn.sum(), bytesOut.sum(),
                pingsSent.sum(), pongsReceived.sum(), inFlight, acksReceived.sum(), nacksReceived.sum(),
                nacksSent.sum());
    }

    private static int requireFrameLength(int frameLength) {
        if (frameLength < 1 || frameLength > Limits.MAX_FRAME_SIZE) {
            throw new IllegalArgumentException(
                    "frame length must be between 1 and " + Limits.MAX_FRAME_SIZE + ", got " + frameLength);
        }
        return frameLength;
    }
}
