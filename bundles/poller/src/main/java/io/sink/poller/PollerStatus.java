package io.sink.poller;

import io.sink.api.client.ClientInstanceIds;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of the poller.
 *
 * @param connected    whether the client is connected to the server
 * @param server       the server the client connects to, or {@code none} without a client
 * @param problem      why the client is not connected, when it is not and the client can tell: the
 *                     server's refusal (quarantined with the server's reason, instance_id_mismatch,
 *                     unsupported application version) or the last connection error
 * @param instanceIds  the client's instance ids, when the instance id store could give them
 * @param eventLog     the event log read from (its {@code sink.store.type}), or {@code none}
 * @param window       most events in flight at once
 * @param inFlight     events in flight now
 * @param streams      the streams
 * @param published    PUBLISHes sent since the poller started
 * @param acked        ACKs received
 * @param nacked       NACKs received
 * @param failed       publishes that failed (connection lost before the answer, or not connected)
 * @param ackWrites    acknowledge() calls on the log (each records a batch of ACKs)
 */
public record PollerStatus(boolean connected, String server, Optional<String> problem,
        Optional<ClientInstanceIds> instanceIds,
        String eventLog, int window, int inFlight, List<StreamStatus> streams, long published, long acked,
        long nacked, long failed, long ackWrites) {
    public PollerStatus {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(instanceIds, "instanceIds");
        Objects.requireNonNull(eventLog, "eventLog");
        streams = List.copyOf(streams);
    }

    /**
     * This status with the connection described by who knows it (the client service).
     *
     * @since 1.1
     */
    public PollerStatus withConnection(boolean connected, String server, Optional<String> problem) {
        return new PollerStatus(connected, server, problem, instanceIds, eventLog, window, inFlight, streams,
                published, acked, nacked, failed, ackWrites);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append("connected      ").append(connected);
        problem.filter(p -> !connected).ifPresent(p -> b.append(" (").append(p).append(')'));
        b.append('\n');
        b.append("server         ").append(server).append('\n');
        b.append("instance ids   ").append(instanceIds.map(ids -> "client " + ids.client() + ", server "
                + ids.server().map(Object::toString).orElse("(not yet known)")).orElse("(unavailable)")).append('\n');
        b.append("event log      ").append(eventLog).append('\n');
        b.append("window         ").append(window).append(" (").append(inFlight).append(" in flight)\n");
        b.append("published      ").append(published).append(", acked ").append(acked).append(", nacked ")
                .append(nacked).append(", failed ").append(failed).append(", ack writes ").append(ackWrites)
                .append('\n');
        b.append("streams");
        for (StreamStatus s : streams) {
            b.append("\n  ").append(s);
            for (ParkedEvent p : s.parkedOn()) {
                b.append("\n    ").append(p);
            }
        }
        return b.toString();
    }
}
