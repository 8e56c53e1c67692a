package io.sink.store.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.EventLogFullException;
import io.sink.api.client.GroundEventLog;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.api.client.InstanceIdStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link GroundEventLog} (and {@link InstanceIdStore}) contract, for every store. A store's test
 * extends this class and says how to make a fresh, empty log; the store's own tests add what only
 * it can show (durability across a restart, its size limit, its query costs).
 *
 * <p>Reuse from another module: depend on {@code io.sink:sink-store-memory} with
 * {@code <type>test-jar</type>} and {@code <scope>test</scope>}.
 */
public abstract class GroundEventLogContract {
    private static final long READING = 1;
    private static final long CONFIG = 2;
    private static final long OTHER = 3;

    protected GroundEventLog log;

    /** A fresh, empty log. */
    protected abstract GroundEventLog createLog() throws Exception;

    /** Releases the log made by {@link #createLog()}; by default nothing. */
    protected void close(GroundEventLog log) throws Exception {
    }

    /**
     * A fresh log that is full after a few (at most 10,000) small events, or {@code null} when the
     * store's limit cannot be made that small; the size-limit test is skipped then.
     */
    protected GroundEventLog createSmallLog() throws Exception {
        return null;
    }

    /** The instance id store of this log, or {@code null} when the store keeps none. */
    protected InstanceIdStore instanceIdStore(GroundEventLog log) {
        return log instanceof InstanceIdStore store ? store : null;
    }

    @BeforeEach
    final void createFreshLog() throws Exception {
        log = createLog();
    }

    @AfterEach
    final void closeLog() throws Exception {
        close(log);
    }

    private static byte[] key(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] data(int i) {
        return new byte[] {(byte) i, 0x00, (byte) 0xff};
    }

    private LoggedEvent next(long type, String key, int i) {
        return log.appendNext(type, 1, key(key), 1_700_000_000L + i, data(i));
    }

    private static List<Long> sequences(List<LoggedEvent> events) {
        return events.stream().map(LoggedEvent::sequence).toList();
    }

    // ------------------------------------------------------------------ appendNext and last events

    @Test
    void appendNextCountsOffsetsFromOnePerTypeAndKey() {
        LoggedEvent a1 = next(READING, "a", 1);
        LoggedEvent a2 = next(READING, "a", 2);
        LoggedEvent b1 = next(READING, "b", 3);
        LoggedEvent a3 = next(READING, "a", 4);
        LoggedEvent otherTypeA1 = next(CONFIG, "a", 5);

        assertThat(List.of(a1, a2, b1, a3, otherTypeA1)).extracting(e -> e.event().offset())
                .containsExactly(1L, 2L, 1L, 3L, 1L);
        assertThat(sequences(List.of(a1, a2, b1, a3, otherTypeA1))).isSorted().doesNotHaveDuplicates();
        assertThat(a2.event()).isEqualTo(Event.of(READING, 1, "a", 2, 1_700_000_002L, data(2)));
        assertThat(log.queueSize()).isEqualTo(5);
    }

