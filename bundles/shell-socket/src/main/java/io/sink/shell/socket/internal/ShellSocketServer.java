package io.sink.shell.socket.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.sink.shell.socket.internal.CommandRunner.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on an owner-only Unix domain socket and runs one command per connection (see {@link Wire}).
 *
 * <p>Nothing waits without a limit: the request must arrive within {@code requestTimeout}, the
 * command is interrupted after {@code commandTimeout} (the answer then says so), and the answer must
 * be taken within {@code answerTimeout}; a connection that overstays a limit is closed. At most
 * {@code maxCommands} commands run at once (a command that ignores the interrupt still counts);
 * further requests are refused as busy. Peers running as another user are refused.
 */
final class ShellSocketServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShellSocketServer.class);
    private static final int BACKLOG = 16;
    private static final int QUEUED_CONNECTIONS = 16;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    /**
     * @param socket         the socket file; its directory is made owner-only
     * @param requestTimeout longest wait for a complete request
     * @param commandTimeout longest run of a command
     * @param answerTimeout  longest wait for the client to take the answer
     * @param maxCommands    most commands running at once
     */
    record Settings(Path socket, Duration requestTimeout, Duration commandTimeout, Duration answerTimeout,
            int maxCommands) {
        Settings {
            Objects.requireNonNull(socket, "socket");
            if (socket.getParent() == null) {
                throw new IllegalArgumentException("the socket path " + socket + " has no directory");
            }
            positive("requestTimeout", requestTimeout);
            positive("commandTimeout", commandTimeout);
            positive("answerTimeout", answerTimeout);
            if (maxCommands < 1) {
                throw new IllegalArgumentException("maxCommands must be at least 1, got " + maxCommands);
            }
        }

        private static void positive(String name, Duration value) {
            if (value == null || value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
        }
    }

    private final Settings settings;
    private final CommandRunner runner;
    private final ServerSocketChannel channel;
    private final Object socketFileKey;
    private final UserPrincipal owner;
    private final ExecutorService acceptor;
    private final ThreadPoolExecutor connections;
    private final ThreadPoolExecutor commands;
    private final ScheduledExecutorService watchdog;
    private volatile boolean closed;

    private ShellSocketServer(Settings settings, CommandRunner runner, ServerSocketChannel channel,
            Object socketFileKey, UserPrincipal owner) {
        this.settings = settings;
        this.runner = runner;
        this.channel = channel;
        this.socketFileKey = socketFileKey;
        this.owner = owner;
        this.acceptor = Executors.newSingleThreadExecutor(named("sink-shell-socket-accept"));
        // More connection threads than command slots, so that a request beyond the slots is answered
        // "busy" at once instead of waiting in the queue.
        int connectionThreads = settings.maxCommands() + 2;
        this.connections = new ThreadPoolExecutor(connectionThreads, connectionThreads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(QUEUED_CONNECTIONS), named("sink-shell-socket-connection"));
        this.connections.allowCoreThreadTimeOut(true);
        this.commands = new ThreadPoolExecutor(0, settings.maxCommands(), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), named("sink-shell-socket-command"));
        this.watchdog = Executors.newSingleThreadScheduledExecutor(named("sink-shell-socket-watchdog"));
    }

    /**
     * Secures the socket's directory, removes a stale socket file, binds and starts accepting.
     *
     * @throws IOException naming the path when the socket cannot be created safely
     */
    static ShellSocketServer start(Settings settings, CommandRunner runner) throws IOException {
        Path socket = settings.socket().toAbsolutePath().normalize();
        UserPrincipal user = SocketFiles.currentUser();
        SocketFiles.secureDirectory(socket.getParent(), user);
        SocketFiles.removeStaleSocket(socket);
        ServerSocketChannel channel = SocketFiles.bind(socket, BACKLOG);
        Object key;
        try {
            key = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        ShellSocketServer server = new ShellSocketServer(settings, runner, channel, key, user);
        server.acceptor.execute(server::acceptLoop);
        LOG.info("Shell socket listening on {} (owner-only, user {}; commands time out after {} ms)", socket,
                user.getName(), settings.commandTimeout().toMillis());
        return server;
    }

    /** The socket file. */
    Path socket() {
        return settings.socket().toAbsolutePath().normalize();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel client;
            try {
                client = channel.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                LOG.warn("Shell socket: accepting a connection failed", e);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // e.g. out of file descriptors
                continue;
            }
            try {
                connections.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                answerAndClose(client, new byte[0], new Outcome(Wire.REFUSED,
                        "busy: too many connections waiting; try again"));
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client) {
            String problem = peerProblem(client);
            if (problem != null) {
                LOG.warn("Shell socket: refused a connection: {}", problem);
                answer(client, new byte[0], new Outcome(Wire.REFUSED, problem));
                return;
            }
            byte[] request = readRequest(client);
            if (request == null) {
                return;
            }
            if (request.length > Wire.MAX_REQUEST_BYTES) {
                answer(client, new byte[0], new Outcome(Wire.REFUSED,
                        "the command is longer than " + Wire.MAX_REQUEST_BYTES + " bytes"));
                return;
            }
            String command;
            try {
                command = UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(request)).toString();
            } catch (CharacterCodingException e) {
                answer(client, new byte[0], new Outcome(Wire.REFUSED, "the command is not valid UTF-8"));
                return;
            }
            BoundedOutput output = new BoundedOutput(Wire.MAX_OUTPUT_BYTES);
            Outcome outcome = execute(command.strip(), output);
            if (outcome == null) {
                return; // closing down
            }
            answer(client, output.finish(), outcome);
        } catch (IOException e) {
            LOG.debug("Shell socket: connection failed", e);
        }
    }

    /** Runs the command with the command timeout; null when this server is closing. */
    private Outcome execute(String command, BoundedOutput output) {
        long started = System.nanoTime();
        Future<Outcome> run;
        try {
            run = commands.submit(() -> runner.run(command, output));
        } catch (RejectedExecutionException e) {
            return closed ? null : new Outcome(Wire.REFUSED, "busy: " + settings.maxCommands()
                    + " commands are still running; try again");
        }
        Outcome outcome;
        try {
            outcome = run.get(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            run.cancel(true);
            LOG.warn("Shell socket: '{}' did not finish within {} ms and was interrupted", command,
                    settings.commandTimeout().toMillis());
            outcome = new Outcome(Wire.TIMED_OUT, "the command did not finish within "
                    + settings.commandTimeout().toMillis() + " ms and was interrupted");
        } catch (ExecutionException e) {
            LOG.debug("Shell socket: '{}' failed", command, e.getCause());
            outcome = Outcome.failed(GogoRunner.describe(e.getCause()));
        } catch (InterruptedException e) {
            run.cancel(true);
            Thread.currentThread().interrupt();
            return null;
        }
        LOG.debug("Shell socket: ran '{}' in {} ms: status {} {}", command,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), outcome.status(), outcome.message());
        return outcome;
    }

    /** The peer's user must be the socket's owner; null when it is, else why not. */
    private String peerProblem(SocketChannel client) {
        try {
            jdk.net.UnixDomainPrincipal peer = client.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
            if (!peer.user().equals(owner)) {
                return "the shell socket serves only " + owner.getName() + ", not " + peer.user().getName();
            }
            return null;
        } catch (UnsupportedOperationException | NoClassDefFoundError e) {
            // No SO_PEERCRED on this platform (or jdk.net not wired): the owner-only directory and
            // socket permissions are the protection.
            return null;
        } catch (IOException e) {
            return "cannot tell which user connected: " + e.getMessage();
        }
    }

    /**
     * The request bytes (up to one more than allowed; the rest of a longer one is read and dropped, so
     * that the client gets the answer rather than a reset), or null when none arrived in time.
     */
    private byte[] readRequest(SocketChannel client) throws IOException {
        ScheduledFuture<?> deadline = watchdog.schedule(() -> closeQuietly(client),
                settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            ByteBuffer buffer = ByteBuffer.allocate(Wire.MAX_REQUEST_BYTES + 1);
            int read = 0;
            while (read >= 0 && buffer.hasRemaining()) {
                read = client.read(buffer); // until the client shuts its output down
            }
            ByteBuffer drop = ByteBuffer.allocate(8192);
            while (read >= 0) {
                drop.clear();
                read = client.read(drop);
            }
            return java.util.Arrays.copyOf(buffer.array(), buffer.position());
        } catch (AsynchronousCloseException e) {
            LOG.debug("Shell socket: no complete request within {} ms", settings.requestTimeout().toMillis());
            return null;
        } finally {
            deadline.cancel(false);
        }
    }

    private void answer(SocketChannel client, byte[] output, Outcome outcome) throws IOException {
        ScheduledFuture<?> deadline = watchdog.schedule(() -> closeQuietly(client),
                settings.answerTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            ByteArrayOutputStream all = new ByteArrayOutputStream(output.length + 64);
            all.write(output);
            if (output.length > 0 && output[output.length - 1] != '\n') {
                all.write('\n');
            }
            all.write(Wire.statusLine(outcome.status(), outcome.message()));
            ByteBuffer buffer = ByteBuffer.wrap(all.toByteArray());
            while (buffer.hasRemaining()) {
                client.write(buffer);
            }
            client.shutdownOutput();
        } catch (AsynchronousCloseException e) {
            LOG.debug("Shell socket: the client did not take the answer within {} ms",
                    settings.answerTimeout().toMillis());
        } finally {
            deadline.cancel(false);
        }
    }

    private void answerAndClose(SocketChannel client, byte[] output, Outcome outcome) {
        try (client) {
            answer(client, output, outcome);
        } catch (IOException | RejectedExecutionException e) {
            LOG.debug("Shell socket: could not answer", e);
        }
    }

    private static void closeQuietly(SocketChannel client) {
        try {
            client.close();
        } catch (IOException e) {
            LOG.debug("Shell socket: closing a connection failed", e);
        }
    }

    /** Stops accepting, interrupts running commands, waits for the threads, removes the socket file. */
    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("Shell socket: closing {} failed", socket(), e);
        }
        acceptor.shutdownNow();
        connections.shutdownNow();
        commands.shutdownNow();
        watchdog.shutdownNow();
        boolean interrupted = false;
        for (ExecutorService executor : new ExecutorService[] {acceptor, connections, commands, watchdog}) {
            try {
                if (!executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("Shell socket: a thread did not stop within {} s (a command ignoring interrupts?)",
                            CLOSE_WAIT.toSeconds());
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        removeSocketFile();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Deletes the socket file only if it is still the one this server bound (not a newer instance's). */
    private void removeSocketFile() {
        Path socket = socket();
        try {
            Object key = Files.readAttributes(socket, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (key != null && key.equals(socketFileKey)) {
                Files.deleteIfExists(socket);
            }
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            LOG.warn("Shell socket: could not remove {}", socket, e);
        }
    }

    private static ThreadFactory named(String name) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * The command's output: thread-safe, kept up to a limit (then cut with a note), and closed for
     * good by {@link #finish()} so that a command still running after its timeout cannot add to an
     * answer already sent.
     */
    static final class BoundedOutput extends OutputStream {
        private final int limit;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private boolean cut;
        private boolean finished;

        BoundedOutput(int limit) {
            this.limit = limit;
        }

        @Override
        public synchronized void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            if (finished) {
                return;
            }
            int room = limit - bytes.size();
            if (len > room) {
                cut = true;
                len = Math.max(room, 0);
            }
            bytes.write(b, off, len);
        }

        /** The output so far; later writes are dropped. */
        synchronized byte[] finish() {
            finished = true;
            if (cut) {
                byte[] note = ("\n[output cut at " + limit + " bytes]\n").getBytes(UTF_8);
                bytes.write(note, 0, note.length);
                cut = false;
            }
            return bytes.toByteArray();
        }
    }
}
