package io.sink.client.command.internal;

import io.sink.api.text.CommandUsage;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;

/**
 * A Gogo command whose name is not a Java method name ({@code queue-size}): Gogo calls a
 * {@link org.apache.felix.service.command.Function} service whatever its function name, so each
 * such name is one of these, delegating to {@link SinkCommands}.
 */
abstract class HyphenatedCommand implements org.apache.felix.service.command.Function {
    private final String name;
    private final Function<SinkCommands, Object> call;

    HyphenatedCommand(String name, Function<SinkCommands, Object> call) {
        this.name = Objects.requireNonNull(name, "name");
        this.call = Objects.requireNonNull(call, "call");
    }

    /** The commands to delegate to, from the component's reference. */
    abstract SinkCommands commands();

    @Override
    @Descriptor("runs the command; it takes no arguments")
    public Object execute(@Descriptor("the shell session") CommandSession session,
            @Descriptor("the arguments, which must be none") List<Object> arguments) {
        if (arguments != null && !arguments.isEmpty()) {
            throw new CommandUsage("sink:" + name).wrongArguments(arguments.toArray());
        }
        return call.apply(commands());
    }
}
