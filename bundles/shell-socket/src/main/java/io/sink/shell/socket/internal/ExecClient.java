package io.sink.shell.socket.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Timer;
import java.util.TimerTask;

/**
 * The client of the shell socket, for {@code bin/sink <role> exec}: sends one command line to a running
 * instance and prints its output, exiting with the command's status. Needs nothing but the JDK:
 *
 * <pre>
 * java -cp sink-shell-socket.jar io.sink.shell.socket.internal.ExecClient [--timeout SECONDS] SOCKET COMMAND...
 * </pre>
 *
 * The command words are joined with spaces. Exit status: 0 success; 1 the command failed; 2 refused by
 * the instance; 3 the command timed out in the instance; 4 the instance is not running (no socket, or
 * nothing listening); 5 no valid answer in time; 64 bad usage.
 *
 * <p>{@code --until OUTPUT [--pid PID]} (a script waiting for a state, e.g. {@code (bundle 0) state}
 * until {@code 32}) waits instead: the command is sent again every {@value #RETRY_MILLIS} ms, also while
 * the socket is not there yet or nobody listens, until it succeeds and prints {@code OUTPUT}
 * (surrounding white space ignored); then the exit status is 0 and nothing is printed. It gives up with
 * 4 when process {@code PID} (the starting instance) has ended, and with 5 after the timeout. One JVM waits, instead of one started for every attempt.
 */
public final class ExecClient {
    public static final int NOT_RUNNING = 4;
    public static final int NO_ANSWER = 5;
    public static final int USAGE = 64;
    /** Default wait for the whole answer: above the instance's default command timeout (60 s). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(75);
    private static final int MAX_ANSWER_BYTES = Wire.MAX_OUTPUT_BYTES + 64 * 1024;
    static final long RETRY_MILLIS = 25;

    private ExecClient() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The command line's work, for {@link #main} and tests: returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Duration timeout = DEFAULT_TIMEOUT;
        int i = 0;
        if (args.length > 1 && args[0].equals("--timeout")) {
            try {
                timeout = Duration.ofSeconds(Long.parseLong(args[1]));
            } catch (NumberFormatException e) {
                timeout = Duration.ZERO;
            }
            if (timeout.isNegative() || timeout.isZero()) {
                err.println("error: --timeout needs a whole number of seconds above 0, got '" + args[1] + "'");
                return USAGE;
            }
            i = 2;
        }
        String until = null;
        Long pid = null;
        if (args.length - i > 1 && args[i].equals("--until")) {
            until = args[i + 1].strip();
            i += 2;
            if (args.length - i > 1 && args[i].equals("--pid")) {
                try {
                    pid = Long.parseLong(args[i + 1]);
                } catch (NumberFormatException e) {
                    err.println("error: --pid needs a process id, got '" + args[i + 1] + "'");
                    return USAGE;
                }
                i += 2;
            }
        }
        if (args.length - i < 2) {
            err.println("usage: java -cp <sink-shell-socket jar> " + ExecClient.class.getName()
                    + " [--timeout SECONDS] [--until OUTPUT [--pid PID]] SOCKET COMMAND...");
            return USAGE;
        }
        Path socket = Path.of(args[i]);
        String command = String.join(" ", Arrays.asList(args).subList(i + 1, args.length));
        if (until != null) {
            return awaitOutput(socket, command, until, pid, timeout, err);
        }
        return exec(socket, command, timeout, out, err);
    }

    /**
     * Sends {@code command} every {@link #RETRY_MILLIS} ms until it succeeds with {@code expected} as
     * its output; see the class comment for the exit status.
     */
    static int awaitOutput(Path socket, String command, String expected, Long pid, Duration timeout,
            PrintStream err) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "the instance did not answer";
        boolean answered = false;
        while (true) {
            if (pid != null && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                err.println("error: the instance (pid " + pid + ") has ended");
                return NOT_RUNNING;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                err.println("error: no answer '" + expected + "' to '" + command + "' within " + timeout.toSeconds()
                        + " s; last: " + last);
                return NO_ANSWER;
            }
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            ByteArrayOutputStream problem = new ByteArrayOutputStream();
            boolean[] timedOut = {false};
            int status = exec(socket, command, Duration.ofNanos(Math.max(left, 1_000_000L)),
                    new PrintStream(output, true, UTF_8), new PrintStream(problem, true, UTF_8), timedOut);
            String answer = output.toString(UTF_8).strip();
            if (status == Wire.OK && answer.equals(expected)) {
                return Wire.OK;
            }
            // an attempt cut short by the deadline tells less than the answer before it: keep that one.
            // Told by the attempt's own timer (its timeout is the time left), not by comparing clocks:
            // java.util.Timer counts whole milliseconds of the wall clock and could fire just before
            // the deadline by System.nanoTime, and the cut-short attempt then replaced the answer
            boolean cutShort;
            synchronized (timedOut) {
                cutShort = status == NO_ANSWER && timedOut[0];
            }
            if (!cutShort || !answered) {
                last = status == Wire.OK ? "'" + answer + "'" : problem.toString(UTF_8).strip();
            }
            answered |= !cutShort;
            try {
                Thread.sleep(RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return NO_ANSWER;
            }
        }
    }

