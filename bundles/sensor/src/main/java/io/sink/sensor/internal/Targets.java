package io.sink.sensor.internal;

import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;

/** Checks target filters from the configuration, so a typo fails activation with a clear message. */
final class Targets {
    private Targets() {
    }

    static String check(String pid, String property, String filter) {
        try {
            FrameworkUtil.createFilter(filter);
            return filter;
        } catch (InvalidSyntaxException | NullPointerException e) {
            throw new IllegalArgumentException("configuration " + pid + ": " + property + " is not a valid filter: '"
                    + filter + "'" + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
        }
    }
}
