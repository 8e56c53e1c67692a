package io.sink.client.command.internal;

import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code sink:queue-size}: the number of events not yet acknowledged. */
@Component(service = Function.class, property = {"osgi.command.scope=sink", "osgi.command.function=queue-size"})
public final class QueueSizeCommand extends HyphenatedCommand {
    private final SinkCommands commands;

    @Activate
    public QueueSizeCommand(@Reference SinkCommands commands) {
        super("queue-size", SinkCommands::queueSize);
        this.commands = commands;
    }

    @Override
    SinkCommands commands() {
        return commands;
    }
}
