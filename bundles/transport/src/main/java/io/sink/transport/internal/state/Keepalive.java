package io.sink.transport.internal.state;

import java.time.Duration;
import java.util.Objects;

/**
 * Keepalive timing of one connection (section 8; the original's {@code Stats}), on a monotonic
 * clock in nanoseconds ({@link System#nanoTime()} in production; any value in tests).
 *
 * <p>With interval K:
 * <ul>
 * <li>the client sends a PING when it has neither sent nor received any frame for K or more
 * ({@link #checkPing}, to be called every K/10, {@link #pingCheckPeriod()}), so a PING goes out
 * between K and 1.1 K after the last frame;</li>
 * <li>either side closes the connection when it has received no frame for 1.5 K or more
 * ({@link #checkDead}, to be called every K/2, {@link #deadCheckPeriod()}), so a dead connection is
 * closed between 1.5 K and 2 K after the last frame received. Any frame counts.</li>
 * </ul>
 * The server never pings (the original does not): {@link #checkPing} is always false for
 * {@link Role#SERVER}; the server answers PINGs with PONG.
 *
 * <p>Start it when the connection is accepted or established, and call {@link #onFrameSent} and
 * {@link #onFrameReceived} for every frame, PING and PONG included. A client should check for pings
 * only once it is connected (no PING before the handshake).
 *
 * <p>Not thread-safe: used from the connection's event loop only.
 */
public final class Keepalive {
    /** The original's interval: 60 seconds. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);
    /** The shortest interval accepted. */
    public static final Duration MIN_INTERVAL = Duration.ofMillis(1);
    /** The longest interval accepted. */
    public static final Duration MAX_INTERVAL = Duration.ofDays(1);

    /** Which end of the connection this is. */
    public enum Role {
        /** Sends PINGs when idle. */
        CLIENT,
        /** Never sends PINGs; only answers them. */
        SERVER
    }

    private final Role role;
    private final long intervalNanos;
    private final long deadAfterNanos;
    private long lastSentNanos;
    private long lastReceivedNanos;

    /**
     * @param role     which end this is
     * @param interval K, between 1 ms and 1 day
     * @param nowNanos now: the connection counts as active now in both directions
     */
    public Keepalive(Role role, Duration interval, long nowNanos) {
        this.role = Objects.requireNonNull(role, "role");
        Objects.requireNonNull(interval, "interval");
        if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException("keepalive interval must be between 1 ms and 1 day, got " + interval);
        }
        this.intervalNanos = interval.toNanos();
        this.deadAfterNanos = intervalNanos + intervalNanos / 2;
        this.lastSentNanos = nowNanos;
        this.lastReceivedNanos = nowNanos;
    }

    public static Keepalive client(Duration interval, long nowNanos) {
        return new Keepalive(Role.CLIENT, interval, nowNanos);
    }

    public static Keepalive server(Duration interval, long nowNanos) {
        return new Keepalive(Role.SERVER, interval, nowNanos);
    }

    /** A frame was sent (a PING included). */
    public void onFrameSent(long nowNanos) {
        if (nowNanos - lastSentNanos > 0) {
            lastSentNanos = nowNanos;
        }
    }

    /** A frame was received (any frame). */
    public void onFrameReceived(long nowNanos) {
        if (nowNanos - lastReceivedNanos > 0) {
            lastReceivedNanos = nowNanos;
        }
    }

    /**
     * Whether to send a PING now: this is the client and nothing was sent nor received for the
     * interval or longer. The caller then sends the PING and calls {@link #onFrameSent}.
     */
    public boolean checkPing(long nowNanos) {
        return role == Role.CLIENT && nowNanos - lastSentNanos >= intervalNanos
                && nowNanos - lastReceivedNanos >= intervalNanos;
    }

    /** Whether the connection is dead: nothing was received for 1.5 times the interval or longer. */
    public boolean checkDead(long nowNanos) {
        return nowNanos - lastReceivedNanos >= deadAfterNanos;
    }

    public Role role() {
        return role;
    }

    /** K. */
    public Duration interval() {
        return Duration.ofNanos(intervalNanos);
    }

    /** How often to call {@link #checkPing}: K/10. */
    public Duration pingCheckPeriod() {
        return Duration.ofNanos(intervalNanos / 10);
    }

    /** How often to call {@link #checkDead}: K/2. */
    public Duration deadCheckPeriod() {
        return Duration.ofNanos(intervalNanos / 2);
    }

    /** How long without a received frame makes a connection dead: 1.5 K. */
    public Duration deadAfter() {
        return Duration.ofNanos(deadAfterNanos);
    }

    /** Time since the last frame received, for the log when closing a dead connection. */
    public Duration sinceLastReceived(long nowNanos) {
        return Duration.ofNanos(Math.max(0, nowNanos - lastReceivedNanos));
    }

    @Override
    public String toString() {
        return "Keepalive[" + role + ", interval " + interval() + "]";
    }
}
