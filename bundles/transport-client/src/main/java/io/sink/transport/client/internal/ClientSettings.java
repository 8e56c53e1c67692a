package io.sink.transport.client.internal;

import io.sink.api.Limits;
import io.sink.transport.internal.state.ReconnectSchedule;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * How a Sink client connects.
 *
 * @param servers            the servers, in the order they are tried: the client connects to one at
 *                           a time and moves to the next when one fails; not empty, no address twice.
 *                           Each host is checked against the server certificate
 * @param applicationVersion sent in the CONNECTION_REQUEST, e.g. {@code 1.0.0}
 * @param keepalive          keepalive interval K (PING after K idle, dead after 1.5 K silent)
 * @param connectTimeout     longest TCP connect
 * @param handshakeTimeout   longest TLS handshake
 * @param window             most PUBLISHes in flight at once, 1..4095
 * @param reconnectDelays    reconnect schedule; the last step repeats
 * @param refusalDelay       wait after the server refused the connection
 * @param jitter             relative jitter of each delay, 0 to below 1
 */
public record ClientSettings(List<ServerAddress> servers, String applicationVersion, Duration keepalive,
        Duration connectTimeout, Duration handshakeTimeout, int window, List<Duration> reconnectDelays,
        Duration refusalDelay, double jitter) {
    public ClientSettings {
        servers = List.copyOf(servers);
        Objects.requireNonNull(applicationVersion, "applicationVersion");
        Objects.requireNonNull(keepalive, "keepalive");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        reconnectDelays = List.copyOf(reconnectDelays);
        Objects.requireNonNull(refusalDelay, "refusalDelay");
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one server address is needed");
        }
        if (new HashSet<>(servers).size() != servers.size()) {
            throw new IllegalArgumentException("a server address is listed twice: " + ServerAddress.describe(servers));
        }
        if (window < 1 || window > Limits.MAX_WINDOW) {
            throw new IllegalArgumentException("window must be between 1 and 4095, got " + window);
        }
    }

    /** One server, {@code host:port}. */
    public ClientSettings(String host, int port, String applicationVersion, Duration keepalive,
            Duration connectTimeout, Duration handshakeTimeout, int window, List<Duration> reconnectDelays,
            Duration refusalDelay, double jitter) {
        this(List.of(new ServerAddress(host, port)), applicationVersion, keepalive, connectTimeout, handshakeTimeout,
                window, reconnectDelays, refusalDelay, jitter);
    }

    /** The host of the first server. */
    public String host() {
        return servers.get(0).host();
    }

    /** The port of the first server. */
    public int port() {
        return servers.get(0).port();
    }

    /** The original's behaviour: keepalive 60 s, its reconnect schedule, the largest window. */
    public static ClientSettings defaults(String host, int port) {
        return new ClientSettings(host, port, "1.0.0", Duration.ofSeconds(60), Duration.ofSeconds(10),
                Duration.ofSeconds(10), Limits.MAX_WINDOW, ReconnectSchedule.DEFAULT_DELAYS,
                ReconnectSchedule.DEFAULT_REFUSAL_DELAY, ReconnectSchedule.DEFAULT_JITTER);
    }

    /** These settings with {@code addresses} as the servers, tried in that order. */
    public ClientSettings withServers(List<ServerAddress> addresses) {
        return new ClientSettings(addresses, applicationVersion, keepalive, connectTimeout, handshakeTimeout, window,
                reconnectDelays, refusalDelay, jitter);
    }

    public ClientSettings withKeepalive(Duration interval) {
        return new ClientSettings(servers, applicationVersion, interval, connectTimeout, handshakeTimeout, window,
                reconnectDelays, refusalDelay, jitter);
    }

    public ClientSettings withReconnect(List<Duration> delays, Duration refusal) {
        return new ClientSettings(servers, applicationVersion, keepalive, connectTimeout, handshakeTimeout, window,
                delays, refusal, jitter);
    }

    public ClientSettings withApplicationVersion(String version) {
        return new ClientSettings(servers, version, keepalive, connectTimeout, handshakeTimeout, window,
                reconnectDelays, refusalDelay, jitter);
    }

    public ClientSettings withWindow(int newWindow) {
        return new ClientSettings(servers, applicationVersion, keepalive, connectTimeout, handshakeTimeout,
                newWindow, reconnectDelays, refusalDelay, jitter);
    }
}
