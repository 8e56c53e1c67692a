package io.sink.shell.socket.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.sink.shell.socket.internal.CommandRunner.Outcome;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against the real Gogo runtime, without a framework. */
class GogoRunnerTest {
    private ThreadIOImpl threadIo;
    private GogoRunner runner;

    /** Gogo commands: public methods of a plain object. */
    public static final class Commands {
        public void hello(String name) {
            System.out.println("hello " + name);
        }

        public List<String> names() {
            return List.of("alpha", "beta");
        }

        public String fail() {
            throw new IllegalStateException("it broke");
        }
    }

    @BeforeEach
    void gogo() {
        threadIo = new ThreadIOImpl();
        threadIo.start();
        CommandProcessorImpl processor = new CommandProcessorImpl(threadIo);
        processor.addCommand("test", new Commands(), "hello");
        processor.addCommand("test", new Commands(), "names");
        processor.addCommand("test", new Commands(), "fail");
        runner = new GogoRunner(processor);
    }

    @AfterEach
    void stop() {
        threadIo.stop();
    }

    private String run(String command, Outcome expected) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Outcome outcome = runner.run(command, out);
        assertThat(outcome).isEqualTo(expected);
        return out.toString(UTF_8);
    }

    @Test
    void whatACommandPrintsIsCaptured() throws InterruptedException {
        assertThat(run("test:hello world", Outcome.ok())).isEqualTo("hello world\n");
        assertThat(run("hello there", Outcome.ok())).isEqualTo("hello there\n");
    }

    @Test
    void aResultIsFormattedAsTheConsoleShowsIt() throws InterruptedException {
        assertThat(run("names", Outcome.ok())).isEqualTo("alpha\nbeta\n");
        assertThat(run("test:hello x; names", Outcome.ok())).isEqualTo("hello x\nalpha\nbeta\n");
    }

    @Test
    void anUnknownCommandFails() throws InterruptedException {
        assertThat(run("nosuch:command", Outcome.failed("gogo: CommandNotFoundException: Command not found: "
                + "nosuch:command"))).isEmpty();
    }

    @Test
    void anExceptionFails() throws InterruptedException {
        assertThat(run("fail", Outcome.failed("gogo: IllegalStateException: it broke"))).isEmpty();
    }

    @Test
    void aSyntaxErrorFails() throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Outcome outcome = runner.run("hello (", out);
        assertThat(outcome.status()).isEqualTo(Wire.FAILED);
        assertThat(outcome.message()).startsWith("gogo: ");
    }
}
