package io.sink.sqlite;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that writes to a database, with group commit.
 *
 * <p>Callers queue writes and wait. The writer thread takes every write queued so far (up to a
 * maximum) and runs them in one transaction, each inside its own savepoint: a write that fails is
 * rolled back alone and its caller gets its exception, the others are committed. Each caller
 * returns only after the commit that contains its write, so a write is durable when its call
 * returns; when the commit fails every caller of that batch gets the failure. While one
 * transaction is being committed (the fsync), the next writes gather in the queue, so under load
 * one commit serves many writes.
 *
 * <p>Writes submitted with a {@link BatchWork} ({@link #submit(BatchWork, Object)}) that follow each
 * other in a transaction run together: one call of {@link BatchWork#runAll} inside one savepoint
 * instead of a savepoint and a statement each; when that call fails, its savepoint is rolled back and
 * each of them runs again alone in its own savepoint ({@link BatchWork#runOne}), so that the same
 * writes fail as if each had been submitted on its own.
 *
 * <p>Maintenance work (migrations, retention) runs on the same thread through
 * {@link #execute}/{@link #scheduleWithFixedDelay}, between batches.
 */
public final class GroupCommitWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    private final SqlExecutor sql;
    private final String description;
    private final int maxWritesPerTransaction;
    private final ScheduledThreadPoolExecutor executor;
    private final ConcurrentLinkedQueue<PendingWrite<?>> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong failedTransactions = new AtomicLong();
    private final AtomicLong batchRetries = new AtomicLong();
    private final Runnable beforeBatch;
    /** Failures are logged in full once per streak, then at most once a minute with a count. */
    private final FailureLog failureLog;
    private volatile boolean closed;

    /**
     * Starts the writer thread.
     *
     * @param description names the database in thread names and error messages, e.g.
     *        {@code event log /var/lib/sink/client/events.db}
     * @param maxWritesPerTransaction most queued writes committed together in one transaction
     */
    public GroupCommitWriter(SqlExecutor sql, String description, int maxWritesPerTransaction) {
        this(sql, description, maxWritesPerTransaction, () -> { });
    }

    /**
     * @param beforeBatch runs on the writer thread before each transaction of queued writes; when it
     *        throws, the transaction is not begun and every write of the batch fails with what it threw
     *        (e.g. {@link DatabaseFileChangedException})
     */
    public GroupCommitWriter(SqlExecutor sql, String description, int maxWritesPerTransaction,
            Runnable beforeBatch) {
        this.beforeBatch = Objects.requireNonNull(beforeBatch, "beforeBatch");
        this.failureLog = new FailureLog(LOG, description, java.time.Duration.ofMinutes(1));
        this.sql = Objects.requireNonNull(sql, "sql");
        this.description = Objects.requireNonNull(description, "description");
        if (maxWritesPerTransaction < 1) {
            throw new IllegalArgumentException("maxWritesPerTransaction must be at least 1, got "
                    + maxWritesPerTransaction);
        }
        this.maxWritesPerTransaction = maxWritesPerTransaction;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sink-store-writer " + description);
            t.setDaemon(true);
            return t;
        });
        // on close: queued batches still run, delayed maintenance does not
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
    }

    /**
     * Queues {@code work} for the next transaction and waits until that transaction has committed.
     *
     * @return what the work returned
     * @throws RuntimeException what the work threw (an {@link SQLException} wrapped in an
     *         {@link IllegalStateException} naming the database), or the commit's failure
     */
    public <T> T write(SqlWork<T> work) {
        return await(submit(work));
    }

    /** Queues {@code work} for the next transaction; the future completes after its commit. */
    public <T> CompletableFuture<T> submit(SqlWork<T> work) {
        Objects.requireNonNull(work, "work");
        return enqueue(new PendingWrite<>(work, null, null));
    }

    /**
     * Queues one item of {@code batch} for the next transaction, to be written together with the
     * items of the same {@code batch} next to it in that transaction (see {@link BatchWork}); the
     * future completes after the commit, with what the item's write returned.
     */
    public <I, T> CompletableFuture<T> submit(BatchWork<I, T> batch, I item) {
        Objects.requireNonNull(batch, "batch");
        return enqueue(new PendingWrite<>(c -> batch.runOne(c, item), batch, item));
    }

    /**
     * Queues items of {@code batch} together, in order, as {@link #submit(BatchWork, Object)} queues
     * one: the writer thread is woken once for all of them, after they are all queued, so that items
     * that arrived together (e.g. decoded from one network read) fall into one transaction unless it
     * would exceed the maximum of writes per transaction. The futures are in the order of the items.
     */
    public <I, T> List<CompletableFuture<T>> submitAll(BatchWork<I, T> batch, List<? extends I> items) {
        Objects.requireNonNull(batch, "batch");
        List<PendingWrite<T>> pending = new ArrayList<>(items.size());
        List<CompletableFuture<T>> futures = new ArrayList<>(items.size());
        for (I item : items) {
            PendingWrite<T> w = new PendingWrite<>(c -> batch.runOne(c, item), batch, item);
            pending.add(w);
            futures.add(w.future);
        }
        if (closed) {
            pending.forEach(w -> w.future.completeExceptionally(closedException()));
            return futures;
        }
        queue.addAll(pending);
        queued.addAndGet(pending.size());
        try {
            scheduleFlush();
        } catch (RejectedExecutionException e) {
            // closed meanwhile: unless a last batch already took them, fail them here
            for (PendingWrite<T> w : pending) {
                if (queue.remove(w)) {
                    queued.decrementAndGet();
                    w.future.completeExceptionally(closedException());
                }
            }
        }
        return futures;
    }

    private <T> CompletableFuture<T> enqueue(PendingWrite<T> pending) {
        if (closed) {
            pending.future.completeExceptionally(closedException());
            return pending.future;
        }
        queue.add(pending);
        queued.incrementAndGet();
        try {
            scheduleFlush();
        } catch (RejectedExecutionException e) {
            // closed meanwhile: unless a last batch already took it, fail it here
            if (queue.remove(pending)) {
                queued.decrementAndGet();
                pending.future.completeExceptionally(closedException());
            }
        }
        return pending.future;
    }

    /** Runs maintenance on the writer thread, after the batches queued before it. */
    public void execute(Runnable task) {
        executor.execute(task);
    }

    /** Runs maintenance periodically on the writer thread; stopped by {@link #close()}. */
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, long initialDelay, long delay, TimeUnit unit) {
        return executor.scheduleWithFixedDelay(task, initialDelay, delay, unit);
    }

    /** Transactions committed for queued writes (maintenance excluded). */
    public long transactions() {
        return transactions.get();
    }

    /** Queued writes that were committed (a write rolled back to its savepoint is not counted). */
    public long committedWrites() {
        return writes.get();
    }

    /** Transactions of queued writes that failed (their writes are not stored). */
    public long failedTransactions() {
        return failedTransactions.get();
    }

    /**
     * Groups of {@link BatchWork} items whose {@link BatchWork#runAll} failed and that were written one
     * by one instead.
     */
    public long batchRetries() {
        return batchRetries.get();
    }

    /** Writes queued and not yet taken by the writer thread. */
    public int queuedWrites() {
        return queued.get();
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
        // cleared before draining: a write queued after this point schedules a flush of its own
        flushScheduled.set(false);
        List<PendingWrite<?>> batch = new ArrayList<>();
        PendingWrite<?> next;
        while (batch.size() < maxWritesPerTransaction && (next = queue.poll()) != null) {
            batch.add(next);
        }
        queued.addAndGet(-batch.size());
        if (batch.isEmpty()) {
            return;
        }
        try {
            beforeBatch.run();
            sql.write(c -> {
                try (Statement savepoints = c.createStatement()) {
                    int i = 0;
                    while (i < batch.size()) {
                        PendingWrite<?> w = batch.get(i);
                        int end = i + 1;
                        while (w.group != null && end < batch.size() && batch.get(end).group == w.group) {
                            end++;
                        }
                        if (end - i == 1) {
                            w.runInSavepoint(c, savepoints);
                        } else {
                            runGroup(c, savepoints, batch.subList(i, end));
                        }
                        i = end;
                    }
                }
                return null;
            });
            transactions.incrementAndGet();
            for (PendingWrite<?> w : batch) {
                if (w.committed()) {
                    writes.incrementAndGet();
                }
            }
            batch.forEach(PendingWrite::complete);
            failureLog.succeeded();
        } catch (SQLException | RuntimeException | Error e) {
            // nothing of the batch is committed: the executor rolled back (and replaced the writer's
            // connection when its state was unknown), so every caller learns that its write is not stored
            failedTransactions.incrementAndGet();
            String message = description + ": " + SqliteFailures.describe(e) + "; the transaction of "
                    + batch.size() + (batch.size() == 1 ? " write" : " writes") + " failed and is not stored";
            failureLog.failed(message, e);
            Throwable failure;
            if (e instanceof Error) {
                failure = e;
            } else if (e instanceof DatabaseFileChangedException changed) {
                failure = changed;
            } else {
                failure = new IllegalStateException(message, e);
            }
            for (PendingWrite<?> w : batch) {
                w.fail(failure);
            }
        } finally {
            if (!queue.isEmpty()) {
                try {
                    scheduleFlush();
                } catch (RejectedExecutionException e) {
                    // closing: close() fails whatever is left
                }
            }
        }
    }

    /**
     * Runs consecutive items of one {@link BatchWork} in one call and one savepoint; when that fails,
     * rolls it back and runs each item in its own savepoint.
     */
    @SuppressWarnings("unchecked")
    private void runGroup(java.sql.Connection c, Statement savepoints, List<PendingWrite<?>> group)
            throws SQLException {
        BatchWork<Object, Object> work = (BatchWork<Object, Object>) group.get(0).group;
        List<Object> items = new ArrayList<>(group.size());
        for (PendingWrite<?> w : group) {
            items.add(w.item);
        }
        savepoints.execute("SAVEPOINT sink_batch");
        List<Object> results;
        try {
            results = work.runAll(c, items);
            if (results == null || results.size() != items.size()) {
                throw new IllegalStateException("a batch of " + items.size() + " writes returned "
                        + (results == null ? "no results" : results.size() + " results"));
            }
        } catch (SQLException | RuntimeException e) {
            rollbackTo(savepoints, "sink_batch", e);
            savepoints.execute("RELEASE sink_batch");
            batchRetries.incrementAndGet();
            LOG.debug("{}: a batch of {} writes failed ({}); writing them one by one", description, items.size(),
                    e.toString());
            for (PendingWrite<?> w : group) {
                w.runInSavepoint(c, savepoints);
            }
            return;
        }
        savepoints.execute("RELEASE sink_batch");
        for (int i = 0; i < group.size(); i++) {
            ((PendingWrite<Object>) group.get(i)).result = results.get(i);
        }
    }

    /**
     * Rolls back to a savepoint after {@code cause}; when SQLite already rolled back the whole
     * transaction (e.g. after SQLITE_FULL), throws: the whole batch fails, for the reason the write failed.
     */
    private static void rollbackTo(Statement savepoints, String savepoint, Exception cause) throws SQLException {
        try {
            savepoints.execute("ROLLBACK TO " + savepoint);
        } catch (SQLException rollback) {
            SQLException whole = new SQLException("SQLite rolled back the transaction after a failed write: "
                    + cause.getMessage(), cause);
            whole.addSuppressed(rollback);
            throw whole;
        }
    }

    private RuntimeException failure(String what, Throwable e) {
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (SqliteFailures.isStorage(e)) {
            return new IllegalStateException(description + ": " + SqliteFailures.describe(e) + "; the " + what
                    + " is not stored", e);
        }
        return new IllegalStateException(description + ": " + what + " failed: " + e.getMessage(), e);
    }

    private IllegalStateException closedException() {
        return new IllegalStateException(description + " is closed");
    }

    private <T> T await(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a write to the " + description
                    + " to commit; it may still be committed", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(description + ": write failed: " + cause, cause);
        }
    }

    /**
     * Stops accepting writes, lets the writer thread commit what is queued (waiting at most
     * {@code timeout}), stops maintenance and the thread. Writes still queued after that fail.
     */
    public void close(long timeout, TimeUnit unit) {
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
        PendingWrite<?> left;
        while ((left = queue.poll()) != null) {
            queued.decrementAndGet();
            left.fail(closedException());
        }
    }

    @Override
    public void close() {
        close(30, TimeUnit.SECONDS);
    }

    /** Waits for the writer thread to have run everything submitted before this call. */
    void awaitIdle(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        CompletableFuture<Void> done = new CompletableFuture<>();
        executor.execute(() -> done.complete(null));
        done.get(timeout, unit);
    }

    /** One queued write and what became of it. Touched by the writer thread only, until completed. */
    private final class PendingWrite<T> {
        private final SqlWork<T> work;
        /** The batch this write is an item of, or null. */
        private final BatchWork<?, T> group;
        private final Object item;
        private final CompletableFuture<T> future = new CompletableFuture<>();
        private T result;
        private RuntimeException failure;

        PendingWrite(SqlWork<T> work, BatchWork<?, T> group, Object item) {
            this.work = work;
            this.group = group;
            this.item = item;
        }

        void runInSavepoint(java.sql.Connection c, Statement savepoints) throws SQLException {
            savepoints.execute("SAVEPOINT sink_write");
            try {
                result = work.run(c);
            } catch (SQLException | RuntimeException e) {
                failure = failure("write", e);
                rollbackTo(savepoints, "sink_write", e);
            }
            savepoints.execute("RELEASE sink_write");
        }

        boolean committed() {
            return failure == null;
        }

        void complete() {
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete(result);
            }
        }

        void fail(Throwable batchFailure) {
            future.completeExceptionally(failure != null ? failure : batchFailure);
        }
    }
}
