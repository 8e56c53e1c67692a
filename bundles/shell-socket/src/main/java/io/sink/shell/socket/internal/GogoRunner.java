package io.sink.shell.socket.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a command line in a fresh Gogo session, as the Gogo console would: what the command prints
 * (System.out and System.err of the executing thread, which Gogo redirects to the session) and its
 * result formatted with {@link CommandSession#format(Object, int)} ({@link Converter#INSPECT}).
 * Standard input is empty: a command that reads it sees the end at once.
 */
final class GogoRunner implements CommandRunner {
    private static final Logger LOG = LoggerFactory.getLogger(GogoRunner.class);

    private final CommandProcessor processor;

    GogoRunner(CommandProcessor processor) {
        this.processor = processor;
    }

    @Override
    public Outcome run(String command, OutputStream out) throws InterruptedException {
        PrintStream print = new PrintStream(out, true, UTF_8);
        try (CommandSession session = processor.createSession(InputStream.nullInputStream(), print, print)) {
            Object result = session.execute(command);
            if (result != null) {
                String text = String.valueOf(session.format(result, Converter.INSPECT));
                print.print(text.endsWith("\n") || text.isEmpty() ? text : text + "\n");
            }
            return Outcome.ok();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            LOG.debug("command failed: {}", command, e);
            return Outcome.failed(describe(e));
        } finally {
            print.flush();
        }
    }

    /** "gogo: CommandNotFoundException: Command not found: foo", as the console prints it. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        return "gogo: " + e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }
}
