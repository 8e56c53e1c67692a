package io.sink.transport.internal.netty;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Stops an owned executor: no new work, waits for what runs, then interrupts what is left. */
public final class Shutdown {
    private Shutdown() {
    }

    public static void executor(ExecutorService executor, long timeoutSeconds) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(timeoutSeconds, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
