package io.sink.transport.client.internal;

import io.sink.transport.internal.state.ReconnectSchedule;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Which server a client tries next, and when.
 *
 * <p>The client tries its servers in turn, starting with the first of the list; after the last
 * comes the first again. Every failure moves to the next server: a connection refused or timed out,
 * a TLS handshake that failed, a refusal by the server, and a connection that dropped after it was
 * up. The failures are counted in <em>rounds</em>: while a round has not tried every server, the
 * next one is tried after the schedule's first step ({@link ReconnectSchedule#firstDelay()},
 * 50 ms by default); a round in which every server failed ends with the schedule's next step
 * ({@link ReconnectSchedule#nextDelay()}: 50 ms, 50 ms, 1 s, 5 s, 30 s, 60 s by default), or with the
 * refusal delay (5 minutes by default) when a server of the round refused this client or a
 * certificate, so that no refusing server is asked again sooner than that. A connection that comes up
 * resets the schedule and starts a new round. With one server this is the schedule as it was: every
 * failure takes the next step, a refusal the refusal delay.
 *
 * <p>Once connected the client stays on its server; it does not move back to the first one of the
 * list.
 *
 * <p>Not thread-safe: used on the client's event loop.
 */
final class Failover {
    private final List<ServerAddress> servers;
    private final ReconnectSchedule schedule;
    private int index;
    private int failedInRound;
    private boolean refusedInRound;

    Failover(List<ServerAddress> servers, ReconnectSchedule schedule) {
        this.servers = List.copyOf(servers);
        if (this.servers.isEmpty()) {
            throw new IllegalArgumentException("at least one server address is needed");
        }
        this.schedule = Objects.requireNonNull(schedule, "schedule");
    }

    /** The server to try next, or the one of the current connection. */
    ServerAddress current() {
        return servers.get(index);
    }

    /**
     * The attempt on {@link #current()} failed, or its connection dropped: moves to the next server.
     *
     * @param refused the server refused this client (or a certificate was refused)
     * @return how long to wait before trying the new {@link #current()}
     */
    Duration failed(boolean refused) {
        index = (index + 1) % servers.size();
        failedInRound++;
        refusedInRound |= refused;
        if (failedInRound < servers.size()) {
            return schedule.firstDelay();
        }
        boolean anyRefused = refusedInRound;
        failedInRound = 0;
        refusedInRound = false;
        return anyRefused ? schedule.refusedDelay() : schedule.nextDelay();
    }

    /** A connection to {@link #current()} came up: the next failure starts a new round and the schedule over. */
    void connected() {
        schedule.reset();
        failedInRound = 0;
        refusedInRound = false;
    }

    List<ServerAddress> servers() {
        return servers;
    }
}
