package io.sink.reading.log.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one thread that writes the reading log. Whoever hands it a line (a network thread, the store's
 * writer thread) never waits for the log: {@link #execute} only queues, and when {@code capacity}
 * lines are waiting the line is dropped and counted; the next line written reports how many were
 * dropped. So a slow console or log appender can never slow the delivery of events or their ACKs.
 *
 * <p>Cheap for the caller: a line is added to a lock-free queue, and the thread is woken only when
 * it is idle (the first line after it emptied the queue), not once per line; once awake it writes
 * every line queued meanwhile. A store commit that completes hundreds of events therefore wakes it
 * once.
 */
public final class LogExecutor implements Executor, AutoCloseable {
    private final ThreadPoolExecutor pool;
    private final LogLines lines;
    private final int capacity;
    private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
    /** Lines in {@link #waiting}: what the capacity bounds. */
    private final AtomicInteger waitingCount = new AtomicInteger();
    /** Whether a drain of the queue is scheduled or running and will see a line queued now. */
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicLong droppedSinceReport = new AtomicLong();
    private final AtomicLong droppedTotal = new AtomicLong();

    /**
     * Starts the thread.
     *
     * @param capacity lines that may wait for the thread before new ones are dropped
     */
    public LogExecutor(String threadName, int capacity, LogLines lines) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.lines = lines;
        this.capacity = capacity;
        // at most one drain task waits in its queue (see draining), so it stays tiny
        this.pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues {@code task}; never blocks, never throws: a task that does not fit is dropped and counted. */
    @Override
    public void execute(Runnable task) {
        if (waitingCount.incrementAndGet() > capacity || pool.isShutdown()) {
            waitingCount.decrementAndGet();
            drop();
            return;
        }
        waiting.add(task);
        if (draining.compareAndSet(false, true)) {
            try {
                pool.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // closed meanwhile: what is left is counted by close()
                draining.set(false);
            }
        }
    }

    private void drop() {
        droppedSinceReport.incrementAndGet();
        droppedTotal.incrementAndGet();
    }

    /** Log thread: writes every queued line, then goes idle. */
    private void drain() {
        while (true) {
            Runnable task;
            while ((task = waiting.poll()) != null) {
                waitingCount.decrementAndGet();
                run(task);
            }
            draining.set(false);
            // a line queued after the last poll and before the flag was cleared saw the flag set and did
            // not schedule a drain: take it now, unless another drain took over
            if (waiting.isEmpty() || !draining.compareAndSet(false, true)) {
                return;
            }
        }
    }

    private void run(Runnable task) {
        long dropped = droppedSinceReport.getAndSet(0);
        if (dropped > 0) {
            lines.warn("the reading log fell behind and dropped " + dropped + " lines");
        }
        try {
            task.run();
        } catch (RuntimeException e) {
            lines.warn("writing a reading log line failed: " + e);
        }
    }

    /** Lines dropped since start because the queue was full (or the executor closed). */
    long dropped() {
        return droppedTotal.get();
    }

    /** Lines waiting. */
    int queued() {
        return waitingCount.get();
    }

    /** Writes the lines already queued (waiting at most {@code timeout}), then stops the thread. */
    void close(long timeout, TimeUnit unit) {
        pool.shutdown();
        boolean done;
        try {
            done = pool.awaitTermination(timeout, unit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done = false;
        }
        if (!done) {
            pool.shutdownNow();
        }
        int left = waitingCount.get();
        if (left > 0) {
            lines.warn("the reading log stopped with " + left + " lines not written");
        }
    }

    @Override
    public void close() {
        close(5, TimeUnit.SECONDS);
    }
}
