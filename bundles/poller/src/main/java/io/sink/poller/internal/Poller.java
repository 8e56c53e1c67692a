package io.sink.poller.internal;

import io.sink.api.AckKey;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.Outbox;
import io.sink.api.client.SinkClient;
import io.sink.api.text.Printable;
import io.sink.poller.ParkedEvent;
import io.sink.poller.PollerStatus;
import io.sink.poller.StreamStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link Delivery} rules on one thread (of the executor given): the ticks, the wake-ups, and
 * handing it what other threads report (publish results and connection changes from the network
 * thread, appends and swaps from the outbox, resume and status requests from a shell). One lock
 * guards the rules: a publish result is settled on the thread that completes it (the network thread,
 * for an ACK) when that thread finds the lock free, which then publishes what the window allows from
 * the events read ahead, without waking the poller thread (see {@link #settled}). Each run takes
 * everything queued, publishes what the window allows, then hands the ACKs collected meanwhile to one
 * {@code acknowledge} call (group commit) on a thread of its own, and goes on publishing while that
 * write runs: a window of 1 does not wait for the ACK record before its next publish. One such write
 * runs at a time, at most one per {@link #ACK_WRITE_INTERVAL} (the ACKs arriving meanwhile make the
 * next one); until its write is recorded an
 * ACKed event is not published again, and a refused write is retried after {@link #RETRY_ACK_WRITE}.
 * {@link #close()} waits for the write running and writes what is left.
 */
public final class Poller {
    private static final Logger LOG = LoggerFactory.getLogger(Poller.class);
    /** Wait before writing ACKs again after the outbox refused them. */
    static final Duration RETRY_ACK_WRITE = Duration.ofSeconds(1);
    /**
     * Least time between the starts of two ACK writes: the ACKs arriving meanwhile make one write, so
     * recording them costs at most this many transactions per second (each writes the same few pages
     * of the log whether it records 1 ACK or 100) however fast events are delivered. The window does
     * not wait for them; a crash loses at most the ACKs of this long more, whose events are sent
     * again and recognised by the server.
     */
    static final Duration ACK_WRITE_INTERVAL = Duration.ofMillis(5);
    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(10);

    private final Outbox outbox;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final RandomGenerator random;
    /**
     * Held by whoever runs the {@link Delivery} rules and the fields marked "under the lock": the
     * poller thread for its tasks, or the thread that completes a publish ({@link #settled}) when it
     * finds the lock free.
     */
    private final ReentrantLock lock = new ReentrantLock();
    private final Delivery delivery; // under the lock
    private final Queue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean runPending = new AtomicBoolean();
    private final AtomicLong changes = new AtomicLong();
    private volatile PollerSettings settings;
    private volatile boolean closed;
    private ScheduledFuture<?> nextTick;
    private long holdWakeAt = Long.MIN_VALUE;
    /** Runs the {@code acknowledge} calls, one at a time; its thread ends when idle. */
    private final ThreadPoolExecutor ackWriter;
    /** The ACK write running, or null; under the lock. */
    private AckWrite ackWrite;
    /** After a refused ACK write: no new one before this time ({@link System#nanoTime}); under the lock. */
    private long ackRetryAt;
    private boolean ackRetryWaits;
    /** When the last ACK write started ({@link System#nanoTime}), and whether a run is due for the next one. */
    private long lastAckWriteAt;
    private boolean ackWakeScheduled;

    public Poller(PollerSettings settings, Outbox outbox, ScheduledExecutorService executor, Clock clock,
            RandomGenerator random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.outbox = Objects.requireNonNull(outbox, "outbox");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.delivery = new Delivery(settings, clock, this::settled);
        this.ackWriter = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "sink-poller-acks");
            t.setDaemon(true);
            return t;
        });
        ackWriter.allowCoreThreadTimeOut(true);
        lastAckWriteAt = System.nanoTime() - ACK_WRITE_INTERVAL.toNanos();
    }

    /** One {@code acknowledge} call handed to the ACK writer thread. */
    private record AckWrite(List<AckKey> keys, CompletableFuture<Void> done) {
    }

    private Delivery delivery() {
        return delivery;
    }

    /** Starts the ticks and a first poll. */
    public void start() {
        execute(() -> {
            scheduleTick();
            run();
        });
    }

    /** Writes the ACKs collected and stops; waits for the poller thread. The owner shuts the executor down. */
    public void close() {
        if (closed) {
            return;
        }
        Future<Object> done;
        try {
            done = executor.submit(locked(() -> {
                drainInbox();
                awaitAckWrite();
                delivery.flushAcks(outbox);
                closed = true;
                if (nextTick != null) {
                    nextTick.cancel(false);
                }
                return null;
            }));
        } catch (RejectedExecutionException e) {
            closed = true; // the executor stopped already: nothing more can run
            ackWriter.shutdown();
            return;
        }
        try {
            await(done, "closing");
        } finally {
            closed = true;
            ackWriter.shutdown();
        }
    }

    /** Asks for a run soon; cheap and non-blocking (coalesces with a run already asked for). */
    public void wake() {
        if (!closed && runPending.compareAndSet(false, true)) {
            execute(this::run);
        }
    }

    /** The outbox changed (appends or a swap): publish now. */
    public void outboxChanged() {
        changes.incrementAndGet();
        wake();
    }

    public void connectionUp(SinkClient client) {
        signal(() -> {
            LOG.info("connected to {}: publishing every unacknowledged event", client.server());
            delivery.connectionUp(client);
        });
    }

    public void connectionDown(String reason) {
        signal(() -> {
            LOG.info("connection down ({}): unacknowledged events are sent again on the next connection",
                    Printable.inline(reason));
            delivery.connectionDown();
        });
    }

    public PollerSettings settings() {
        return settings;
    }

    /** Takes new settings (window, period, streams) without losing ACKs or parked streams. */
    public void reconfigure(PollerSettings newSettings) {
        Objects.requireNonNull(newSettings, "newSettings");
        execute(() -> {
            PollerSettings old = settings;
            settings = newSettings;
            delivery.reconfigure(newSettings);
            if (!old.period().equals(newSettings.period()) && nextTick != null && nextTick.cancel(false)) {
                scheduleTick();
            }
            run();
        });
    }

    /**
     * Resumes a parked stream and waits for it.
     *
     * @return whether the stream was parked
     * @throws IllegalArgumentException if there is no such stream
     */
    public boolean resume(String stream) {
        return await(submit(() -> {
            boolean was = delivery.resume(stream);
            run();
            return was;
        }), "resuming stream " + stream);
    }

    /** A snapshot; the per-stream queues are counted on the calling thread, without loading events. */
    public PollerStatus status(Optional<ClientInstanceIds> instanceIds) {
        record State(Delivery.Snapshot snapshot, SinkClient client) {
        }
        State s = await(submit(() -> new State(delivery.snapshot(), delivery.client())), "reading the status");
        List<StreamStatus> streams = new ArrayList<>();
        for (StreamStatus st : s.snapshot().streams()) {
            long queued;
            try {
                Set<Long> excluded = s.snapshot().excluded().get(st.name());
                queued = outbox.countUnacknowledged(st.otherTypes() ? Set.of() : st.eventTypeIds(), excluded);
            } catch (RuntimeException e) {
                LOG.debug("cannot count the queue of stream {}", st.name(), e);
                queued = -1;
            }
            streams.add(new StreamStatus(st.name(), st.eventTypeIds(), st.otherTypes(), queued, false, st.inFlight(),
                    st.cursor(), st.parkedOn()));
        }
        SinkClient c = s.client();
        boolean connected = c != null && c.connected();
        Optional<String> problem = c == null ? Optional.of("not connected yet")
                : connected ? Optional.empty() : c.problem();
        Delivery.Snapshot d = s.snapshot();
        return new PollerStatus(connected, c == null ? "none" : c.server(), problem, instanceIds,
                outbox.storeName(), d.window(), d.inFlight(), streams, d.published(), d.acked(), d.nacked(),
                d.failed(), d.ackWrites());
    }

    /** The NACKed events that park streams now. */
    public List<ParkedEvent> nacks() {
        List<ParkedEvent> all = new ArrayList<>();
        await(submit(delivery::snapshot), "reading the NACKs").streams().forEach(s -> all.addAll(s.parkedOn()));
        return all;
    }

    // ================================================================== the poller thread

    private void signal(Runnable signal) {
        if (!closed) {
            inbox.add(signal);
            wake();
        }
    }

    /**
     * A publish's result. Its thread (the network thread, for an ACK) settles it and publishes what the
     * window then allows at once when no other run holds the lock, from what was read ahead (it does not
     * read the log; a read that is due is left to the poller thread): no wake-up of the poller thread
     * and, from the network thread, no task handed back to it for the publish. Otherwise, and from
     * within a run (a stage completed at once by the publish itself), it is queued for the next run.
     */
    private void settled(Delivery.Settled settled) {
        if (closed) {
            return;
        }
        inbox.add(() -> delivery.settle(settled));
        if (lock.isHeldByCurrentThread() || !lock.tryLock()) {
            wake();
            return;
        }
        boolean readWanted;
        try {
            runLocked(false);
            readWanted = delivery.takeReadWanted();
        } finally {
            lock.unlock();
        }
        if (readWanted) {
            wake();
        }
    }

    private void locked(Runnable task) {
        lock.lock();
        try {
            task.run();
        } finally {
            lock.unlock();
        }
    }

    private <T> Callable<T> locked(Callable<T> task) {
        return () -> {
            lock.lock();
            try {
                return task.call();
            } finally {
                lock.unlock();
            }
        };
    }

    private boolean execute(Runnable task) {
        try {
            executor.execute(() -> locked(task));
            return true;
        } catch (RejectedExecutionException e) {
            return false; // stopping: whatever was not done is redone on the next start
        }
    }

    private <T> Future<T> submit(Callable<T> task) {
        try {
            return executor.submit(locked(task));
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the poller is stopped", e);
        }
    }

    private void drainInbox() {
        Runnable signal;
        while ((signal = inbox.poll()) != null) {
            signal.run();
        }
    }

    private void run() {
        runPending.set(false);
        runLocked(true);
    }

    /** One run, under the lock; {@code mayRead}: whether it may read the log (not on a network thread). */
    private void runLocked(boolean mayRead) {
        if (closed) {
            return;
        }
        try {
            drainInbox();
            delivery.outboxChanged(outbox.generation(), changes.get());
            delivery.pump(outbox, mayRead);
            scheduleHoldWake();
        } catch (RuntimeException e) {
            if ("none".equals(outbox.storeName())) {
                LOG.debug("no event log is bound to the outbox: nothing to publish", e);
            } else {
                LOG.error("the poller failed; it tries again at its next tick", e);
            }
        }
        writeAcks();
    }

    /** Hands the ACKs collected to the ACK writer, unless a write runs or a refused one waits for its retry. */
    private void writeAcks() {
        if (ackWrite != null || !delivery.hasAcksToWrite()) {
            return;
        }
        long now = System.nanoTime();
        if (ackRetryWaits) {
            if (now - ackRetryAt < 0) {
                return;
            }
            ackRetryWaits = false;
        }
        long wait = lastAckWriteAt + ACK_WRITE_INTERVAL.toNanos() - now;
        if (wait > 0) {
            if (!ackWakeScheduled) {
                ackWakeScheduled = true;
                scheduleNanos(() -> {
                    ackWakeScheduled = false;
                    wake();
                }, wait);
            }
            return;
        }
        lastAckWriteAt = now;
        List<AckKey> keys = delivery.takeAcks();
        CompletableFuture<Void> done;
        try {
            done = CompletableFuture.runAsync(() -> outbox.acknowledge(keys), ackWriter);
        } catch (RejectedExecutionException e) {
            done = CompletableFuture.failedFuture(e); // closing: close() writes them
        }
        AckWrite write = new AckWrite(keys, done);
        ackWrite = write;
        done.whenComplete((ignored, failure) -> signal(() -> ackWritten(write, failure)));
    }

    /** The outcome of an ACK write, under the lock; a second call for the same write does nothing. */
    private void ackWritten(AckWrite write, Throwable failure) {
        if (ackWrite != write) {
            return;
        }
        ackWrite = null;
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                : failure;
        if (!delivery.acksWritten(write.keys(), cause)) {
            ackRetryAt = System.nanoTime() + RETRY_ACK_WRITE.toNanos();
            ackRetryWaits = true;
            schedule(this::wake, RETRY_ACK_WRITE.toMillis());
        }
    }

    /** Waits for the ACK write running, if any, and records its outcome (closing). */
    private void awaitAckWrite() {
        AckWrite write = ackWrite;
        if (write == null) {
            return;
        }
        Throwable failure = null;
        try {
            write.done().get(CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = e;
        } catch (ExecutionException e) {
            failure = e.getCause();
        } catch (TimeoutException e) {
            failure = e;
        }
        ackWritten(write, failure);
    }

    private void scheduleHoldWake() {
        OptionalLong until = delivery.holdUntilMillis();
        if (until.isPresent() && until.getAsLong() != holdWakeAt) {
            holdWakeAt = until.getAsLong();
            schedule(this::wake, Math.max(1, holdWakeAt - clock.millis()));
        }
    }

    private void tick() {
        if (closed) {
            return;
        }
        delivery.tick();
        try {
            run();
        } finally {
            scheduleTick();
        }
    }

    private void scheduleTick() {
        if (closed) {
            return;
        }
        PollerSettings s = settings;
        double factor = 1 + s.jitter() * (2 * random.nextDouble() - 1);
        long delay = Math.max(1, Math.round(s.period().toNanos() * factor));
        try {
            nextTick = executor.schedule(() -> locked(this::tick), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    private void scheduleNanos(Runnable task, long delayNanos) {
        try {
            executor.schedule(() -> locked(task), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    private void schedule(Runnable task, long delayMillis) {
        scheduleNanos(task, TimeUnit.MILLISECONDS.toNanos(delayMillis));
    }

    private static <T> T await(Future<T> future, String what) {
        try {
            return future.get(CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the poller thread did not answer within " + CONTROL_TIMEOUT.toSeconds()
                    + " s while " + what + " (is the event log blocked?)", e);
        }
    }
}
