package io.sink.stress;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One incarnation of a chaos main ({@code ChaosServer} or {@code ChaosClient}) in its own JVM. Every
 * line of its standard output goes to a consumer, on one owned thread that reads to the end of the
 * stream, so lines printed just before a SIGKILL are still delivered ({@link #kill()} returns only
 * after that thread saw the end). Standard error is appended to a log file shared by the
 * incarnations, after a header line naming this one.
 */
final class ChaosProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Thread reader;
    private final OutputStream stdin;
    private volatile boolean killed;
    private volatile String partialLastLine;
    private volatile Exception readFailure;

    private ChaosProcess(String name, Process process, Consumer<String> lines) {
        this.name = name;
        this.process = process;
        this.stdin = process.getOutputStream();
        this.reader = new Thread(() -> read(lines), name + "-stdout");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    static ChaosProcess start(String name, List<String> jvmOptions, String classPath, String mainClass,
            List<String> arguments, Path stderrLog, Consumer<String> lines) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Stress.javaCommand());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(arguments);
        Files.writeString(stderrLog, "==== " + LocalTime.now() + " " + name + ": " + String.join(" ", arguments)
                + System.lineSeparator(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile())).start();
        return new ChaosProcess(name, process, lines);
    }

    /** Hands on complete lines only: a last line without its newline (cut by a kill) is kept aside. */
    private void read(Consumer<String> lines) {
        try (InputStreamReader in = new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)) {
            char[] buffer = new char[8192];
            StringBuilder line = new StringBuilder();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                for (int i = 0; i < n; i++) {
                    char c = buffer[i];
                    if (c == '\n') {
                        lines.accept(line.toString());
                        line.setLength(0);
                    } else {
                        line.append(c);
                    }
                }
            }
            if (line.length() > 0) {
                partialLastLine = line.toString();
            }
        } catch (IOException | RuntimeException e) {
            readFailure = e; // lines may be lost: awaitEnd fails the test
        }
    }

    /** The end of its output after the last newline, if any (null when it ended with a whole line). */
    String partialLastLine() {
        return partialLastLine;
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Whether it ended without being killed by {@link #kill()}. */
    boolean endedByItself() {
        return !killed && !process.isAlive();
    }

    String exitStatus() {
        return process.isAlive() ? "running" : "exit status " + process.exitValue();
    }

    /**
     * SIGKILL; waits for the process to end and for every line it printed to be read. Through its
     * {@link ProcessHandle}: {@code Process.destroyForcibly()} also closes our end of its standard
     * output, which would throw away the lines still in the pipe.
     */
    void kill() throws InterruptedException {
        killed = true;
        process.toHandle().destroyForcibly();
        awaitEnd(Duration.ofSeconds(30));
    }

    /**
     * Writes one line to its standard input (a command the main understands, e.g. the client's
     * {@code status}); says what became of it, never throws.
     */
    String tell(String command) {
        try {
            stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            return name + " was sent \"" + command + "\"";
        } catch (IOException e) {
            return name + " could not be sent \"" + command + "\": " + e.getMessage();
        }
    }

    /**
     * Closes its standard input (the mains stop in order and exit), waits up to {@code timeout} for
     * it to end and its output to be read; fails if it does not, after killing it.
     */
    void stop(Duration timeout) throws InterruptedException {
        try {
            stdin.close();
        } catch (IOException e) {
            // it ended already: awaitEnd tells
        }
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            throw new AssertionError(name + " did not stop within " + timeout.toMillis()
                    + " ms after its standard input closed; killed");
        }
        awaitEnd(Duration.ofSeconds(30));
    }

    private void awaitEnd(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " (pid " + process.pid() + ") did not end within " + timeout.toMillis()
                    + " ms");
        }
        reader.join(timeout.toMillis());
        if (reader.isAlive()) {
            throw new AssertionError(name + ": its standard output did not reach its end within "
                    + timeout.toMillis() + " ms of its exit");
        }
        if (readFailure != null) {
            throw new AssertionError(name + ": reading its standard output failed; lines may be lost", readFailure);
        }
    }

    /** Kills it if it still runs (for finally blocks); never throws. */
    @Override
    public void close() {
        if (process.isAlive()) {
            killed = true;
            process.toHandle().destroyForcibly();
        }
        try {
            process.waitFor(30, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Writes the threads of the running process ({@code jcmd PID Thread.print}, the JDK's own tool) to
     * {@code file}, for a test that timed out waiting on it; says what became of it, never throws.
     */
    String dumpThreads(Path file) {
        if (!process.isAlive()) {
            return name + " is not running: no thread dump";
        }
        return dumpThreads(name, process.pid(), file);
    }

    /** As {@link #dumpThreads(Path)}, for the JVM {@code pid} (this one too), named {@code name}. */
    static String dumpThreads(String name, long pid, Path file) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print")
                    .redirectErrorStream(true).redirectOutput(file.toFile()).start();
            if (!dump.waitFor(30, TimeUnit.SECONDS)) {
                dump.destroyForcibly();
                return name + ": jcmd Thread.print did not end within 30 s (partial dump in " + file + ")";
            }
            return name + "'s threads in " + file;
        } catch (IOException e) {
            return name + ": no thread dump (" + jcmd + ": " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return name + ": thread dump interrupted";
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ", " + exitStatus() + ")";
    }
}
