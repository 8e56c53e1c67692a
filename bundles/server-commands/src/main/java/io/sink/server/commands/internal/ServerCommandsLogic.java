package io.sink.server.commands.internal;

import io.sink.api.ConnectionStats;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.server.ConnectedClient;
import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.ReceivedEventStore.StoredEvent;
import io.sink.api.server.SinkServer;
import io.sink.api.text.Printable;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.reading.log.EventFormat;
import io.sink.server.auth.ClientAdministration;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * What the {@code sink:} server commands do and print, without OSGi or Gogo: each method takes the
 * command's arguments and returns the text (or value) the shell shows. The services are those of the
 * moment (null when there is none); a command that needs a missing one fails with an
 * {@link IllegalStateException} saying which.
 */
final class ServerCommandsLogic {
    /** Events shown by {@code sink:events} when no count is given. */
    static final int DEFAULT_EVENTS = 10;
    /** Most events {@code sink:events} shows. */
    static final int MAX_EVENTS = 1000;

    private final Supplier<SinkServer> server;
    private final Supplier<ClientAdministration> administration;
    private final Supplier<ReceivedEventStore> store;
    private final Clock clock;

    ServerCommandsLogic(Supplier<SinkServer> server, Supplier<ClientAdministration> administration,
            Supplier<ReceivedEventStore> store, Clock clock) {
        this.server = Objects.requireNonNull(server, "server");
        this.administration = Objects.requireNonNull(administration, "administration");
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    private SinkServer server() {
        SinkServer s = server.get();
        if (s == null) {
            throw new IllegalStateException("no Sink server runs here (configure PID io.sink.transport.server)");
        }
        return s;
    }

    private ClientAdministration administration() {
        ClientAdministration a = administration.get();
        if (a == null) {
            throw new IllegalStateException("no client registry runs here (bundle io.sink.server-auth)");
        }
        return a;
    }

    private ReceivedEventStore store() {
        ReceivedEventStore s = store.get();
        if (s == null) {
            throw new IllegalStateException("no received-event store runs here (e.g. bundle io.sink.server-store)");
        }
        return s;
    }

    private static String requireClientId(String clientId) {
        if (clientId == null || clientId.isBlank()) {
            throw new IllegalArgumentException("a client id is needed, e.g. example-client");
        }
        return clientId.trim();
    }

    // ------------------------------------------------------------------ status

    boolean connected(String clientId) {
        return server().connected(requireClientId(clientId));
    }

    String clients() {
        List<ConnectedClient> clients = server().connectedClients();
        Instant now = clock.instant();
        StringBuilder out = new StringBuilder();
        out.append(clients.size()).append(clients.size() == 1 ? " client" : " clients").append(" connected");
        server().listenAddress().ifPresent(a -> out.append(" to ").append(a));
        for (ConnectedClient c : clients) {
            ConnectionStats s = c.stats();
            out.append('\n').append(Printable.text(c.clientId()));
            if (s != null && s.connectedSince() != null) {
                out.append(" since ").append(s.connectedSince().truncatedTo(ChronoUnit.SECONDS))
                        .append(" (").append(duration(Duration.between(s.connectedSince(), now))).append(')');
            }
            if (s != null && s.peer() != null) {
                out.append(" from ").append(Printable.text(s.peer()));
            }
            out.append(", application ").append(Printable.text(c.applicationVersion()));
            out.append(", client instance id ").append(c.clientInstanceId());
            out.append(", server instance id ")
                    .append(c.serverInstanceId().map(InstanceId::toString).orElse("none (new client)"));
            if (s != null) {
                out.append("\n    frames in ").append(s.framesIn()).append(" out ").append(s.framesOut())
                        .append(", bytes in ").append(s.bytesIn()).append(" out ").append(s.bytesOut())
                        .append(", in flight ").append(s.inFlight())
                        .append(", ACKs received ").append(s.acksReceived())
                        .append(", NACKs received ").append(s.nacksReceived())
                        .append(" sent ").append(s.nacksSent())
                        .append(", pings ").append(s.pingsSent()).append(" pongs ").append(s.pongsReceived());
            }
        }
        return out.toString();
    }

    /** {@code 2h 3m 4s}, {@code 3m 4s}, {@code 4s}. */
    static String duration(Duration d) {
        long seconds = Math.max(0, d.getSeconds());
        long days = seconds / 86_400;
        long hours = seconds / 3600 % 24;
        long minutes = seconds / 60 % 60;
        long secs = seconds % 60;
        if (days > 0) {
            return days + "d " + hours + "h " + minutes + "m";
        }
        if (hours > 0) {
            return hours + "h " + minutes + "m " + secs + "s";
        }
        return minutes > 0 ? minutes + "m " + secs + "s" : secs + "s";
    }

    String freshness(String clientId) {
        String id = requireClientId(clientId);
        SinkServer s = server();
        Map<Long, Long> latest = new TreeMap<>(Long::compareUnsigned);
        latest.putAll(s.freshness(id));
        StringBuilder out = new StringBuilder(Printable.text(id)).append(s.connected(id) ? " (connected)" : " (not connected)");
        if (latest.isEmpty()) {
            return out.append(": no event ACKed since this server started").toString();
        }
        out.append(": latest timestamp ACKed per event type since this server started");
        latest.forEach((type, timestamp) -> {
            out.append("\n  event type ").append(Long.toUnsignedString(type)).append(": ").append(timestamp);
            if (type == SensorReadingCodec.EVENT_TYPE_ID && timestamp <= Instant.MAX.getEpochSecond()) {
                // the example's readings carry Unix seconds
                Instant at = Instant.ofEpochSecond(timestamp);
                out.append(" (").append(at).append(", ").append(duration(Duration.between(at, clock.instant())))
                        .append(" ago)");
            }
        });
        return out.toString();
    }

    String events(String clientId, int count) {
        String id = requireClientId(clientId);
        if (count < 1 || count > MAX_EVENTS) {
            throw new IllegalArgumentException("count must be between 1 and " + MAX_EVENTS + ", got " + count);
        }
        ReceivedEventStore s = store();
        long total = s.count(id);
        List<StoredEvent> latest = s.latest(id, count);
        StringBuilder out = new StringBuilder(Printable.text(id)).append(": ").append(total).append(total == 1 ? " event" : " events")
                .append(" stored");
        if (latest.isEmpty()) {
            return out.toString();
        }
        out.append(latest.size() < total ? ", the latest " + latest.size() : "").append(", newest first:");
        for (StoredEvent e : latest) {
            out.append('\n').append(e.receivedAt().truncatedTo(ChronoUnit.MILLIS)).append("  ").append(describe(e.event()));
        }
        return out.toString();
    }

    private static String describe(Event event) {
        return EventFormat.describe(event);
    }

    // ------------------------------------------------------------------ operator

    String quarantine(String clientId, String machine, String human) throws IOException {
        return administration().quarantine(requireClientId(clientId), Objects.requireNonNull(machine, "machine"),
                Objects.requireNonNull(human, "human"));
    }

    String unquarantine(String clientId) throws IOException {
        return administration().unquarantine(requireClientId(clientId));
    }

    String forget(String clientId) throws IOException {
        String id = requireClientId(clientId);
        String done = administration().forget(id);
        SinkServer s = server.get();
        if (s != null && s.connected(id)) {
            return done + "; its live connection stays up: when it reconnects, a device that kept its history is"
                    + " refused with instance_id_mismatch, a re-imaged one is greeted as a new client";
        }
        return done;
    }
}
