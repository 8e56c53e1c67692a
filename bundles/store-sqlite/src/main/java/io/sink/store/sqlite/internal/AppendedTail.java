package io.sink.store.sqlite.internal;

import io.sink.api.AckKey;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The events appended to the log since it was opened, in memory and bounded, so that the poller
 * publishes what was just appended without reading it back from SQLite. The database stays the
 * source of truth: a read the tail cannot answer exactly goes to the database, and after a restart
 * the tail starts empty.
 *
 * <p><b>Why it is exact.</b> The log's sequences are {@code AUTOINCREMENT} and every insert runs on
 * the one writer thread, so the committed appends take the sequences {@code base + 1, base + 2, ...}
 * without a gap ({@code base} is the highest sequence ever used when the tail was reset). Appenders
 * register their event after its commit, in any order; {@link #high} is the highest sequence up to
 * which every committed append is registered. For a cursor in {@code [floor, high)} the unacknowledged
 * events after it up to {@code high} are exactly the registered entries there ({@code floor}: the
 * highest sequence evicted or below the base). An acknowledgement removes its entries after its commit.
 * A cursor outside that range, or a read that needs events beyond {@code high}, is answered by the
 * database (an event committed but not yet registered is read there; an append registers and then
 * notifies the outbox's listeners, so a poller that found nothing reads again).
 *
 * <p>An event registered above {@code high} can be read from the database, published and acknowledged
 * before the appends below it register (their appenders' threads not yet back, on a busy machine): it
 * is then kept as acknowledged, so that {@code high} still moves over it when they do. (Removing it
 * instead left a hole that {@code high} never passed: the tail went on answering reads below it with
 * the registered events only, and after a reconnect rewound the poller to the start, it answered
 * "nothing" for good while the database held every later event; the chaos test's flood caught it.)
 * When more events wait above {@code high} than the tail holds (an appender that never registers), the
 * tail gives the run up and starts again after the highest of them: reads below it go to the database.
 * One inexactness is left, on the safe side: an event acknowledged before its own append registers at
 * all is then kept as unacknowledged, so it is published once more and the server recognises it.
 *
 * <p>Not kept: events of a swap ({@link #reset} after {@code adopt}) and of {@code append(Event)} when
 * it inserts out of the contiguous run. Thread-safe (one lock; every operation is short).
 */
final class AppendedTail {
    private final int capacity;
    private final TreeMap<Long, LoggedEvent> bySequence = new TreeMap<>();
    private final Map<AckKey, Long> byKey = new HashMap<>();
    /** Registered sequences above {@link #high} (their predecessors are not registered yet). */
    private final TreeMap<Long, LoggedEvent> early = new TreeMap<>();
    /** The sequences in {@link #early} acknowledged already: {@code high} moves over them, the tail does not keep them. */
    private final Set<Long> acknowledgedEarly = new HashSet<>();
    private long floor;
    private long high;
    private long served;
    private long missed;

    /** @param capacity most events kept; 0 disables the tail (every read goes to the database) */
    AppendedTail(int capacity, long base) {
        this.capacity = capacity;
        this.floor = base;
        this.high = base;
    }

    /** Starts again after {@code base}, the highest sequence used now (after a swap into this log). */
    synchronized void reset(long base) {
        if (base > high) {
            startAfter(base);
        } else { // the waiting ones are all above high, so above base: only the run loses its start
            bySequence.headMap(base, true).clear();
            byKey.values().removeIf(s -> s <= base);
        }
        advance();
    }

    /** Forgets everything up to {@code sequence} and answers only after it. */
    private void startAfter(long sequence) {
        floor = sequence;
        high = sequence;
        bySequence.clear();
        byKey.clear();
        early.headMap(sequence, true).clear();
        acknowledgedEarly.removeIf(s -> s <= sequence);
    }

    /** An append committed at {@code logged.sequence()}. */
    synchronized void appended(LoggedEvent logged) {
        if (capacity == 0 || logged.sequence() <= high) {
            return; // disabled, or below the run (a reset happened meanwhile): the database has it
        }
        early.put(logged.sequence(), logged);
        advance();
    }

    private void advance() {
        LoggedEvent next;
        while ((next = early.remove(high + 1)) != null) {
            high++;
            if (!acknowledgedEarly.remove(high)) {
                bySequence.put(high, next);
                byKey.put(next.event().ackKey(), high);
            }
        }
        if (early.size() > capacity) {
            startAfter(early.lastKey()); // an append below them never registered: the database answers
        }
        while (bySequence.size() > capacity) {
            Map.Entry<Long, LoggedEvent> oldest = bySequence.pollFirstEntry();
            byKey.remove(oldest.getValue().event().ackKey());
            floor = Math.max(floor, oldest.getKey());
        }
    }

    /** Acknowledgements committed: their events leave the tail. */
    synchronized void acknowledged(Collection<AckKey> keys) {
        if (bySequence.isEmpty() && early.isEmpty()) {
            return;
        }
        for (AckKey k : keys) {
            Long sequence = byKey.remove(k);
            if (sequence != null) {
                bySequence.remove(sequence);
            }
        }
        if (!early.isEmpty()) {
            Set<AckKey> acknowledged = keys instanceof Set<AckKey> set ? set : new HashSet<>(keys);
            early.forEach((sequence, e) -> {
                if (acknowledged.contains(e.event().ackKey())) {
                    acknowledgedEarly.add(sequence); // kept: high moves over it once the appends below register
                }
            });
        }
    }

    /**
     * The unacknowledged events after {@code afterSequence} of the types selected (as the store's
     * query selects them), at most {@code limit}; empty when the tail cannot answer exactly.
     */
    synchronized Optional<List<LoggedEvent>> unacknowledged(Set<Long> types, Set<Long> excluded, long afterSequence,
            int limit) {
        if (afterSequence < floor || afterSequence >= high) {
            missed++;
            return Optional.empty();
        }
        List<LoggedEvent> found = new ArrayList<>(Math.min(limit, bySequence.size()));
        Iterator<LoggedEvent> it = bySequence.tailMap(afterSequence, false).values().iterator();
        while (found.size() < limit && it.hasNext()) {
            LoggedEvent e = it.next();
            long type = e.event().eventTypeId();
            if ((types.isEmpty() || types.contains(type)) && !excluded.contains(type)) {
                found.add(e);
            }
        }
        served++;
        return Optional.of(found);
    }

    /** Reads the tail answered, and reads it passed to the database. */
    synchronized long[] counters() {
        return new long[] {served, missed};
    }

    synchronized int size() {
        return bySequence.size();
    }
}
