package io.sink.server.auth.internal;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.NoSuchFileException;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an {@link AllowList} current: rescans it when the directory reports a change, and in any case
 * every rescan interval, because a WatchService can miss events (overflow, network file systems,
 * platforms where it polls, a directory deleted and created again). Each scan's result goes to a
 * listener, on the watcher's one thread.
 */
final class AllowListWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AllowListWatcher.class);
    /** After an event, scanning waits until the directory has been quiet this long... */
    private static final long QUIET_MILLIS = 100;
    /** ...but no longer than this, so a steady stream of changes cannot postpone scans. */
    private static final long MAX_COALESCE_MILLIS = 1000;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final AllowList allowList;
    private final long rescanMillis;
    private final Consumer<AllowList.ScanResult> listener;
    private final WatchService watchService;
    private final ExecutorService executor;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile boolean stopping;
    /** Only touched by the watcher thread. */
    private boolean registrationProblemReported;

    private AllowListWatcher(AllowList allowList, Duration rescanInterval, WatchService watchService,
            Consumer<AllowList.ScanResult> listener) {
        this.allowList = allowList;
        this.rescanMillis = rescanInterval.toMillis();
        this.watchService = watchService;
        this.listener = listener;
        this.executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "sink-allow-list-watcher");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts watching. The caller has scanned once already: the first scan here happens on the first
     * event or after one rescan interval.
     *
     * @param watchEvents whether to use a WatchService at all; without it, only the periodic rescan runs
     */
    static AllowListWatcher start(AllowList allowList, Duration rescanInterval, boolean watchEvents,
            Consumer<AllowList.ScanResult> listener) {
        if (rescanInterval.isNegative() || rescanInterval.isZero()) {
            throw new IllegalArgumentException("rescan interval must be positive, got " + rescanInterval);
        }
        WatchService watchService = null;
        if (watchEvents) {
            try {
                watchService = allowList.directory().getFileSystem().newWatchService();
            } catch (IOException | UnsupportedOperationException e) {
                LOG.warn("Cannot watch allow-list directory {} for changes ({}); it is rescanned every {} s instead",
                        allowList.directory(), e, rescanInterval.toSeconds());
            }
        }
        AllowListWatcher watcher = new AllowListWatcher(allowList, rescanInterval, watchService, listener);
        watcher.executor.execute(watcher::run);
        return watcher;
    }

    private void run() {
        WatchKey key = null;
        while (!stopping) {
            try {
                if (watchService != null && (key == null || !key.isValid())) {
                    key = register();
                }
                awaitChangeOrRescanTime();
                if (stopping) {
                    break;
                }
                listener.accept(allowList.scan());
            } catch (ClosedWatchServiceException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (IOException e) {
                LOG.error("Cannot read allow-list directory {}; keeping the allow-list as it was and retrying in {} ms",
                        allowList.directory(), rescanMillis, e);
            } catch (RuntimeException e) {
                LOG.error("Allow-list scan of {} failed; retrying in {} ms", allowList.directory(), rescanMillis, e);
            }
        }
        LOG.debug("Allow-list watcher of {} stopped", allowList.directory());
    }

    private WatchKey register() {
        try {
            WatchKey key = allowList.directory().register(watchService, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
            if (registrationProblemReported) {
                LOG.info("Watching allow-list directory {} for changes again", allowList.directory());
                registrationProblemReported = false;
            }
            return key;
        } catch (NoSuchFileException e) {
            // The scan reports the missing directory; the watch is registered once it is back.
            return null;
        } catch (IOException e) {
            if (!registrationProblemReported) {
                LOG.warn("Cannot watch allow-list directory {} ({}); relying on the rescan every {} ms",
                        allowList.directory(), e, rescanMillis);
                registrationProblemReported = true;
            }
            return null;
        }
    }

    /** Returns after a change (once the directory is quiet) or after one rescan interval. */
    private void awaitChangeOrRescanTime() throws InterruptedException {
        if (watchService == null) {
            stop.await(rescanMillis, TimeUnit.MILLISECONDS);
            return;
        }
        WatchKey signalled = watchService.poll(rescanMillis, TimeUnit.MILLISECONDS);
        if (signalled == null) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_COALESCE_MILLIS);
        while (signalled != null) {
            signalled.pollEvents();
            signalled.reset();
            if (System.nanoTime() - deadline >= 0) {
                break;
            }
            signalled = watchService.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the watcher thread and waits for it; a scan in progress finishes first. */
    @Override
    public void close() {
        stopping = true;
        stop.countDown();
        if (watchService != null) {
            try {
                watchService.close();
            } catch (IOException e) {
                LOG.warn("Closing the watch service of allow-list directory {} failed", allowList.directory(), e);
            }
        }
        // No interrupt: an interrupted read would look like an unreadable file and lock its client out.
        executor.shutdown();
        try {
            if (!executor.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Allow-list watcher of {} did not stop within {}; interrupting it", allowList.directory(),
                        STOP_TIMEOUT);
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
