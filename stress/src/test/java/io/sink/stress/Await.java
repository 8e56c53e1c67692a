package io.sink.stress;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline; fails with the description when it does not hold in time. */
final class Await {
    private Await() {
    }

    static void until(String description, Duration timeout, BooleanSupplier condition) {
        until(() -> description, timeout, condition);
    }

    /** As {@link #until(String, Duration, BooleanSupplier)}, the description computed on failure (a status). */
    static void until(Supplier<String> description, Duration timeout, BooleanSupplier condition) {
        if (!holds(timeout, condition)) {
            throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + description.get());
        }
    }

    /** Whether the condition came to hold within the timeout. */
    static boolean holds(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        return true;
    }
}