    /** Sends {@code command} over {@code socket}, prints the answer; returns the exit status. */
    static int exec(Path socket, String command, Duration timeout, PrintStream out, PrintStream err) {
        return exec(socket, command, timeout, out, err, new boolean[1]);
    }

    /**
     * As {@link #exec(Path, String, Duration, PrintStream, PrintStream)}; {@code timedOut[0]} is set
     * (under its lock) when the answer did not come within {@code timeout}.
     */
    private static int exec(Path socket, String command, Duration timeout, PrintStream out, PrintStream err,
            boolean[] timedOut) {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            err.println("error: the instance is not running (no socket " + socket + ")");
            return NOT_RUNNING;
        }
        byte[] request = command.getBytes(UTF_8);
        if (request.length > Wire.MAX_REQUEST_BYTES) {
            err.println("error: the command is longer than " + Wire.MAX_REQUEST_BYTES + " bytes");
            return USAGE;
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            err.println("error: cannot open a Unix domain socket: " + e.getMessage());
            return NO_ANSWER;
        }
        Timer timer = new Timer("sink-exec-timeout", true);
        timer.schedule(new TimerTask() {
            @Override
            public void run() {
                synchronized (timedOut) {
                    timedOut[0] = true;
                }
                try {
                    channel.close();
                } catch (IOException e) {
                    // the main thread reports the timeout
                }
            }
        }, timeout.toMillis());
        try (channel) {
            try {
                channel.connect(Wire.address(socket));
            } catch (ConnectException e) {
                err.println("error: the instance is not running (nothing listens on " + socket + ")");
                return NOT_RUNNING;
            } catch (AccessDeniedException e) {
                err.println("error: no permission to use " + socket + ": run as the user that runs Sink");
                return NOT_RUNNING;
            } catch (SocketException e) {
                if (String.valueOf(e.getMessage()).contains("Permission denied")) {
                    err.println("error: no permission to use " + socket + ": run as the user that runs Sink");
                    return NOT_RUNNING;
                }
                throw e;
            }
            ByteBuffer outgoing = ByteBuffer.wrap(request);
            while (outgoing.hasRemaining()) {
                channel.write(outgoing);
            }
            channel.shutdownOutput();
            byte[] answer = readAll(channel);
            Wire.Answer parsed = Wire.parse(answer);
            out.write(parsed.output(), 0, parsed.output().length);
            out.flush();
            if (parsed.status() != Wire.OK) {
                err.println("error: " + (parsed.message().isEmpty() ? "status " + parsed.status() : parsed.message()));
            }
            return parsed.status();
        } catch (AsynchronousCloseException e) {
            synchronized (timedOut) {
                if (timedOut[0]) {
                    err.println("error: no answer from the instance within " + timeout.toSeconds() + " s");
                    return NO_ANSWER;
                }
            }
            err.println("error: the connection to the instance was closed");
            return NO_ANSWER;
        } catch (IOException | IllegalArgumentException e) {
            err.println("error: no valid answer from the instance: " + e.getMessage());
            return NO_ANSWER;
        } finally {
            timer.cancel();
        }
    }

    private static byte[] readAll(SocketChannel channel) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        while (channel.read(buffer) >= 0) {
            buffer.flip();
            all.write(buffer.array(), 0, buffer.limit());
            buffer.clear();
            if (all.size() > MAX_ANSWER_BYTES) {
                throw new IOException("the answer is longer than " + MAX_ANSWER_BYTES + " bytes");
            }
        }
        return all.toByteArray();
    }
}
