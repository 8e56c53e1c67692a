package io.sink.server.commands.internal;

import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.SinkServer;
import io.sink.api.text.CommandUsage;
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
 * Parameters are {@code String}s parsed by {@link CommandUsage}, and each function has a catch-all
 * {@code String...} overload that Gogo calls when the arguments fit no other signature: bad or
 * missing arguments are refused with what was typed and the command's usage.
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
    static final CommandUsage CONNECTED = new CommandUsage("sink:connected <client-id>");
    static final CommandUsage CLIENTS = new CommandUsage("sink:clients");
    static final CommandUsage FRESHNESS = new CommandUsage("sink:freshness <client-id>");
    static final CommandUsage EVENTS = new CommandUsage("sink:events <client-id> [count 1.."
            + ServerCommandsLogic.MAX_EVENTS + "]");
    static final CommandUsage QUARANTINE = new CommandUsage("sink:quarantine <client-id> <machine> <human>");
    static final CommandUsage UNQUARANTINE = new CommandUsage("sink:unquarantine <client-id>");
    static final CommandUsage FORGET = new CommandUsage("sink:forget <client-id>");

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

    /** For SCR. */
    public ServerCommands() {
    }

    /** For tests: the services given. */
    ServerCommands(SinkServer server, ClientAdministration administration, ReceivedEventStore store) {
        this.server = server;
        this.administration = administration;
        this.store = store;
    }

    @Descriptor("Whether a client is connected now (its handshake succeeded)")
    public boolean connected(@Descriptor("the client id, e.g. example-client") String clientId) {
        return logic.connected(CONNECTED.text("client id", clientId));
    }

    @Descriptor("(wrong or missing arguments: shows the usage of sink:connected)")
    public boolean connected(@Descriptor("the arguments given") String... arguments) {
        throw CONNECTED.wrongArguments((Object[]) arguments);
    }

    @Descriptor("The clients connected now: since when, from where, instance ids and connection counters")
    public String clients() {
        return logic.clients();
    }

    @Descriptor("(wrong arguments: shows the usage of sink:clients)")
    public String clients(@Descriptor("the arguments given, which must be none") String... arguments) {
        throw CLIENTS.wrongArguments((Object[]) arguments);
    }

    @Descriptor("For each event type, the latest timestamp of an event ACKed from a client since the server started")
    public String freshness(@Descriptor("the client id") String clientId) {
        return logic.freshness(FRESHNESS.text("client id", clientId));
    }

    @Descriptor("(wrong or missing arguments: shows the usage of sink:freshness)")
    public String freshness(@Descriptor("the arguments given") String... arguments) {
        throw FRESHNESS.wrongArguments((Object[]) arguments);
    }

    @Descriptor("The latest 10 events stored from a client, newest first; sensor readings decoded")
    public String events(@Descriptor("the client id") String clientId) {
        return logic.events(EVENTS.text("client id", clientId), ServerCommandsLogic.DEFAULT_EVENTS);
    }

    @Descriptor("The latest events stored from a client, newest first; sensor readings decoded")
    public String events(@Descriptor("the client id") String clientId,
            @Descriptor("how many, 1 to 1000") String count) {
        return logic.events(EVENTS.text("client id", clientId),
                EVENTS.wholeNumber("count", count, 1, ServerCommandsLogic.MAX_EVENTS, ""));
    }

    @Descriptor("(wrong or missing arguments: shows the usage of sink:events)")
    public String events(@Descriptor("the arguments given") String... arguments) {
        throw EVENTS.wrongArguments((Object[]) arguments);
    }

    @Descriptor("Quarantines a client: its live connection is closed and its handshakes are answered"
            + " quarantined with this reason until unquarantined")
    public String quarantine(@Descriptor("the client id") String clientId,
            @Descriptor("machine message for programs, e.g. stolen") String machine,
            @Descriptor("human message, e.g. \"reported stolen\"") String human) throws IOException {
        return logic.quarantine(QUARANTINE.text("client id", clientId), machine, human);
    }

    @Descriptor("(wrong or missing arguments: shows the usage of sink:quarantine)")
    public String quarantine(@Descriptor("the arguments given") String... arguments) {
        throw QUARANTINE.wrongArguments((Object[]) arguments);
    }

    @Descriptor("Lifts a client's quarantine")
    public String unquarantine(@Descriptor("the client id") String clientId) throws IOException {
        return logic.unquarantine(UNQUARANTINE.text("client id", clientId));
    }

    @Descriptor("(wrong or missing arguments: shows the usage of sink:unquarantine)")
    public String unquarantine(@Descriptor("the arguments given") String... arguments) {
        throw UNQUARANTINE.wrongArguments((Object[]) arguments);
    }

    @Descriptor("Forgets the client instance id remembered for a client, so that a re-imaged device is greeted"
            + " as new; a device that kept its history is refused with instance_id_mismatch afterwards")
    public String forget(@Descriptor("the client id") String clientId) throws IOException {
        return logic.forget(FORGET.text("client id", clientId));
    }

    @Descriptor("(wrong or missing arguments: shows the usage of sink:forget)")
    public String forget(@Descriptor("the arguments given") String... arguments) {
        throw FORGET.wrongArguments((Object[]) arguments);
    }
}
