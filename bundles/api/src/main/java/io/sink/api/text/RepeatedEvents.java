package io.sink.api.text;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Log lines for events that an attacker can repeat at will (failed handshakes, unknown
 * certificates, refused connections, undecodable or conflicting events from one client): the first
 * of each kind in an interval is logged in full,
 * the others only counted, and the count is logged once the interval is over. A thousand garbage
 * connections then write two lines, not a thousand. Thread-safe; time comes from the caller.
 */
public final class RepeatedEvents {
    private final long intervalNanos;
    private final Map<String, Window> kinds = new LinkedHashMap<>();

    private static final class Window {
        final long start;
        long suppressed;
        String latest;

        Window(long start) {
            this.start = start;
        }
    }

    public RepeatedEvents(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + interval);
        }
        this.intervalNanos = interval.toNanos();
    }

    /**
     * One event of {@code kind}; {@code line} describes it in full.
     *
     * @return the lines to log now: a summary of the previous interval if it just ended, and this
     *         event's line if it is the first of its interval; nothing when it is only counted
     */
    public synchronized List<String> occurred(String kind, String line, long nowNanos) {
        List<String> out = new ArrayList<>(2);
        Window w = kinds.get(kind);
        if (w != null && nowNanos - w.start >= intervalNanos) {
            summary(kind, w, nowNanos).ifPresent(out::add);
            w = null;
        }
        if (w == null) {
            kinds.put(kind, new Window(nowNanos));
            out.add(line + " (more of these within " + intervalSeconds() + " s are counted, not logged)");
        } else {
            w.suppressed++;
            w.latest = line;
        }
        return out;
    }

    /** The summaries of every interval that has ended; called periodically. */
    public synchronized List<String> flush(long nowNanos) {
        List<String> out = new ArrayList<>();
        var it = kinds.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (nowNanos - e.getValue().start >= intervalNanos) {
                summary(e.getKey(), e.getValue(), nowNanos).ifPresent(out::add);
                it.remove();
            }
        }
        return out;
    }

    /** Events counted and not logged yet, all kinds. */
    public synchronized long suppressed() {
        return kinds.values().stream().mapToLong(w -> w.suppressed).sum();
    }

    private Optional<String> summary(String kind, Window w, long nowNanos) {
        if (w.suppressed == 0) {
            return Optional.empty();
        }
        long seconds = Math.max(1, Duration.ofNanos(nowNanos - w.start).toSeconds());
        return Optional.of(w.suppressed + " more " + kind + " in the last " + seconds + " s; the latest: " + w.latest);
    }

    private long intervalSeconds() {
        return Math.max(1, Duration.ofNanos(intervalNanos).toSeconds());
    }
}
