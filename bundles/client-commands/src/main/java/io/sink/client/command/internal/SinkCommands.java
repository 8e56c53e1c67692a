package io.sink.client.command.internal;

import io.sink.api.Event;
import io.sink.api.client.GroundEventLog;
import io.sink.api.client.SinkClient;
import io.sink.api.text.CommandUsage;
import io.sink.api.text.Printable;
import io.sink.poller.ParkedEvent;
import io.sink.poller.PollerService;
import io.sink.poller.PollerStatus;
import java.util.List;
import java.util.Optional;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Gogo commands of the Sink client, scope {@code sink}: thin adapters that return values for the
 * shell to print. Gogo finds a function by method name without case, so {@code sink:queuesize} and
 * {@code sink:nextevent} reach {@link #queueSize()} and {@link #nextEvent()}; the hyphenated names
 * {@code sink:queue-size} and {@code sink:next-event} are {@link HyphenatedCommand}s delegating here.
 * Every function has a catch-all {@code String...} overload that Gogo calls when the arguments fit no
 * other signature: it refuses them with the command's usage ({@link CommandUsage}).
 */
@Component(service = SinkCommands.class, configurationPid = SinkCommands.PID, property = {
        "osgi.command.scope=sink", "osgi.command.function=connected", "osgi.command.function=queuesize",
        "osgi.command.function=nextevent", "osgi.command.function=status", "osgi.command.function=nacks",
        "osgi.command.function=resume"})
@Designate(ocd = SinkCommands.Config.class)
public final class SinkCommands {
    /** Configuration PID (optional). */
    public static final String PID = "io.sink.client.commands";
    private static final CommandUsage CONNECTED = new CommandUsage("sink:connected");
    private static final CommandUsage RESUME = new CommandUsage("sink:resume <stream>");
    /** The event log read when no configuration says otherwise: any store. */
    public static final String DEFAULT_EVENT_LOG_TARGET = "(" + GroundEventLog.STORE_TYPE + "=*)";

    @ObjectClassDefinition(name = "Sink client commands", description = "Gogo commands sink:*.")
    public @interface Config {
        @AttributeDefinition(name = "Event log target", description = "Filter choosing the event log that "
                + "sink:queue-size and sink:next-event read; keep it equal to the poller's.")
        String eventLog_target() default DEFAULT_EVENT_LOG_TARGET;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SinkClient client;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = DEFAULT_EVENT_LOG_TARGET)
    private volatile GroundEventLog eventLog;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile PollerService poller;

    /** For SCR. */
    public SinkCommands() {
    }

    /** For tests: the services given. */
    SinkCommands(SinkClient client, GroundEventLog eventLog, PollerService poller) {
        this.client = client;
        this.eventLog = eventLog;
        this.poller = poller;
    }

    @Activate
    @Modified
    void configure(Config config) {
        try {
            FrameworkUtil.createFilter(config.eventLog_target());
        } catch (InvalidSyntaxException | NullPointerException e) {
            throw new IllegalArgumentException("configuration " + PID + ": eventLog.target is not a valid filter: "
                    + Printable.quoted(config.eventLog_target()), e);
        }
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
        return poller().status();
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

    private GroundEventLog log() {
        GroundEventLog log = eventLog;
        if (log == null) {
            throw new IllegalStateException("no event log is available");
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