    @Test
    void appendNextMakesTheEventItsKeysLastEvent() {
        next(READING, "b", 1);
        next(READING, "a", 2);
        LoggedEvent a2 = next(READING, "a", 3);
        LoggedEvent config = next(CONFIG, "a", 4);

        assertThat(log.lastEvent(READING, key("a"))).contains(a2.event());
        assertThat(log.lastEvent(CONFIG, key("a"))).contains(config.event());
        assertThat(log.lastEvent(READING, key("c"))).isEmpty();
        assertThat(log.lastEvent(OTHER, key("a"))).isEmpty();
        assertThat(log.lastEvents(READING)).extracting(Event::keyAsString, Event::offset)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 2L),
                        org.assertj.core.groups.Tuple.tuple("b", 1L));
        assertThat(log.lastEvents(OTHER)).isEmpty();
    }

    @Test
    void lastEventsAndOffsetsOutliveAcknowledgement() {
        LoggedEvent a1 = next(READING, "a", 1);
        LoggedEvent a2 = next(READING, "a", 2);
        log.acknowledge(List.of(a1.event().ackKey(), a2.event().ackKey()));

        assertThat(log.queueSize()).isZero();
        assertThat(log.lastEvent(READING, key("a"))).contains(a2.event());
        assertThat(next(READING, "a", 3).event().offset()).isEqualTo(3);
    }

    @Test
    void binaryKeysAndDataRoundTrip() {
        byte[] key = {0x00, (byte) 0xff, 0x7f, (byte) 0x80};
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        LoggedEvent logged = log.appendNext(OTHER, 9, key, 42, data);

        Event expected = new Event(OTHER, 9, key, 1, 42, data);
        assertThat(logged.event()).isEqualTo(expected);
        assertThat(log.lastEvent(OTHER, key)).contains(expected);
        assertThat(log.nextEvent()).contains(expected);
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 10)).extracting(LoggedEvent::event)
                .containsExactly(expected);
    }

    @Test
    void badAppendNextArgumentsWriteNothing() {
        next(READING, "a", 1);
        assertThatThrownBy(() -> log.appendNext(READING, 1, key("a"), -5, data(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timestamp");
        assertThatThrownBy(() -> log.appendNext(READING, 1, key("a"), 1, new byte[70_000]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too large");

        assertThat(log.queueSize()).isEqualTo(1);
        assertThat(next(READING, "a", 2).event().offset()).isEqualTo(2);
    }

    @Test
    void concurrentAppendNextGivesGaplessOffsets() throws Exception {
        int threads = 4;
        int each = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Callable<List<Long>>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                writers.add(() -> {
                    List<Long> offsets = new ArrayList<>();
                    for (int i = 0; i < each; i++) {
                        offsets.add(next(READING, "shared", i).event().offset());
                    }
                    return offsets;
                });
            }
            Set<Long> offsets = new HashSet<>();
            for (Future<List<Long>> f : pool.invokeAll(writers)) {
                offsets.addAll(f.get(60, TimeUnit.SECONDS));
            }
            assertThat(offsets).hasSize(threads * each);
            assertThat(offsets).allMatch(o -> o >= 1 && o <= threads * each);
            assertThat(log.lastEvent(READING, key("shared")).orElseThrow().offset()).isEqualTo(threads * each);
            assertThat(log.queueSize()).isEqualTo(threads * each);
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    // ------------------------------------------------------------------ append(Event)

    @Test
    void appendKeepsTheOffsetGivenAndAppendNextContinuesAfterIt() {
        long sequence = log.append(Event.of(READING, 1, "a", 10, 5, data(1)));
        assertThat(log.lastEvent(READING, key("a")).orElseThrow().offset()).isEqualTo(10);
        assertThat(next(READING, "a", 2).event().offset()).isEqualTo(11);

        long older = log.append(Event.of(READING, 1, "a", 4, 5, data(3)));
        assertThat(older).isGreaterThan(sequence);
        assertThat(log.lastEvent(READING, key("a")).orElseThrow().offset()).as("a lower offset is not the last")
                .isEqualTo(11);
        assertThat(log.queueSize()).isEqualTo(3);
    }

    @Test
    void offsetsAboveTheLongRangeAreOrderedUnsigned() {
        log.append(Event.of(READING, 1, "a", Long.MAX_VALUE, 5, data(1)));
        log.append(Event.of(READING, 1, "a", Long.MIN_VALUE, 5, data(2)));
        log.append(Event.of(READING, 1, "a", 7, 5, data(3)));
        assertThat(log.lastEvent(READING, key("a")).orElseThrow().offset()).as("2^63 is the highest")
                .isEqualTo(Long.MIN_VALUE);
        assertThat(next(READING, "a", 4).event().offset()).isEqualTo(Long.MIN_VALUE + 1);
        log.append(Event.of(-1L, 1, "a", -1L, 5, data(5)));
        assertThatThrownBy(() -> log.appendNext(-1L, 1, key("a"), 5, data(6))).isInstanceOf(IllegalStateException.class)
                .hasMessage("the offsets of type 18446744073709551615 key \"a\" are used up: the last is 2^64-1");
        assertThat(log.queueSize()).isEqualTo(5);
    }

    @Test
    void appendRefusesAnAckKeyThatIsInTheLog() {
        Event event = Event.of(READING, 1, "a", 1, 5, data(1));
        log.append(event);
        assertThatThrownBy(() -> log.append(Event.of(READING, 1, "a", 1, 6, data(2))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already");
        assertThat(log.queueSize()).isEqualTo(1);
        assertThat(log.nextEvent()).contains(event);
    }

    // ------------------------------------------------------------------ unacknowledged

    @Test
    void emptyLogHasNoQueue() {
        assertThat(log.queueSize()).isZero();
        assertThat(log.nextEvent()).isEmpty();
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 100)).isEmpty();
        assertThat(log.lastEvents(READING)).isEmpty();
    }

    @Test
    void unacknowledgedComeInLogOrderAfterTheSequenceAndUpToTheLimit() {
        List<LoggedEvent> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            all.add(next(READING, "k" + (i % 3), i));
        }
        List<LoggedEvent> first = log.unacknowledged(Set.of(), Set.of(), 0, 4);
        assertThat(first).containsExactlyElementsOf(all.subList(0, 4));
        List<LoggedEvent> second = log.unacknowledged(Set.of(), Set.of(), first.get(3).sequence(), 4);
        assertThat(second).containsExactlyElementsOf(all.subList(4, 8));
        List<LoggedEvent> rest = log.unacknowledged(Set.of(), Set.of(), second.get(3).sequence(), 100);
        assertThat(rest).containsExactlyElementsOf(all.subList(8, 10));
        assertThat(log.unacknowledged(Set.of(), Set.of(), rest.get(1).sequence(), 100)).isEmpty();
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 0)).isEmpty();
    }

    @Test
    void negativeLimitIsRefused() {
        assertThatThrownBy(() -> log.unacknowledged(Set.of(), Set.of(), 0, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
    }

    @Test
    void typeFiltersIncludeAndExclude() {
        LoggedEvent r1 = next(READING, "a", 1);
        LoggedEvent c1 = next(CONFIG, "a", 2);
        LoggedEvent o1 = next(OTHER, "a", 3);
        LoggedEvent r2 = next(READING, "a", 4);
        LoggedEvent c2 = next(CONFIG, "b", 5);

        assertThat(log.unacknowledged(Set.of(READING), Set.of(), 0, 10)).containsExactly(r1, r2);
        assertThat(log.unacknowledged(Set.of(CONFIG, OTHER), Set.of(), 0, 10)).containsExactly(c1, o1, c2);
        assertThat(log.unacknowledged(Set.of(), Set.of(READING), 0, 10)).containsExactly(c1, o1, c2);
        assertThat(log.unacknowledged(Set.of(), Set.of(READING, CONFIG), 0, 10)).containsExactly(o1);
        assertThat(log.unacknowledged(Set.of(CONFIG, OTHER), Set.of(OTHER), 0, 10)).containsExactly(c1, c2);
        assertThat(log.unacknowledged(Set.of(CONFIG), Set.of(), c1.sequence(), 10)).containsExactly(c2);
        assertThat(log.unacknowledged(Set.of(READING), Set.of(), 0, 1)).containsExactly(r1);
        assertThat(log.unacknowledged(Set.of(99L), Set.of(), 0, 10)).isEmpty();
    }

    // ------------------------------------------------------------------ acknowledge

    @Test
    void acknowledgedEventsAreNotReturned() {
        LoggedEvent a1 = next(READING, "a", 1);
        LoggedEvent b1 = next(READING, "b", 2);
        LoggedEvent a2 = next(READING, "a", 3);

        log.acknowledge(List.of(a1.event().ackKey()));

        assertThat(log.queueSize()).isEqualTo(2);
        assertThat(log.nextEvent()).contains(b1.event());
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 10)).containsExactly(b1, a2);

        log.acknowledge(List.of(a2.event().ackKey(), b1.event().ackKey()));
        assertThat(log.queueSize()).isZero();
        assertThat(log.nextEvent()).isEmpty();
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 10)).isEmpty();
    }

    @Test
    void acknowledgingUnknownOrRepeatedKeysIsHarmless() {
        LoggedEvent a1 = next(READING, "a", 1);
        LoggedEvent a2 = next(READING, "a", 2);
        log.acknowledge(List.of());
        log.acknowledge(List.of(AckKey.of(READING, "nope", 1), AckKey.of(READING, "a", 99)));
        assertThat(log.queueSize()).isEqualTo(2);

        log.acknowledge(List.of(a1.event().ackKey(), a1.event().ackKey()));
        log.acknowledge(List.of(a1.event().ackKey()));
        assertThat(log.queueSize()).isEqualTo(1);
        assertThat(log.nextEvent()).contains(a2.event());
    }

    @Test
    void aBigAcknowledgementBatchIsOneCall() {
        List<AckKey> keys = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            keys.add(next(READING, "k" + (i % 7), i).event().ackKey());
        }
        LoggedEvent last = next(READING, "last", 0);
        log.acknowledge(keys);
        assertThat(log.queueSize()).isEqualTo(1);
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 10)).containsExactly(last);
    }

    @Test
    void nextEventIsTheFirstLoggedUnacknowledged() {
        LoggedEvent first = next(CONFIG, "x", 1);
        next(READING, "a", 2);
        assertThat(log.nextEvent()).contains(first.event());
    }

    // ------------------------------------------------------------------ size limit

    @Test
    void aFullLogRefusesAppendsButTakesAcknowledgements() throws Exception {
        GroundEventLog small = createSmallLog();
        assumeTrue(small != null, "this store's size limit cannot be made small");
        try {
            List<AckKey> logged = new ArrayList<>();
            EventLogFullException full = null;
            for (int i = 0; i < 10_000 && full == null; i++) {
                try {
                    logged.add(small.appendNext(READING, 1, key("s"), i, data(i)).event().ackKey());
                } catch (EventLogFullException e) {
                    full = e;
                }
            }
            assertThat(full).as("the log became full").isNotNull();
            assertThat(full.getMessage()).contains("full");
            assertThat(small.queueSize()).isEqualTo(logged.size());
            assertThat(small.lastEvent(READING, key("s")).orElseThrow().offset()).isEqualTo(logged.size());

            small.acknowledge(logged.subList(0, 1));
            assertThat(small.queueSize()).isEqualTo(logged.size() - 1);
        } finally {
            close(small);
        }
    }

    // ------------------------------------------------------------------ instance ids

    @Test
    void clientInstanceIdIsCreatedOnFirstUseAndKept() {
        InstanceIdStore ids = instanceIdStore(log);
        assumeTrue(ids != null, "this store keeps no instance ids");
        ClientInstanceIds first = ids.instanceIds();
        assertThat(first.server()).isEmpty();
        assertThat(ids.instanceIds()).isEqualTo(first);

        ids.storeServerInstanceId(new InstanceId(4_294_967_295L));
        ClientInstanceIds after = ids.instanceIds();
        assertThat(after.client()).isEqualTo(first.client());
        assertThat(after.server()).contains(new InstanceId(4_294_967_295L));

        ids.storeServerInstanceId(new InstanceId(7));
        assertThat(ids.instanceIds().server()).contains(new InstanceId(7));
    }

    @Test
    void countsUnacknowledgedEventsPerTypeWithoutLoadingThem() {
        next(READING, "a", 1);
        next(READING, "b", 2);
        LoggedEvent config = next(CONFIG, "c", 3);
        next(OTHER, "d", 4);
        log.acknowledge(List.of(config.event().ackKey()));
        assertThat(log.countUnacknowledged(Set.of(), Set.of())).isEqualTo(3);
        assertThat(log.countUnacknowledged(Set.of(READING), Set.of())).isEqualTo(2);
        assertThat(log.countUnacknowledged(Set.of(), Set.of(READING))).isEqualTo(1);
        assertThat(log.countUnacknowledged(Set.of(CONFIG), Set.of())).isZero();
    }

    @Test
    void lastEventsOfEveryTypeInTypeThenKeyOrder() {
        next(CONFIG, "z", 1);
        next(READING, "b", 2);
        next(READING, "a", 3);
        LoggedEvent b2 = next(READING, "b", 4);
        assertThat(log.lastEvents()).extracting(e -> e.eventTypeId() + ":" + e.keyAsString() + "#" + e.offset())
                .containsExactly("1:a#1", "1:b#2", "2:z#1");
        assertThat(log.lastEvents()).contains(b2.event());
    }

    @Test
    void adoptTakesOverEventsWithTheirAckKeysAndContinuesTheOffsets() throws Exception {
        GroundEventLog other = createLog();
        try {
            LoggedEvent a1 = next(READING, "a", 1);
            LoggedEvent a2 = next(READING, "a", 2);
            LoggedEvent c1 = next(CONFIG, "c", 3);
            log.acknowledge(List.of(a1.event().ackKey()));
            other.appendNext(READING, 1, key("mine"), 1, data(9));
            List<Event> pending = log.unacknowledged(Set.of(), Set.of(), 0, 100).stream().map(LoggedEvent::event)
                    .toList();
            other.adopt(pending, log.lastEvents());
            other.adopt(pending, log.lastEvents()); // again (after a crash between two steps): nothing doubles
            assertThat(other.unacknowledged(Set.of(), Set.of(), 0, 100)).extracting(e -> e.event().ackKey())
                    .containsExactly(AckKey.of(READING, "mine", 1), a2.event().ackKey(), c1.event().ackKey());
            assertThat(other.appendNext(READING, 1, key("a"), 1, data(5)).event().offset()).isEqualTo(3);
            assertThat(other.appendNext(CONFIG, 1, key("c"), 1, data(5)).event().offset()).isEqualTo(2);
            assertThat(other.appendNext(READING, 1, key("mine"), 1, data(5)).event().offset()).isEqualTo(2);
            // a last event older than the adopting log's own keeps the newer one
            other.adopt(List.of(), List.of(a1.event()));
            assertThat(other.lastEvent(READING, key("a")).orElseThrow().offset()).isEqualTo(3);
        } finally {
            close(other);
        }
    }
}
