package io.sink.transport.server.internal;

import io.sink.transport.internal.netty.Connection;
import io.sink.transport.internal.state.ReadGate;
import java.time.Duration;
import java.util.Objects;

/**
 * What one server admits, so that no peer, authenticated or not, can make it run out of memory or
 * file descriptors, or flood its log.
 *
 * @param maxConnections           connections open at once, handshakes included; more are closed at once
 * @param maxConnectionsPerAddress connections open at once from one IP address
 * @param handshakesPerSecond      new connections admitted per second (token bucket, all addresses)
 * @param handshakeBurst           new connections admitted at once before the rate applies
 * @param pauseReadingAt           unanswered PUBLISHes of one connection at which the server stops reading
 *                                 it until half are answered, 1..4095 (4096: never; the 4095 cap only)
 * @param refusalLogInterval       refused and failed connections are logged in full once per interval
 *                                 and kind, then counted and summed up at the end of the interval
 */
public record ServerLimits(int maxConnections, int maxConnectionsPerAddress, double handshakesPerSecond,
        int handshakeBurst, int pauseReadingAt, Duration refusalLogInterval) {
    /** 10,000 connections, 100 per address, 100 handshakes a second (bursts of 200), pause at 1,024, 60 s. */
    public static final ServerLimits DEFAULTS = new ServerLimits(10_000, 100, 100, 200,
            Connection.DEFAULT_PAUSE_READING_AT, Duration.ofSeconds(60));

    public ServerLimits {
        Objects.requireNonNull(refusalLogInterval, "refusalLogInterval");
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
        }
        if (maxConnectionsPerAddress < 1) {
            throw new IllegalArgumentException("maxConnectionsPerAddress must be at least 1, got "
                    + maxConnectionsPerAddress);
        }
        if (!(handshakesPerSecond > 0) || Double.isInfinite(handshakesPerSecond)) {
            throw new IllegalArgumentException("handshakesPerSecond must be a number above 0, got "
                    + handshakesPerSecond);
        }
        if (handshakeBurst < 1) {
            throw new IllegalArgumentException("handshakeBurst must be at least 1, got " + handshakeBurst);
        }
        if (pauseReadingAt < 1 || pauseReadingAt > ReadGate.MAX_UNANSWERED + 1) {
            throw new IllegalArgumentException("pauseReadingAt must be between 1 and " + ReadGate.MAX_UNANSWERED
                    + ", got " + pauseReadingAt);
        }
        if (refusalLogInterval.isNegative() || refusalLogInterval.isZero()) {
            throw new IllegalArgumentException("refusalLogInterval must be positive, got " + refusalLogInterval);
        }
    }

    public ServerLimits withConnections(int max, int perAddress) {
        return new ServerLimits(max, perAddress, handshakesPerSecond, handshakeBurst, pauseReadingAt,
                refusalLogInterval);
    }

    public ServerLimits withHandshakeRate(double perSecond, int burst) {
        return new ServerLimits(maxConnections, maxConnectionsPerAddress, perSecond, burst, pauseReadingAt,
                refusalLogInterval);
    }

    public ServerLimits withPauseReadingAt(int unanswered) {
        return new ServerLimits(maxConnections, maxConnectionsPerAddress, handshakesPerSecond, handshakeBurst,
                unanswered, refusalLogInterval);
    }

    public ServerLimits withRefusalLogInterval(Duration interval) {
        return new ServerLimits(maxConnections, maxConnectionsPerAddress, handshakesPerSecond, handshakeBurst,
                pauseReadingAt, interval);
    }
}
