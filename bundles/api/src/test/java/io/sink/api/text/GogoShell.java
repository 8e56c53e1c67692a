package io.sink.api.text;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;

/**
 * A real Gogo runtime over command objects, for the command bundles' tests: what Gogo makes of a
 * typed line (which overload it picks, how it converts) is what the operator gets.
 */
public final class GogoShell implements AutoCloseable {
    private final ThreadIOImpl threadIo = new ThreadIOImpl();
    private final CommandProcessorImpl processor;

    /** A shell with every public method of each object a function of {@code scope}. */
    public GogoShell(String scope, Object... commands) {
        threadIo.start();
        processor = new CommandProcessorImpl(threadIo);
        for (Object c : commands) {
            processor.addCommand(scope, c);
        }
    }

    /** Adds a function under an explicit name, e.g. a hyphenated one. */
    public GogoShell with(String scope, String name, Object function) {
        processor.addCommand(scope, function, name);
        return this;
    }

    /**
     * What {@code bin/sink <role> exec} shows for {@code line}: the result as Gogo formats it, or
     * {@code gogo: <exception>: <message>} when the command fails.
     */
    public String run(String line) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(InputStream.nullInputStream(), out, out)) {
            Object result = session.execute(line);
            if (result != null) {
                out.print(session.format(result, Converter.INSPECT));
            }
        } catch (Exception e) {
            out.print("gogo: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        out.flush();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        processor.stop();
        threadIo.stop();
    }
}
