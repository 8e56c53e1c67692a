package io.sink.itests;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

/** Waiting on conditions with a deadline, for tests inside the framework. Never a bare sleep. */
public final class Await {

    /** Default deadline: generous for a loaded 2-core machine, short enough for a failing test. */
    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /**
     * Returns when {@code condition} holds; fails with {@code what} (and the time waited) when it still
     * does not after {@code timeout}.
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        until(() -> what, timeout, condition);
    }

    /** As {@link #until(String, Duration, BooleanSupplier)}, the message computed at the deadline. */
    public static void until(Supplier<String> what, Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting until "
                        + what.get());
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
        }
    }

    /** The service {@code type} registered with a property matching {@code filter}, waited for. */
    public static <T> T service(BundleContext context, Class<T> type, String filter, Duration timeout)
            throws InterruptedException {
        return tracked(context, type, filter, timeout).getService();
    }

    /**
     * An open tracker holding at least one service {@code type} matching {@code filter} (null for any):
     * the caller closes it, which releases the service.
     */
    public static <T> ServiceTracker<T, T> tracked(BundleContext context, Class<T> type, String filter,
            Duration timeout) throws InterruptedException {
        String objectClass = "(objectClass=" + type.getName() + ")";
        String expression = filter == null ? objectClass : "(&" + objectClass + filter + ")";
        Filter f;
        try {
            f = FrameworkUtil.createFilter(expression);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad service filter '" + filter + "': " + e.getMessage(), e);
        }
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, f, null);
        tracker.open();
        if (tracker.waitForService(timeout.toMillis()) == null) {
            tracker.close();
            throw new AssertionError("no service " + expression + " within " + timeout.toMillis() + " ms; "
                    + Bundles.describe(context));
        }
        return tracker;
    }
}
