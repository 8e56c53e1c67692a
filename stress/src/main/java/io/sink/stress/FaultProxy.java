package io.sink.stress;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP proxy that injects network faults between a client and a server: it listens on
 * 127.0.0.1 (an ephemeral port unless told otherwise) and forwards each accepted connection to a
 * target, byte for byte, until told to break something:
 *
 * <ul>
 * <li>{@link #cutAll()}: reset every open connection now (both ends see a RST), and
 *     {@link #cutRandomly} to do so at random intervals;</li>
 * <li>{@link #stall(Duration)}: stop forwarding in both directions, without closing anything, so
 *     that only keepalive can tell the link is dead;</li>
 * <li>{@link #delay(Duration)}: hold every chunk read for a while before forwarding it;</li>
 * <li>{@link #cutMidChunk(Direction)}: forward only part of the next chunk read in a direction
 *     (at least one byte, never all of it), then close the connection: the receiver gets a frame
 *     (or TLS record) cut in the middle, then end of stream.</li>
 * </ul>
 *
 * <p>A "chunk" is what one read from a socket returned (at most 16 KiB). Blocking I/O, two threads
 * per connection (one per direction) from an owned pool, plus one timer thread; {@link #close()}
 * closes every socket and waits for those threads. Meant for tests with a handful of connections,
 * not for load.
 *
 * <p>Run as a process with {@link #main}: see {@link #USAGE}, which documents the line protocol on
 * standard input (and, with {@code --control-port}, on a TCP control port) that tests in another
 * process use to drive it.
 */
public final class FaultProxy implements Closeable {

    /** Which way bytes travel. */
    public enum Direction {
        /** From the client (the side that connected to the proxy) to the target. */
        UP,
        /** From the target to the client. */
        DOWN,
        /** Either way: the next chunk in any direction. */
        ANY
    }

    /** The faults counted by {@link #faults()}. */
    public enum Fault {
        /** A connection reset by {@link #cutAll()} or a random cut (counted per connection). */
        CUT,
        /** A call of {@link #stall(Duration)}. */
        STALL,
        /** A chunk forwarded only in part before its connection was closed. */
        MID_CHUNK_CUT,
        /** A chunk held back by the configured delay. */
        DELAYED_CHUNK
    }

    public static final String USAGE = String.join("\n",
            "usage: java -cp <class path> io.sink.stress.FaultProxy --target HOST:PORT [--listen PORT] [--control-port PORT]",
            "",
            "Listens on 127.0.0.1:PORT (0 = ephemeral, the default) and forwards every connection to HOST:PORT.",
            "Prints 'LISTENING <port>' (and 'CONTROL <port>' with --control-port) on standard output, then reads",
            "commands, one per line, from standard input (and from each connection to the control port) and",
            "answers each with one line, 'OK ...' or 'ERR <why>':",
            "  cut                         reset every open connection now           -> OK cut <connections>",
            "  cut-random <minMs> <maxMs>  reset every connection at random intervals -> OK",
            "  cut-random off              stop the random cuts                       -> OK",
            "  stall <ms>                  forward nothing, close nothing, for ms     -> OK",
            "  resume                      end a stall now                            -> OK",
            "  delay <ms>                  hold every chunk ms before forwarding it (0 = off) -> OK",
            "  cut-mid [up|down|any]       cut the next chunk that way in the middle, then close -> OK",
            "  stats                       -> OK open=<n> accepted=<n> cut=<n> stall=<n> mid_chunk_cut=<n>",
            "                                 delayed_chunk=<n> faults=<n> bytes_up=<n> bytes_down=<n>",
            "  quit                        close everything and exit                  -> OK",
            "End of standard input also quits, so the proxy never outlives the process that started it.");

    private static final int CHUNK = 16 * 1024;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final ExecutorService threads;
    private final ScheduledExecutorService timer;
    private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
    private final Map<Fault, LongAdder> faults = new EnumMap<>(Fault.class);
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();
    private final AtomicReference<Direction> midChunkCut = new AtomicReference<>();
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a stall ends early, the delay changes or the proxy closes. */
    private final Condition changed = lock.newCondition();
    private volatile long stallUntilNanos;
    private volatile boolean stalled;
    private volatile long delayNanos;
    private volatile boolean closed;
    private ScheduledFuture<?> randomCuts;
    private long randomCutGeneration;

    private FaultProxy(InetSocketAddress target, ServerSocket listener) {
        this.target = target;
        this.listener = listener;
        for (Fault fault : Fault.values()) {
            faults.put(fault, new LongAdder());
        }
        AtomicInteger n = new AtomicInteger();
        ThreadFactory named = r -> {
            Thread t = new Thread(r, "fault-proxy-" + listener.getLocalPort() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.threads = Executors.newCachedThreadPool(named);
        this.timer = Executors.newSingleThreadScheduledExecutor(named);
        threads.execute(this::acceptLoop);
    }

    /** Starts a proxy on an ephemeral port of 127.0.0.1 forwarding to {@code targetHost:targetPort}. */
    public static FaultProxy start(String targetHost, int targetPort) throws IOException {
        return start(new InetSocketAddress(targetHost, targetPort), 0);
    }

    /** Starts a proxy on {@code listenPort} (0 = ephemeral) of 127.0.0.1 forwarding to {@code target}. */
    public static FaultProxy start(InetSocketAddress target, int listenPort) throws IOException {
        Objects.requireNonNull(target, "target");
        if (target.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve the target host " + target.getHostString());
        }
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException("listen port must be between 0 and 65535, got " + listenPort);
        }
        ServerSocket listener = new ServerSocket();
        try {
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort), 128);
        } catch (IOException e) {
            listener.close();
            throw new IOException("cannot listen on 127.0.0.1:" + listenPort + ": " + e.getMessage(), e);
        }
        return new FaultProxy(target, listener);
    }

    /** The port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Where the proxy forwards to. */
    public InetSocketAddress target() {
        return target;
    }

    // ------------------------------------------------------------------ faults

    /** Resets every open connection now; returns how many were cut. */
    public int cutAll() {
        int cut = 0;
        for (Pair pair : List.copyOf(pairs)) {
            if (pair.close(true)) {
                cut++;
                faults.get(Fault.CUT).increment();
            }
        }
        return cut;
    }

    /**
     * From now on, resets every open connection at random intervals between {@code min} and
     * {@code max}, until {@link #stopRandomCuts()}; replaces an earlier schedule.
     */
    public synchronized void cutRandomly(Duration min, Duration max) {
        long minNanos = min.toNanos();
        long maxNanos = max.toNanos();
        if (minNanos <= 0 || maxNanos < minNanos) {
            throw new IllegalArgumentException("random cut interval must be 0 < min <= max, got " + min + " to " + max);
        }
        stopRandomCuts();
        scheduleRandomCut(minNanos, maxNanos);
    }

    private synchronized void scheduleRandomCut(long minNanos, long maxNanos) {
        if (closed) {
            return;
        }
        long generation = randomCutGeneration;
        long delay = minNanos == maxNanos ? minNanos : ThreadLocalRandom.current().nextLong(minNanos, maxNanos + 1);
        try {
            randomCuts = timer.schedule(() -> {
                // Under the lock, so that no cut happens once stopRandomCuts() has returned.
                synchronized (this) {
                    if (generation == randomCutGeneration) {
                        cutAll();
                        scheduleRandomCut(minNanos, maxNanos);
                    }
                }
            }, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            randomCuts = null; // closing
        }
    }

    /** Stops the random cuts, if any. */
    public synchronized void stopRandomCuts() {
        randomCutGeneration++;
        if (randomCuts != null) {
            randomCuts.cancel(false);
            randomCuts = null;
        }
    }

    /**
     * Stops forwarding in both directions, on every connection (open now or accepted meanwhile),
     * for {@code duration}, without closing anything. Bytes read meanwhile are held, then forwarded.
     */
    public void stall(Duration duration) {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("stall duration must be positive, got " + duration);
        }
        lock.lock();
        try {
            long until = System.nanoTime() + duration.toNanos();
            if (!stalled || until - stallUntilNanos > 0) {
                stallUntilNanos = until;
            }
            stalled = true;
            faults.get(Fault.STALL).increment();
        } finally {
            lock.unlock();
        }
    }

    /** Ends a stall now. */
    public void resume() {
        lock.lock();
        try {
            stalled = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether forwarding is stalled now. */
    public boolean isStalled() {
        return stalled && stallUntilNanos - System.nanoTime() > 0;
    }

    /**
     * Holds every chunk for {@code delay} after it was read before forwarding it (zero turns this
     * off). One thread per direction does both, so a connection's throughput drops to about one
     * chunk per delay: this models latency on a link carrying small messages.
     */
    public void delay(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        lock.lock();
        try {
            delayNanos = delay.toNanos();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Arms a one-shot fault: the next chunk of at least two bytes read in {@code direction} (on any
     * connection) is forwarded only in part, at least one byte and never all of it, and then its
     * connection is closed (the receiver gets the part, then end of stream).
     */
    public void cutMidChunk(Direction direction) {
        midChunkCut.set(Objects.requireNonNull(direction, "direction"));
    }

    /** Whether a {@link #cutMidChunk} is armed and has not happened yet. */
    public boolean midChunkCutPending() {
        return midChunkCut.get() != null;
    }

    // ------------------------------------------------------------------ counters

    /** How many of each fault were injected so far. */
    public Map<Fault, Long> faults() {
        Map<Fault, Long> counts = new EnumMap<>(Fault.class);
        faults.forEach((fault, count) -> counts.put(fault, count.sum()));
        return counts;
    }

    /** All faults injected so far (delayed chunks included). */
    public long faultsInjected() {
        return faults.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public long faultCount(Fault fault) {
        return faults.get(fault).sum();
    }

    /** Connections open now. */
    public int openConnections() {
        return pairs.size();
    }

    /** Connections accepted so far. */
    public long acceptedConnections() {
        return accepted.get();
    }

    /** Bytes forwarded from clients to the target. */
    public long bytesUp() {
        return bytesUp.get();
    }

    /** Bytes forwarded from the target to clients. */
    public long bytesDown() {
        return bytesDown.get();
    }

    // ------------------------------------------------------------------ lifecycle

    /** Stops listening, closes every connection and waits (up to 10 s) for the proxy's threads. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        stopRandomCuts();
        try {
            listener.close();
        } catch (IOException e) {
            // the accept loop ends either way
        }
        for (Pair pair : List.copyOf(pairs)) {
            pair.close(false);
        }
        timer.shutdownNow();
        threads.shutdown();
        try {
            if (!threads.awaitTermination(10, TimeUnit.SECONDS) | !timer.awaitTermination(10, TimeUnit.SECONDS)) {
                threads.shutdownNow();
                throw new IllegalStateException("the fault proxy's threads did not end within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "FaultProxy[127.0.0.1:" + port() + " -> " + target.getHostString() + ":" + target.getPort() + "]";
    }

    // ------------------------------------------------------------------ forwarding

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            Socket upstream = new Socket();
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(target, CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                closeQuietly(upstream);
                reset(client); // the client sees the target refusing, as it would without the proxy
                continue;
            }
            Pair pair = new Pair(client, upstream);
            pairs.add(pair);
            if (closed) {
                pair.close(false);
                return;
            }
            try {
                threads.execute(() -> pump(pair, client, upstream, Direction.UP, bytesUp));
                threads.execute(() -> pump(pair, upstream, client, Direction.DOWN, bytesDown));
            } catch (RejectedExecutionException e) {
                pair.close(false);
                return;
            }
        }
    }

    private void pump(Pair pair, Socket from, Socket to, Direction direction, AtomicLong counter) {
        byte[] buffer = new byte[CHUNK];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                int n = in.read(buffer);
                long readAt = System.nanoTime();
                // The end of a stream is held back by a delay or a stall like the bytes before it.
                if (!holdFor(pair, readAt) || !awaitNotStalled(pair)) {
                    return;
                }
                if (n < 0) {
                    pair.halfClosed(to);
                    return;
                }
                if (n >= 2 && takeMidChunkCut(direction)) {
                    int part = 1 + ThreadLocalRandom.current().nextInt(n - 1);
                    out.write(buffer, 0, part);
                    out.flush();
                    counter.addAndGet(part);
                    faults.get(Fault.MID_CHUNK_CUT).increment();
                    pair.closeAfterPartialChunk(to);
                    return;
                }
                out.write(buffer, 0, n);
                out.flush();
                counter.addAndGet(n);
            }
        } catch (IOException e) {
            pair.close(true); // one end failed: fail the other end too, abruptly
        }
    }

    private boolean takeMidChunkCut(Direction direction) {
        Direction armed = midChunkCut.get();
        return armed != null && (armed == Direction.ANY || armed == direction)
                && midChunkCut.compareAndSet(armed, null);
    }

    /** Waits until {@code readAt} + the delay; false when the proxy or the pair closed meanwhile. */
    private boolean holdFor(Pair pair, long readAt) {
        long delay = delayNanos;
        if (delay == 0) {
            return !closed && !pair.isClosed();
        }
        faults.get(Fault.DELAYED_CHUNK).increment();
        lock.lock();
        try {
            long remaining;
            while (!closed && !pair.isClosed() && delayNanos != 0
                    && (remaining = readAt + delayNanos - System.nanoTime()) > 0) {
                changed.awaitNanos(remaining);
            }
            return !closed && !pair.isClosed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Waits while stalled; false when the proxy or the pair closed meanwhile. */
    private boolean awaitNotStalled(Pair pair) {
        if (!stalled) {
            return !closed && !pair.isClosed();
        }
        lock.lock();
        try {
            long remaining;
            while (!closed && !pair.isClosed() && stalled && (remaining = stallUntilNanos - System.nanoTime()) > 0) {
                changed.awaitNanos(remaining);
            }
            if (stallUntilNanos - System.nanoTime() <= 0) {
                stalled = false;
            }
            return !closed && !pair.isClosed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** A client connection and its connection to the target. */
    private final class Pair {
        private final Socket client;
        private final Socket upstream;
        private final AtomicInteger halfClosed = new AtomicInteger();
        private volatile boolean closedPair;

        Pair(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        boolean isClosed() {
            return closedPair;
        }

        /** End of stream one way: pass it on; once both ways ended, the pair is done. */
        void halfClosed(Socket to) {
            try {
                to.shutdownOutput();
            } catch (IOException e) {
                close(false);
                return;
            }
            if (halfClosed.incrementAndGet() == 2) {
                close(false);
            }
        }

        void closeAfterPartialChunk(Socket receiver) {
            try {
                receiver.shutdownOutput(); // FIN after the partial bytes, so that they arrive
            } catch (IOException e) {
                // closed below either way
            }
            close(false);
        }

        /** Closes both sockets; with {@code reset}, abruptly (RST). True if this call closed it. */
        boolean close(boolean reset) {
            synchronized (this) {
                if (closedPair) {
                    return false;
                }
                closedPair = true;
            }
            pairs.remove(this);
            lock.lock();
            try {
                changed.signalAll(); // its pumps may be waiting out a delay or a stall
            } finally {
                lock.unlock();
            }
            if (reset) {
                reset(client);
                reset(upstream);
            } else {
                closeQuietly(client);
                closeQuietly(upstream);
            }
            return true;
        }
    }

    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing more can be done about a socket that fails to close
        }
    }

    // ------------------------------------------------------------------ control protocol

    /**
     * Runs one command of the line protocol described in {@link #USAGE} and returns the answer line.
     * {@code quit} only answers; the caller closes.
     */
    public String command(String line) {
        String[] words = line.trim().split("\\s+");
        try {
            switch (words[0].toLowerCase(Locale.ROOT)) {
                case "cut":
                    arguments(words, 0);
                    return "OK cut " + cutAll();
                case "cut-random":
                    if (words.length == 2 && words[1].equalsIgnoreCase("off")) {
                        stopRandomCuts();
                        return "OK";
                    }
                    arguments(words, 2);
                    cutRandomly(Duration.ofMillis(millis(words[1])), Duration.ofMillis(millis(words[2])));
                    return "OK";
                case "stall":
                    arguments(words, 1);
                    stall(Duration.ofMillis(millis(words[1])));
                    return "OK";
                case "resume":
                    arguments(words, 0);
                    resume();
                    return "OK";
                case "delay":
                    arguments(words, 1);
                    delay(Duration.ofMillis(millis(words[1])));
                    return "OK";
                case "cut-mid":
                    if (words.length > 2) {
                        throw new IllegalArgumentException("cut-mid takes at most one argument: up, down or any");
                    }
                    cutMidChunk(words.length == 1 ? Direction.ANY : direction(words[1]));
                    return "OK";
                case "stats":
                    arguments(words, 0);
                    return "OK " + stats();
                case "quit":
                    arguments(words, 0);
                    return "OK";
                case "":
                    return "ERR empty command";
                default:
                    return "ERR unknown command '" + words[0] + "'; commands: cut, cut-random, stall, resume, delay,"
                            + " cut-mid, stats, quit";
            }
        } catch (IllegalArgumentException e) {
            return "ERR " + e.getMessage();
        }
    }

    /** The counters as {@code key=value} pairs, as the {@code stats} command prints them. */
    public String stats() {
        StringBuilder text = new StringBuilder();
        text.append("open=").append(openConnections()).append(" accepted=").append(acceptedConnections());
        for (Map.Entry<Fault, Long> fault : faults().entrySet()) {
            text.append(' ').append(fault.getKey().name().toLowerCase(Locale.ROOT)).append('=').append(fault.getValue());
        }
        text.append(" faults=").append(faultsInjected()).append(" bytes_up=").append(bytesUp())
                .append(" bytes_down=").append(bytesDown());
        return text.toString();
    }

    private static void arguments(String[] words, int expected) {
        if (words.length - 1 != expected) {
            throw new IllegalArgumentException(words[0] + " takes " + expected + " argument(s), got "
                    + (words.length - 1));
        }
    }

    private static long millis(String word) {
        try {
            long value = Long.parseLong(word);
            if (value < 0) {
                throw new IllegalArgumentException("milliseconds must not be negative: " + word);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number of milliseconds: '" + word + "'");
        }
    }

    private static Direction direction(String word) {
        switch (word.toLowerCase(Locale.ROOT)) {
            case "up":
                return Direction.UP;
            case "down":
                return Direction.DOWN;
            case "any":
                return Direction.ANY;
            default:
                throw new IllegalArgumentException("direction must be up, down or any, not '" + word + "'");
        }
    }

    /** Runs the proxy as a process; see {@link #USAGE}. Exits with 2 on bad arguments. */
    public static void main(String[] args) throws Exception {
        String targetArg = null;
        int listen = 0;
        int control = -1;
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--target":
                        targetArg = required(args[i], value);
                        i++;
                        break;
                    case "--listen":
                        listen = Integer.parseInt(required(args[i], value));
                        i++;
                        break;
                    case "--control-port":
                        control = Integer.parseInt(required(args[i], value));
                        i++;
                        break;
                    default:
                        throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (targetArg == null) {
                throw new IllegalArgumentException("--target HOST:PORT is required");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        int colon = targetArg.lastIndexOf(':');
        if (colon <= 0) {
            System.err.println("error: --target must be HOST:PORT, got " + targetArg);
            System.exit(2);
            return;
        }
        InetSocketAddress target = new InetSocketAddress(targetArg.substring(0, colon),
                Integer.parseInt(targetArg.substring(colon + 1)));
        PrintStream stdout = System.out;
        try (FaultProxy proxy = FaultProxy.start(target, listen)) {
            stdout.println("LISTENING " + proxy.port());
            ServerSocket controlSocket = null;
            if (control >= 0) {
                controlSocket = new ServerSocket();
                controlSocket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), control));
                stdout.println("CONTROL " + controlSocket.getLocalPort());
                ServerSocket socket = controlSocket;
                Thread controller = new Thread(() -> serveControl(proxy, socket), "fault-proxy-control");
                controller.setDaemon(true);
                controller.start();
            }
            stdout.flush();
            try {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null) {
                    stdout.println(proxy.command(line));
                    stdout.flush();
                    if (line.trim().equalsIgnoreCase("quit")) {
                        break;
                    }
                }
            } finally {
                if (controlSocket != null) {
                    controlSocket.close();
                }
            }
        }
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    /**
     * Each control connection: commands in, answers out, one line each. {@code quit} there closes the
     * proxy and ends the process, as {@code quit} on standard input does.
     */
    private static void serveControl(FaultProxy proxy, ServerSocket controlSocket) {
        while (!proxy.closed && !controlSocket.isClosed()) {
            try (Socket connection = controlSocket.accept();
                    BufferedReader in = new BufferedReader(
                            new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8));
                    PrintWriter out = new PrintWriter(connection.getOutputStream(), true, StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.println(proxy.command(line));
                    if (line.trim().equalsIgnoreCase("quit")) {
                        proxy.close();
                        System.exit(0);
                    }
                }
            } catch (IOException e) {
                // the control connection failed or the control socket closed: the loop condition decides
            }
        }
    }
}
