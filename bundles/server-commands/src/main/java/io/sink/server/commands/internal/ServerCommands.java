package io.sink.server.commands.internal;

import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.SinkServer;
import io.sink.server.auth.ClientAdministration;
import java.io.IOException;
import java.time.Clock;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The Sink server's Gogo commands, scope {@code sink}: thin adapters over {@link SinkServer},
 * {@link ClientAdministration} and {@link ReceivedEventStore} (each optional and dynamic: a command
 * whose service is missing says so). What they do and print is in {@link ServerCommandsLogic}.
 */
@Component(service = ServerCommands.class, property = {
    "osgi.command.scope=sink",
    "osgi.command.function=connected",
    "osgi.command.function=clients",
    "osgi.command.function=freshness",
    "osgi.command.function=events",
    "osgi.command.function=quarantine",
    "osgi.command.function=unquarantine",
    "osgi.command.function=forget"})
@Descriptor("Sink server: connected clients, freshness, stored events, quarantine and registry")
public final class ServerCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SinkServer server;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClientAdministration administration;

    /** The store; choose one with {@code store.target}, e.g. {@code (sink.store.type=sqlite)}. */
    @Reference(name = "store", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ReceivedEventStore store;

    private final ServerCommandsLogic logic =
            new ServerCommandsLogic(() -> server, () -> administration, () -> store, Clock.systemUTC());

    @Descriptor("Whether a client is connected now (its handshake succeeded)")
    public boolean connected(@Descriptor("the client id, e.g. example-client") String clientId) {
        return logic.connected(clientId);
    }

    @Descriptor("The clients connected now: since when, from where, instance ids and connection counters")
    public String clients() {
        return logic.clients();
    }

    @Descriptor("For each event type, the latest timestamp of an event ACKed from a client since the server started")
    public String freshness(@Descriptor("the client id") String clientId) {
        return logic.freshness(clientId);
    }

    @Descriptor("The latest 10 events stored from a client, newest first; sensor readings decoded")
    public String events(@Descriptor("the client id") String clientId) {
        return logic.events(clientId, ServerCommandsLogic.DEFAULT_EVENTS);
    }

    @Descriptor("The latest events stored from a client, newest first; sensor readings decoded")
    public String events(@Descriptor("the client id") String clientId,
            @Descriptor("how many, 1 to 1000") int count) {
        return logic.events(clientId, count);
    }

    @Descriptor("Quarantines a client: its live connection is closed and its handshakes are answered"
            + " quarantined with this reason until unquarantined")
    public String quarantine(@Descriptor("the client id") String clientId,
            @Descriptor("machine message for programs, e.g. stolen") String machine,
            @Descriptor("human message, e.g. \"reported stolen\"") String human) throws IOException {
        return logic.quarantine(clientId, machine, human);
    }

    @Descriptor("Lifts a client's quarantine")
    public String unquarantine(@Descriptor("the client id") String clientId) throws IOException {
        return logic.unquarantine(clientId);
    }

    @Descriptor("Forgets the client instance id remembered for a client, so that a re-imaged device is greeted"
            + " as new; a device that kept its history is refused with instance_id_mismatch afterwards")
    public String forget(@Descriptor("the client id") String clientId) throws IOException {
        return logic.forget(clientId);
    }
}
