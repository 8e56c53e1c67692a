package io.sink.client.command.internal;

import io.sink.api.Event;
import io.sink.api.client.Outbox;
import io.sink.api.client.SinkClient;
import io.sink.api.text.CommandUsage;
import io.sink.api.text.Printable;
import io.sink.poller.ParkedEvent;
import io.sink.poller.PollerService;
import io.sink.poller.PollerStatus;
import java.util.List;
import java.util.Optional;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Gogo commands of the Sink client, scope {@code sink}: thin adapters that return values for the
 * shell to print. Gogo finds a function by method name without case, so {@code sink:queuesize} and
 * {@code sink:nextevent} reach {@link #queueSize()} and {@link #nextEvent()}; the hyphenated names
 * {@code sink:queue-size} and {@code sink:next-event} are {@link HyphenatedCommand}s delegating here.
 * Every function has a catch-all {@code String...} overload that Gogo calls when the arguments fit no
 * other signature: it refuses them with the command's usage ({@link CommandUsage}).
 */
@Component(service = SinkCommands.class, property = {
        "osgi.command.scope=sink", "osgi.command.function=connected", "osgi.command.function=queuesize",
        "osgi.command.function=nextevent", "osgi.command.function=status", "osgi.command.function=nacks",
        "osgi.command.function=resume"})
public final class SinkCommands {
    private static final CommandUsage CONNECTED = new CommandUsage("sink:connected");
    private static final CommandUsage RESUME = new CommandUsage("sink:resume <stream>");
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SinkClient client;

    /** The client's outbox: it holds the one choice of store, so these commands read what the poller drains. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Outbox eventLog;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PollerService poller;

    /** For SCR. */
    public SinkCommands() {
    }

    /** For tests: the services given. */
    SinkCommands(SinkClient client, Outbox eventLog, PollerService poller) {
        this.client = client;
        this.eventLog = eventLog;
        this.poller = poller;
    }

    @Descriptor("whether the client is connected to the Sink server")
    public boolean connected() {
        SinkClient c = client;
        return c != null && c.connected();
    }

    @Descriptor("(wrong arguments: shows the usage of sink:connected)")
    public boolean connected(@Descriptor("the arguments given, which must be none") String... arguments) {
        throw CONNECTED.wrongArguments((Object[]) arguments);
    }

    @Descriptor("number of events not yet acknowledged by the server (also sink:queue-size)")
    public long queueSize() {
        return log().queueSize();
    }

    @Descriptor("(wrong arguments: shows the usage of sink:queuesize)")
    public long queueSize(@Descriptor("the arguments given, which must be none") String... arguments) {
        throw new CommandUsage("sink:queuesize").wrongArguments((Object[]) arguments);
    }

    @Descriptor("the first event not yet acknowledged, in log order (also sink:next-event)")
    public Object nextEvent() {
        Optional<Event> next = log().nextEvent();
        return next.<Object>map(e -> e).orElse("no unacknowledged event");
    }

    @Descriptor("(wrong arguments: shows the usage of sink:nextevent)")
    public Object nextEvent(@Descriptor("the arguments given, which must be none") String... arguments) {
        throw new CommandUsage("sink:nextevent").wrongArguments((Object[]) arguments);
    }

    @Descriptor("status of the client: connection, server, instance ids, window, in flight, streams, counters")
    public PollerStatus status() {
        PollerStatus status = poller().status();
        SinkClient c = client; // the poller knows the client only while a connection is up
        if (c == null) {
            return status.withConnection(false, "none", Optional.of("no Sink client"));
        }
        boolean up = c.connected();
        return status.withConnection(up, c.server(), up ? Optional.empty() : c.problem());
    }

    @Descriptor("(wrong arguments: shows the usage of sink:status)")
    public PollerStatus status(@Descriptor("the arguments given, which must be none") String... arguments) {
        throw new CommandUsage("sink:status").wrongArguments((Object[]) arguments);
    }

    @Descriptor("the NACKed events that park their streams, with the server's machine and human message")
    public Object nacks() {
        List<ParkedEvent> parked = poller().nacks();
        return parked.isEmpty() ? "no stream is parked" : parked;
    }

    @Descriptor("(wrong arguments: shows the usage of sink:nacks)")
    public Object nacks(@Descriptor("the arguments given, which must be none") String... arguments) {
        throw new CommandUsage("sink:nacks").wrongArguments((Object[]) arguments);
    }

    @Descriptor("resume a stream parked by a NACK: its NACKed events are sent again, then the rest in order")
    public String resume(@Descriptor("stream name, as sink:status lists it") String stream) {
        String name = RESUME.text("stream name", stream);
        String shown = Printable.text(name);
        return poller().resume(name) ? "stream " + shown + " resumed" : "stream " + shown + " is not parked";
    }

    @Descriptor("(wrong or missing arguments: shows the usage of sink:resume)")
    public String resume(@Descriptor("the arguments given") String... arguments) {
        throw RESUME.wrongArguments((Object[]) arguments);
    }

    private Outbox log() {
        Outbox log = eventLog;
        if (log == null) {
            throw new IllegalStateException("no outbox is available");
        }
        return log;
    }

    private PollerService poller() {
        PollerService p = poller;
        if (p == null) {
            throw new IllegalStateException("the poller is not running");
        }
        return p;
    }
}
