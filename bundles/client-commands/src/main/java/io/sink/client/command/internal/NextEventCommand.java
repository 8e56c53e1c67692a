package io.sink.client.command.internal;

import org.apache.felix.service.command.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code sink:next-event}: the first event not yet acknowledged. */
@Component(service = Function.class, property = {"osgi.command.scope=sink", "osgi.command.function=next-event"})
public final class NextEventCommand extends HyphenatedCommand {
    private final SinkCommands commands;

    @Activate
    public NextEventCommand(@Reference SinkCommands commands) {
        super("next-event", SinkCommands::nextEvent);
        this.commands = commands;
    }

    @Override
    SinkCommands commands() {
        return commands;
    }
}
