package io.sink.server.store.postgres.internal;

import io.sink.api.text.Printable;
import io.sink.sqlite.SqlExecutor;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that writes queued items to a database in batches: it takes every item queued so far
 * (up to a maximum), hands the whole batch to one {@link Batch} call (e.g. one multi-row
 * {@code INSERT}) in one transaction, and completes each item's future only after that transaction
 * has committed. While a batch commits, the next items gather in the queue, so under load one commit
 * serves many items. When the batch fails (or its commit does), every item of it fails and nothing
 * of it is stored.
 *
 * <p>Unlike the SQLite stores' {@code GroupCommitWriter}, which runs each write separately in its own
 * savepoint (cheap in-process), this hands the database whole batches: with a server over the network
 * each statement costs a round trip.
 *
 * @param <T> what is written
 * @param <R> what each item's future completes with
 */
final class BatchWriter<T, R> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchWriter.class);

    /** Writes a batch on a connection inside the writer's transaction; one result per item, in order. */
    @FunctionalInterface
    interface Batch<T, R> {
        List<R> write(Connection connection, List<T> items) throws SQLException;
    }

    private final SqlExecutor sql;
    private final String description;
    private final int maxBatch;
    private final Batch<T, R> batch;
    private final ExecutorService executor;
    private final ConcurrentLinkedQueue<Pending<T, R>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong committed = new AtomicLong();
    private volatile boolean closed;
    /** While transactions fail, at most one line per this interval (see {@link #failed}). */
    static final Duration FAILURE_LOG_INTERVAL = Duration.ofSeconds(60);
    private static final long NOT_FAILING = Long.MIN_VALUE;
    // the current failure episode; writer thread only
    private long failingSince = NOT_FAILING;
    private long lastFailureLog;
    private long failedTransactions;
    private long failedWrites;
    private long failedSinceLog;

    private record Pending<T, R>(T item, CompletableFuture<R> future) {
    }

    /**
     * Starts the writer thread.
     *
     * @param description names the database in the thread's name and in messages
     * @param maxBatch    most items written in one transaction
     */
    BatchWriter(SqlExecutor sql, String description, int maxBatch, Batch<T, R> batch) {
        this.sql = Objects.requireNonNull(sql, "sql");
        this.description = Objects.requireNonNull(description, "description");
        this.batch = Objects.requireNonNull(batch, "batch");
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        this.maxBatch = maxBatch;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "sink-store-writer " + description);
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues {@code item} for the next batch; the future completes after the commit that holds it. */
    CompletableFuture<R> submit(T item) {
        Objects.requireNonNull(item, "item");
        Pending<T, R> pending = new Pending<>(item, new CompletableFuture<>());
        if (closed) {
            pending.future.completeExceptionally(closedException());
            return pending.future;
        }
        queue.add(pending);
        try {
            scheduleFlush();
        } catch (RejectedExecutionException e) {
            // closed meanwhile: unless a last batch already took it, fail it here
            if (queue.remove(pending)) {
                pending.future.completeExceptionally(closedException());
            }
        }
        return pending.future;
    }

    /** Runs {@code task} on the writer thread, between batches (tests hold the writer with it). */
    void execute(Runnable task) {
        executor.execute(task);
    }

    /** Transactions committed for batches. */
    long transactions() {
        return transactions.get();
    }

    /** Items committed. */
    long committedItems() {
        return committed.get();
    }

    private void scheduleFlush() {
        if (flushScheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::flush);
            } catch (RejectedExecutionException e) {
                flushScheduled.set(false);
                throw e;
            }
        }
    }

    private void flush() {
        // cleared before draining: an item queued after this point schedules a flush of its own
        flushScheduled.set(false);
        do {
            writeOneBatch();
            // once closing, no new flush can be scheduled: the last one writes everything queued
        } while (closed && !queue.isEmpty());
        if (!queue.isEmpty()) {
            try {
                scheduleFlush();
            } catch (RejectedExecutionException e) {
                // closing: close() fails whatever is left
            }
        }
    }

    private void writeOneBatch() {
        List<Pending<T, R>> taken = new ArrayList<>();
        Pending<T, R> next;
        while (taken.size() < maxBatch && (next = queue.poll()) != null) {
            taken.add(next);
        }
        if (taken.isEmpty()) {
            return;
        }
        try {
            List<T> items = new ArrayList<>(taken.size());
            taken.forEach(p -> items.add(p.item));
            List<R> results = sql.write(c -> batch.write(c, items));
            if (results.size() != taken.size()) {
                throw new IllegalStateException(description + ": a batch of " + taken.size() + " gave "
                        + results.size() + " results");
            }
            transactions.incrementAndGet();
            committed.addAndGet(taken.size());
            if (failingSince != NOT_FAILING) {
                // logged before the callers learn of the write, so the line precedes what they do next
                LOG.info("{}: writing works again, after {} failed transactions ({} writes, none stored) in {} s",
                        description, failedTransactions, failedWrites,
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - failingSince));
                failingSince = NOT_FAILING;
            }
            for (int i = 0; i < taken.size(); i++) {
                taken.get(i).future.complete(results.get(i));
            }
        } catch (SQLException | RuntimeException | Error e) {
            failed(taken.size(), e);
            Throwable failure = e instanceof Error ? e : new IllegalStateException(description
                    + ": the transaction of " + taken.size() + " writes failed, none is stored: " + e.getMessage(), e);
            for (Pending<T, R> p : taken) {
                p.future.completeExceptionally(failure);
            }
        }
    }

    /**
     * A failed transaction. A database that refuses or cannot be reached fails every transaction until it
     * is back, and the clients send their events again and again meanwhile: the first failure of such an
     * episode is logged in full, the next ones counted, with one line per {@link #FAILURE_LOG_INTERVAL}
     * while it lasts and one when writing works again. Writer thread only.
     */
    private void failed(int writes, Throwable e) {
        long now = System.nanoTime();
        String what = Printable.inline(e.toString());
        if (failingSince == NOT_FAILING) {
            failingSince = now;
            lastFailureLog = now;
            failedTransactions = 1;
            failedWrites = writes;
            failedSinceLog = 0;
            LOG.warn("{}: a transaction of {} writes failed, none of them is stored: {}; until one succeeds, further"
                    + " failures are counted, not logged one by one", description, writes, what);
            return;
        }
        failedTransactions++;
        failedWrites += writes;
        failedSinceLog++;
        if (now - lastFailureLog >= FAILURE_LOG_INTERVAL.toNanos()) {
            LOG.warn("{}: writing still fails: {} more transactions failed in the last {} s ({} since the first,"
                    + " {} writes, none stored); the latest: {}", description, failedSinceLog,
                    TimeUnit.NANOSECONDS.toSeconds(now - lastFailureLog), failedTransactions, failedWrites, what);
            lastFailureLog = now;
            failedSinceLog = 0;
        }
    }

    private IllegalStateException closedException() {
        return new IllegalStateException(description + " is closed");
    }

    /**
     * Stops accepting items, lets the writer thread commit what is queued (waiting at most
     * {@code timeout}) and stops it. Items still queued after that fail.
     */
    void close(long timeout, TimeUnit unit) {
        closed = true;
        executor.shutdown();
        boolean terminated;
        try {
            terminated = executor.awaitTermination(timeout, unit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            terminated = false;
        }
        if (!terminated) {
            LOG.warn("{}: the writer thread did not finish within {} {}; stopping it", description, timeout, unit);
            executor.shutdownNow();
        }
        Pending<T, R> left;
        while ((left = queue.poll()) != null) {
            left.future.completeExceptionally(closedException());
        }
    }

    @Override
    public void close() {
        close(30, TimeUnit.SECONDS);
    }
}
