package io.sink.reading.log.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one thread that writes the reading log. Whoever hands it a line (a network thread, the store's
 * writer thread) never waits for the log: {@link #execute} only queues, and when the queue is full
 * the line is dropped and counted; the next line written reports how many were dropped. So a slow
 * console or log appender can never slow the delivery of events or their ACKs.
 */
public final class LogExecutor implements Executor, AutoCloseable {
    private final ThreadPoolExecutor pool;
    private final LogLines lines;
    private final AtomicLong droppedSinceReport = new AtomicLong();
    private final AtomicLong droppedTotal = new AtomicLong();

    /**
     * Starts the thread.
     *
     * @param capacity lines that may wait for the thread before new ones are dropped
     */
    public LogExecutor(String threadName, int capacity, LogLines lines) {
        this.lines = lines;
        this.pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(capacity),
                r -> {
                    Thread t = new Thread(r, threadName);
                    t.setDaemon(true);
                    return t;
                }, (task, executor) -> {
                    int count = task instanceof Lines l ? l.count : 1;
                    droppedSinceReport.addAndGet(count);
                    droppedTotal.addAndGet(count);
                });
    }

    /** Queues {@code task}; never blocks, never throws: a task that does not fit is dropped and counted. */
    @Override
    public void execute(Runnable task) {
        execute(task, 1);
    }

    /**
     * Queues {@code task}, which writes {@code lineCount} lines; never blocks, never throws: a task that
     * does not fit is dropped, and its lines counted as dropped.
     */
    public void execute(Runnable task, int lineCount) {
        pool.execute(new Lines(task, lineCount));
    }

    /** A task of the log thread and the number of lines it writes (what a drop loses). */
    private final class Lines implements Runnable {
        private final Runnable task;
        private final int count;

        Lines(Runnable task, int count) {
            this.task = task;
            this.count = count;
        }

        @Override
        public void run() {
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
    }

    /** Lines dropped since start because the queue was full (or the executor closed). */
    long dropped() {
        return droppedTotal.get();
    }

    /** Lines waiting. */
    int queued() {
        return pool.getQueue().size();
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
            int left = 0;
            for (Runnable task : pool.shutdownNow()) {
                left += task instanceof Lines l ? l.count : 1;
            }
            lines.warn("the reading log stopped with " + left + " lines not written");
        }
    }

    @Override
    public void close() {
        close(5, TimeUnit.SECONDS);
    }
}
