package io.sink.transport.client.internal;

import io.sink.api.Limits;
import io.sink.transport.internal.state.ReconnectSchedule;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a Sink client connects.
 *
 * @param host               server host name or address; checked against the server certificate
 * @param port               server port
 * @param applicationVersion sent in the CONNECTION_REQUEST, e.g. {@code 1.0.0}
 * @param keepalive          keepalive interval K (PING after K idle, dead after 1.5 K silent)
 * @param connectTimeout     longest TCP connect
 * @param handshakeTimeout   longest TLS handshake
 * @param window             most PUBLISHes in flight at once, 1..4095
 * @param reconnectDelays    reconnect schedule; the last step repeats
 * @param refusalDelay       wait after the server refused the connection
 * @param jitter             relative jitter of each delay, 0 to below 1
 */
public record ClientSettings(String host, int port, String applicationVersion, Duration keepalive,
        Duration connectTimeout, Duration handshakeTimeout, int window, List<Duration> reconnectDelays,
        Duration refusalDelay, double jitter) {
    public ClientSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(applicationVersion, "applicationVersion");
        Objects.requireNonNull(keepalive, "keepalive");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        reconnectDelays = List.copyOf(reconnectDelays);
        Objects.requireNonNull(refusalDelay, "refusalDelay");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
        }
        if (window < 1 || window > Limits.MAX_WINDOW) {
            throw new IllegalArgumentException("window must be between 1 and 4095, got " + window);
        }
    }

    /** The original's behaviour: keepalive 60 s, its reconnect schedule, the largest window. */
    public static ClientSettings defaults(String host, int port) {
        return new ClientSettings(host, port, "1.0.0", Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofSeconds(10), Limits.MAX_WINDOW, ReconnectSchedule.DEFAULT_DELAYS,
                ReconnectSchedule.DEFAULT_REFUSAL_DELAY, ReconnectSchedule.DEFAULT_JITTER);
    }

    public ClientSettings withKeepalive(Duration interval) {
        return new ClientSettings(host, port, applicationVersion, interval, connectTimeout, handshakeTimeout, window,
                reconnectDelays, refusalDelay, jitter);
    }

    public ClientSettings withReconnect(List<Duration> delays, Duration refusal) {
        return new ClientSettings(host, port, applicationVersion, keepalive, connectTimeout, handshakeTimeout, window,
                delays, refusal, jitter);
    }

    public ClientSettings withApplicationVersion(String version) {
        return new ClientSettings(host, port, version, keepalive, connectTimeout, handshakeTimeout, window,
                reconnectDelays, refusalDelay, jitter);
    }

    public ClientSettings withWindow(int newWindow) {
        return new ClientSettings(host, port, applicationVersion, keepalive, connectTimeout, handshakeTimeout,
                newWindow, reconnectDelays, refusalDelay, jitter);
    }
}
