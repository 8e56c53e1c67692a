package io.sink.shell.socket.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.shell.socket.internal.CommandRunner.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShellSocketServerTest {
    private static final Duration SHORT = Duration.ofSeconds(1);

    @TempDir
    Path temp;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private Path socket() {
        return temp.resolve("data").resolve("sink.sock");
    }

    private ShellSocketServer start(CommandRunner runner) throws IOException {
        return start(runner, Duration.ofSeconds(10), 4);
    }

    private ShellSocketServer start(CommandRunner runner, Duration commandTimeout, int maxCommands) throws IOException {
        ShellSocketServer server = ShellSocketServer.start(
                new ShellSocketServer.Settings(socket(), SHORT, commandTimeout, SHORT, maxCommands), runner);
        toClose.add(server);
        return server;
    }

    /** Runs the real client; returns exit status, stdout and stderr. */
    private Result exec(String command) {
        return exec(command, Duration.ofSeconds(10));
    }

    private Result exec(String command, Duration timeout) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ExecClient.exec(socket(), command, timeout, new PrintStream(out, true, UTF_8),
                new PrintStream(err, true, UTF_8));
        return new Result(status, out.toString(UTF_8), err.toString(UTF_8));
    }

    record Result(int status, String out, String err) {
    }

    private static void write(java.io.OutputStream out, String text) {
        try {
            out.write(text.getBytes(UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static CommandRunner echo() {
        return (command, out) -> {
            write(out, "ran " + command);
            return Outcome.ok();
        };
    }

    @Test
    void runsACommandAndSendsItsOutputAndStatus() throws IOException {
        start(echo());
        Result result = exec("lb -s");
        assertThat(result.status()).isZero();
        assertThat(result.out()).isEqualTo("ran lb -s\n");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void aFailedCommandGivesItsStatusAndMessageOnStandardError() throws IOException {
        start((command, out) -> {
            write(out, "partial\n");
            return Outcome.failed("gogo: CommandNotFoundException: Command not found: nosuch");
        });
        Result result = exec("nosuch");
        assertThat(result.status()).isEqualTo(Wire.FAILED);
        assertThat(result.out()).isEqualTo("partial\n");
        assertThat(result.err()).isEqualTo("error: gogo: CommandNotFoundException: Command not found: nosuch\n");
    }

    @Test
    void anExceptionFromTheRunnerIsAFailure() throws IOException {
        start((command, out) -> {
            throw new IllegalStateException("broken");
        });
        Result result = exec("x");
        assertThat(result.status()).isEqualTo(Wire.FAILED);
        assertThat(result.err()).contains("IllegalStateException: broken");
    }

    @Test
    void theSocketIsOwnerOnlyInAnOwnerOnlyDirectory() throws IOException {
        start(echo());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket().getParent())))
                .isEqualTo("rwx------");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rwxr-xr-x", "rwxrwxrwx", "rwx-----x", "rwx---r--", "rwxrwx---"})
    void anExistingDirectoryOpenToOthersIsRefusedAndLeftAsItIs(String mode) throws IOException {
        Files.createDirectories(socket().getParent());
        Files.setPosixFilePermissions(socket().getParent(), PosixFilePermissions.fromString(mode));
        assertThatThrownBy(() -> start(echo())).isInstanceOf(IOException.class)
                .hasMessage(socket().getParent() + " is open to other users (" + mode + "): the shell socket must"
                        + " be in a folder only its owner can use. Choose a path in a private folder (configuration"
                        + " io.sink.shell.socket, property path), or make this one private yourself (chmod 700 "
                        + socket().getParent() + ") if nothing else needs it open");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket().getParent())))
                .isEqualTo(mode);
        assertThat(socket()).doesNotExist();
    }

    @Test
    void anExistingPrivateDirectoryIsUsedAsItIs() throws IOException {
        privateDirectory();
        start(echo());
        assertThat(exec("x").status()).isZero();
    }

    /** The socket's folder, created owner-only as bin/sink creates it. */
    private void privateDirectory() throws IOException {
        Files.createDirectories(socket().getParent());
        Files.setPosixFilePermissions(socket().getParent(), PosixFilePermissions.fromString("rwx------"));
    }

    @Test
    void aStaleSocketIsReplaced() throws IOException {
        privateDirectory();
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(socket()));
        }
        assertThat(socket()).exists();
        start(echo());
        assertThat(exec("x").status()).isZero();
    }

    @Test
    void aSecondServerOnTheSameSocketIsRefused() throws IOException {
        start(echo());
        assertThatThrownBy(() -> start(echo())).isInstanceOf(IOException.class)
                .hasMessageContaining("another process is listening on " + socket());
        assertThat(exec("still").out()).isEqualTo("ran still\n");
    }

    @Test
    void somethingElseAtTheSocketPathIsLeftAlone() throws IOException {
        privateDirectory();
        Files.writeString(socket(), "not a socket");
        assertThatThrownBy(() -> start(echo())).isInstanceOf(IOException.class)
                .hasMessageContaining(socket() + " exists and is not a socket");
        assertThat(Files.readString(socket())).isEqualTo("not a socket");
    }

    @Test
    void closingRemovesTheSocketAndTheClientThenReportsNotRunning() throws IOException {
        ShellSocketServer server = start(echo());
        server.close();
        assertThat(socket()).doesNotExist();
        Result result = exec("lb");
        assertThat(result.status()).isEqualTo(ExecClient.NOT_RUNNING);
        assertThat(result.err()).contains("not running");
    }

    @Test
    void aSocketWithNobodyListeningIsReportedAsNotRunning() throws IOException {
        privateDirectory();
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(socket()));
        }
        Result result = exec("lb");
        assertThat(result.status()).isEqualTo(ExecClient.NOT_RUNNING);
        assertThat(result.err()).contains("nothing listens on " + socket());
    }

    @Test
    void aCommandRunningTooLongIsInterruptedAndReported() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        start((command, out) -> {
            write(out, "started\n");
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return Outcome.ok();
        }, Duration.ofMillis(300), 4);
        Result result = exec("sleep");
        assertThat(result.status()).isEqualTo(Wire.TIMED_OUT);
        assertThat(result.out()).isEqualTo("started\n");
        assertThat(result.err()).contains("did not finish within");
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).as("the command thread was interrupted").isTrue();
    }

    @Test
    void tooManyCommandsAtOnceAreRefusedAsBusy() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        start((command, out) -> {
            if (command.equals("block")) {
                running.countDown();
                release.await();
            }
            return Outcome.ok();
        }, Duration.ofSeconds(10), 1);
        Thread blocker = new Thread(() -> exec("block"));
        blocker.start();
        try {
            assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
            Result result = exec("other");
            assertThat(result.status()).isEqualTo(Wire.REFUSED);
            assertThat(result.err()).contains("busy");
        } finally {
            release.countDown();
            blocker.join(10_000);
        }
        assertThat(exec("other").status()).isZero();
    }

    @Test
    void aClientThatSendsNothingIsDisconnected() throws IOException {
        start(echo());
        try (SocketChannel silent = SocketChannel.open(UnixDomainSocketAddress.of(socket()))) {
            long started = System.nanoTime();
            ByteBuffer buffer = ByteBuffer.allocate(100);
            int read = silent.read(buffer); // blocks until the server gives up on the request
            assertThat(read).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
        }
        assertThat(exec("after").status()).isZero();
    }

    @Test
    void oversizedAndMalformedRequestsAreRefused() throws IOException {
        start(echo());
        assertThat(rawExchange(new byte[Wire.MAX_REQUEST_BYTES + 10]))
                .isEqualTo("status: 2 the command is longer than 65536 bytes\n");
        assertThat(rawExchange(new byte[] {'l', (byte) 0xff, 'b'}))
                .isEqualTo("status: 2 the command is not valid UTF-8\n");
    }

    private String rawExchange(byte[] request) throws IOException {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket()))) {
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.shutdownOutput();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(1024);
            while (channel.read(in) >= 0) {
                answer.write(in.array(), 0, in.position());
                in.clear();
            }
            return answer.toString(UTF_8);
        }
    }

    @Test
    void theClientGivesUpWhenNoAnswerComes() throws IOException {
        privateDirectory();
        try (ServerSocketChannel mute = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            mute.bind(UnixDomainSocketAddress.of(socket()));
            long started = System.nanoTime();
            Result result = exec("lb", Duration.ofSeconds(1));
            assertThat(result.status()).isEqualTo(ExecClient.NO_ANSWER);
            assertThat(result.err()).contains("no answer from the instance within 1 s");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void outputIsCutAtTheLimitWithANote() {
        ShellSocketServer.BoundedOutput output = new ShellSocketServer.BoundedOutput(10);
        output.write("0123456".getBytes(UTF_8), 0, 7);
        output.write("789abc".getBytes(UTF_8), 0, 6);
        byte[] first = output.finish();
        output.write('z');
        assertThat(new String(first, UTF_8)).isEqualTo("0123456789\n[output cut at 10 bytes]\n");
        assertThat(output.finish()).isEqualTo(first);
    }

    @Test
    void clientUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, UTF_8);
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, UTF_8);
        assertThat(ExecClient.run(new String[] {"only-socket"}, out, errStream)).isEqualTo(ExecClient.USAGE);
        assertThat(ExecClient.run(new String[] {"--timeout", "0", "s", "lb"}, out, errStream))
                .isEqualTo(ExecClient.USAGE);
        assertThat(err.toString(UTF_8)).contains("usage:").contains("--timeout needs a whole number");
        assertThat(ExecClient.run(new String[] {socket().toString(), "lb"}, out, errStream))
                .isEqualTo(ExecClient.NOT_RUNNING);
    }

    @Test
    void theCommandWordsAreJoined() throws IOException {
        start(echo());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = ExecClient.run(new String[] {"--timeout", "5", socket().toString(), "scr:info", "x"},
                new PrintStream(out, true, UTF_8), new PrintStream(new ByteArrayOutputStream(), true, UTF_8));
        assertThat(status).isZero();
        assertThat(out.toString(UTF_8)).isEqualTo("ran scr:info x\n");
    }
    @Test
    void untilWaitsForTheSocketAndTheExpectedOutput() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(() -> ExecClient.run(
                new String[] {"--timeout", "20", "--until", "32", socket().toString(), "(bundle", "0)", "state"},
                new PrintStream(new ByteArrayOutputStream(), true, UTF_8), new PrintStream(err, true, UTF_8)));
        // no socket yet: the client keeps trying
        assertThatThrownBy(() -> waiting.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        start((command, out) -> {
            write(out, calls.incrementAndGet() < 3 ? "8\n" : "32\n");
            return Outcome.ok();
        });
        assertThat(waiting.get(15, TimeUnit.SECONDS)).as(err.toString(UTF_8)).isZero();
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void untilGivesUpWhenTheProcessEndsOrTheTimeIsUp() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        ended.waitFor();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, UTF_8);
        assertThat(ExecClient.run(new String[] {"--timeout", "20", "--until", "32", "--pid",
            String.valueOf(ended.pid()), socket().toString(), "lb"}, out, new PrintStream(err, true, UTF_8)))
                .isEqualTo(ExecClient.NOT_RUNNING);
        assertThat(err.toString(UTF_8)).contains("has ended");

        start(echo());
        err.reset();
        long started = System.nanoTime();
        // the last attempt may be cut short by the deadline: the answer before it is the one reported
        assertThat(ExecClient.run(new String[] {"--timeout", "2", "--until", "32", "--pid",
            String.valueOf(ProcessHandle.current().pid()), socket().toString(), "lb"}, out,
                new PrintStream(err, true, UTF_8))).isEqualTo(ExecClient.NO_ANSWER);
        assertThat(err.toString(UTF_8)).contains("no answer '32' to 'lb' within 2 s; last: 'ran lb'");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void untilReportsTheLastAnswerNotAnAttemptTheDeadlineCutShort() throws Exception {
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        start((command, out) -> {
            if (calls.getAndIncrement() == 0) {
                write(out, "starting");
                return Outcome.ok();
            }
            Thread.sleep(10_000); // later attempts hang: the deadline cuts the last one short
            return Outcome.ok();
        });
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(ExecClient.run(new String[] {"--timeout", "1", "--until", "running", socket().toString(), "status"},
                new PrintStream(new ByteArrayOutputStream(), true, UTF_8), new PrintStream(err, true, UTF_8)))
                .isEqualTo(ExecClient.NO_ANSWER);
        assertThat(calls.get()).isGreaterThanOrEqualTo(2);
        assertThat(err.toString(UTF_8)).contains("no answer 'running' to 'status' within 1 s; last: 'starting'");
    }
}
