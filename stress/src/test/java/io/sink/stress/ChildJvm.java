package io.sink.stress;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A main class of this module run in its own JVM, driven by a line protocol: commands go to its
 * standard input, answers come from its standard output (read by one owned thread), its standard
 * error goes to a file. {@link #close()} asks it to quit, then destroys it if it does not.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;
    private final Path stderr;
    private final String name;

    private ChildJvm(String name, Process process, Path stderr) {
        this.name = name;
        this.process = process;
        this.stderr = stderr;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.reader = new Thread(this::readOutput, "child-" + name + "-stdout");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Starts {@code mainClass} with the module's class path, the JVM options and the arguments. */
    static ChildJvm start(String name, List<String> jvmOptions, String mainClass, List<String> arguments,
            Path stderr) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Stress.javaCommand());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(Stress.childClassPath());
        command.add(mainClass);
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
        return new ChildJvm(name, builder.start(), stderr);
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path stderr() {
        return stderr;
    }

    /** Sends one command line. */
    void send(String line) throws IOException {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
    }

    /** The next output line that starts with {@code prefix} (others are skipped), or fails after {@code timeout}. */
    String expect(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError(name + " printed no line starting with '" + prefix + "' within "
                        + timeout.toMillis() + " ms (alive: " + process.isAlive() + "; its stderr is in " + stderr + ")");
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** Sends a command and returns its answer: the next line starting with {@code answerPrefix}. */
    String ask(String command, String answerPrefix, Duration timeout) throws IOException, InterruptedException {
        send(command);
        return expect(answerPrefix, timeout);
    }

    /** Sends {@code quit}, waits up to 15 s, then kills the process; waits for the reader thread. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                send("quit");
                stdin.close();
            }
        } catch (IOException e) {
            // the process is gone or going; destroyed below if not
        }
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(15, TimeUnit.SECONDS);
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
