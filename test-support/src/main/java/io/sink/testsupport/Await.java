package io.sink.testsupport;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Waits on a condition with a deadline (Awaitility, polled on the calling thread), for every test and
 * harness outside the framework; fails with the description when the condition does not hold in time.
 * Never a bare sleep.
 */
public final class Await {
    /** The default deadline: generous for a loaded 2-core machine, short enough for a failing test. */
    public static final Duration DEFAULT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(5);

    private Await() {
    }

    /** Returns once {@code condition} holds; fails after {@link #DEFAULT}. */
    public static void until(String description, BooleanSupplier condition) {
        until(description, DEFAULT, condition);
    }

    /** Returns once {@code condition} holds; fails with {@code description} after {@code timeout}. */
    public static void until(String description, Duration timeout, BooleanSupplier condition) {
        until(() -> description, timeout, condition);
    }

    /** As {@link #until(String, Duration, BooleanSupplier)}, the description computed on failure (a status). */
    public static void until(Supplier<String> description, Duration timeout, BooleanSupplier condition) {
        if (!holds(timeout, condition)) {
            throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + description.get());
        }
    }

    /** Whether {@code condition} came to hold within {@code timeout} (for a test that reports rather than fails). */
    public static boolean holds(Duration timeout, BooleanSupplier condition) {
        try {
            Awaitility.await().pollInSameThread().pollDelay(Duration.ZERO).pollInterval(POLL).atMost(timeout)
                    .until(condition::getAsBoolean);
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }
}
