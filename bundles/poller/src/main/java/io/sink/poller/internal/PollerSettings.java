package io.sink.poller.internal;

import io.sink.api.Limits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the poller works: its window, its tick and the streams. Checked on construction; messages
 * name the configuration property.
 *
 * @param window        most events in flight at once, 1..4095
 * @param period        time between polls when nothing wakes the poller sooner
 * @param jitter        relative jitter of each period, 0 to below 1 (0.1 = +-10%)
 * @param streams       the named streams with the event types each claims
 * @param defaultStream the stream that takes every type no other stream claims
 */
public record PollerSettings(int window, Duration period, double jitter, List<StreamSpec> streams,
        String defaultStream) {
    /** Shortest period accepted. */
    public static final Duration MIN_PERIOD = Duration.ofMillis(10);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    /** A stream and the event types it claims. */
    public record StreamSpec(String name, Set<Long> eventTypeIds) {
        public StreamSpec {
            Objects.requireNonNull(name, "name");
            eventTypeIds = Set.copyOf(eventTypeIds);
        }
    }

    public PollerSettings {
        Objects.requireNonNull(period, "period");
        streams = List.copyOf(streams);
        if (window < 1 || window > Limits.MAX_WINDOW) {
            throw new IllegalArgumentException("window must be between 1 and " + Limits.MAX_WINDOW + ", got " + window);
        }
        if (period.compareTo(MIN_PERIOD) < 0) {
            throw new IllegalArgumentException("periodMillis must be at least " + MIN_PERIOD.toMillis() + ", got "
                    + period.toMillis());
        }
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("jitter must be at least 0 and below 1, got " + jitter);
        }
        requireName("defaultStream", defaultStream);
        Map<Long, String> owner = new HashMap<>();
        Set<String> names = new LinkedHashSet<>();
        names.add(defaultStream);
        for (StreamSpec s : streams) {
            requireName("streams", s.name());
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("streams: the stream name " + s.name() + " is used twice"
                        + (s.name().equals(defaultStream) ? " (it is the defaultStream)" : ""));
            }
            if (s.eventTypeIds().isEmpty()) {
                throw new IllegalArgumentException("streams: stream " + s.name() + " claims no event type");
            }
            for (long type : s.eventTypeIds()) {
                String previous = owner.putIfAbsent(type, s.name());
                if (previous != null) {
                    throw new IllegalArgumentException("streams: event type " + type + " is claimed by both "
                            + previous + " and " + s.name());
                }
            }
        }
    }

    private static void requireName(String property, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(property + ": a stream name must be 1 to 64 letters, digits, '_', "
                    + "'.' or '-' starting with a letter or digit, got '" + name + "'");
        }
    }

    /**
     * Reads the {@code streams} property: entries {@code name=type[,type...]}, e.g.
     * {@code readings=1} and {@code config=2,3}.
     */
    public static List<StreamSpec> parseStreams(String[] entries) {
        List<StreamSpec> specs = new ArrayList<>();
        if (entries == null) {
            return specs;
        }
        for (String entry : entries) {
            if (entry == null || entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("streams: entry '" + entry + "' must be name=type[,type...], e.g. "
                        + "readings=1");
            }
            String name = entry.substring(0, eq).trim();
            Set<Long> types = new LinkedHashSet<>();
            for (String t : entry.substring(eq + 1).split(",")) {
                String type = t.trim();
                long id;
                try {
                    id = Long.parseLong(type);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("streams: entry '" + entry + "': '" + type
                            + "' is not an event type id (a number from 0)", e);
                }
                if (id < 0) {
                    throw new IllegalArgumentException("streams: entry '" + entry + "': event type id " + id
                            + " is negative");
                }
                types.add(id);
            }
            specs.add(new StreamSpec(name, types));
        }
        return specs;
    }

    /** Every event type claimed by a named stream: what the default stream excludes. */
    public Set<Long> claimedTypes() {
        Set<Long> all = new LinkedHashSet<>();
        streams.forEach(s -> all.addAll(s.eventTypeIds()));
        return all;
    }

    /** Every stream name, the default stream last. */
    public List<String> streamNames() {
        List<String> names = new ArrayList<>();
        streams.forEach(s -> names.add(s.name()));
        names.add(defaultStream);
        return names;
    }
}
