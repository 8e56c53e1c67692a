package io.sink.store.sqlite.internal;

import io.sink.api.AckKey;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The sequences of the events {@code unacknowledged()} handed out and not yet acknowledged, by ack key,
 * so that an acknowledgement can find its row by sequence (the table's rowid) instead of searching the
 * ack-key index. Only a hint: the statement that uses a sequence also matches the row's ack key, and an
 * acknowledgement whose key is not here (or whose row no longer matches) is recorded by ack key as
 * before. Bounded: beyond {@code capacity} keys, new ones are not remembered. Thread-safe.
 */
final class HandedOut {
    private final int capacity;
    private final Map<AckKey, Long> sequences = new HashMap<>();

    /** @param capacity most keys remembered; 0 remembers none */
    HandedOut(int capacity) {
        this.capacity = capacity;
    }

    /** Remembers the sequences of {@code events}, as far as the capacity allows. */
    synchronized void handedOut(List<LoggedEvent> events) {
        for (LoggedEvent e : events) {
            if (sequences.size() >= capacity) {
                return;
            }
            sequences.put(e.event().ackKey(), e.sequence());
        }
    }

    /** The sequence of each key, 0 where none is known (sequences start at 1). */
    synchronized long[] sequencesOf(List<AckKey> keys) {
        long[] found = new long[keys.size()];
        if (sequences.isEmpty()) {
            return found;
        }
        for (int i = 0; i < found.length; i++) {
            Long sequence = sequences.get(keys.get(i));
            if (sequence != null) {
                found[i] = sequence;
            }
        }
        return found;
    }

    /** Forgets acknowledged keys. */
    synchronized void acknowledged(Collection<AckKey> keys) {
        if (!sequences.isEmpty()) {
            for (AckKey k : keys) {
                sequences.remove(k);
            }
        }
    }

    synchronized int size() {
        return sequences.size();
    }
}
