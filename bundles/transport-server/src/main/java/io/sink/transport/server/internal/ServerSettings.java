package io.sink.transport.server.internal;

import io.sink.api.Limits;
import java.time.Duration;
import java.util.Objects;

/**
 * How a Sink server listens and serves.
 *
 * @param host             address to bind, e.g. {@code 127.0.0.1}
 * @param port             port to bind; 0 for an ephemeral port
 * @param keepalive        keepalive interval K: a connection that sends nothing for 1.5 K is closed
 * @param handshakeTimeout longest TLS handshake
 * @param ioThreads        network threads; 0 for Netty's default (2 x cores)
 * @param window           most PUBLISHes the server keeps in flight to one client, 1..4095
 * @param limits           connections, handshake rate, backpressure
 */
public record ServerSettings(String host, int port, Duration keepalive, Duration handshakeTimeout, int ioThreads,
        int window, ServerLimits limits) {
    public ServerSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(keepalive, "keepalive");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads must be 0 (default) or more, got " + ioThreads);
        }
        if (window < 1 || window > Limits.MAX_WINDOW) {
            throw new IllegalArgumentException("window must be between 1 and 4095, got " + window);
        }
    }

    /** With the default limits ({@link ServerLimits#DEFAULTS}). */
    public ServerSettings(String host, int port, Duration keepalive, Duration handshakeTimeout, int ioThreads,
            int window) {
        this(host, port, keepalive, handshakeTimeout, ioThreads, window, ServerLimits.DEFAULTS);
    }

    /** Defaults: 127.0.0.1, the given port, keepalive 60 s, handshake 10 s, default threads, window 4095. */
    public static ServerSettings defaults(int port) {
        return new ServerSettings("127.0.0.1", port, Duration.ofSeconds(60), Duration.ofSeconds(10), 0,
                Limits.MAX_WINDOW);
    }

    public ServerSettings withKeepalive(Duration interval) {
        return new ServerSettings(host, port, interval, handshakeTimeout, ioThreads, window, limits);
    }

    public ServerSettings withLimits(ServerLimits newLimits) {
        return new ServerSettings(host, port, keepalive, handshakeTimeout, ioThreads, window, newLimits);
    }
}
