package io.sink.server.store.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.Event;
import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.ReceivedEventStore.Outcome;
import io.sink.api.server.ReceivedEventStore.StoredEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link ReceivedEventStore} contract, for every engine (SQLite, PostgreSQL): durability before a
 * stage completes, a store that never blocks, de-duplication and conflicts (also within one batch),
 * reads, reopening, closing, concurrency. An engine's test extends this class and says how to open its
 * store on one database; its own tests add what only it can show (transactions, schema, query plans).
 *
 * <p>Reuse from another module: depend on {@code io.sink:sink-server-store} with
 * {@code <type>test-jar</type>} and {@code <scope>test</scope>}.
 */
public abstract class ReceivedEventStoreContract {
    protected static final Duration TIMEOUT = Duration.ofSeconds(60);

    protected ReceivedEventStore store;

    /** Opens the store on this test's database: a fresh one for each test, the same one within a test. */
    protected abstract ReceivedEventStore open(Clock clock) throws Exception;

    /** Closes a store made by {@link #open}: it commits what is queued, later calls fail. */
    protected abstract void close(ReceivedEventStore store) throws Exception;

    /** The events committed in the database, counted on a connection of its own (committed rows only). */
    protected abstract long committedEvents() throws Exception;

    /** Holds the store's writer thread (so that stores queue) until the returned latch is counted down. */
    protected abstract CountDownLatch holdWriter(ReceivedEventStore store) throws Exception;

    /** A reading of {@code sensor} at {@code offset}, the same content each time. */
    protected static Event reading(String sensor, long offset) {
        return Event.of(1, 1, sensor, offset, 1_700_000_000L + offset, new byte[] {(byte) offset, 7});
    }

    protected static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    @BeforeEach
    void openStore() throws Exception {
        store = open(Clock.systemUTC());
    }

    @AfterEach
    void closeStore() throws Exception {
        if (store != null) {
            close(store);
        }
    }

    private void reopen(Clock clock) throws Exception {
        close(store);
        store = null;
        store = open(clock);
    }

    @Test
    void anEventIsCommittedBeforeItsStageCompletes() throws Exception {
        CompletableFuture<Long> seenAtCompletion = store.store("alice", reading("kitchen", 1)).toCompletableFuture()
                .thenApply(outcome -> {
                    try {
                        return committedEvents();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        assertThat(seenAtCompletion.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(store.count("alice")).isEqualTo(1);
    }

    @Test
    @Timeout(60) // a store() that waited for the held writer would never return
    void storeReturnsAtOnceWhileTheWriterIsBusy() throws Exception {
        CountDownLatch release = holdWriter(store);
        List<CompletionStage<Outcome>> stages = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            stages.add(store.store("alice", reading("kitchen", i)));
        }
        assertThat(stages).noneMatch(s -> s.toCompletableFuture().isDone());
        release.countDown();
        for (CompletionStage<Outcome> s : stages) {
            assertThat(await(s)).isEqualTo(Outcome.STORED);
        }
        assertThat(store.count("alice")).isEqualTo(100);
        assertThat(committedEvents()).isEqualTo(100);
    }

    @Test
    void aResentEventIsStoredOnceAndReportedAsDuplicate() throws Exception {
        Event first = reading("kitchen", 12);
        Event resent = reading("kitchen", 12); // the same event again, as after a lost ACK
        assertThat(await(store.store("alice", first))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", resent))).isEqualTo(Outcome.DUPLICATE);
        assertThat(await(store.store("alice", first))).isEqualTo(Outcome.DUPLICATE);
        assertThat(store.count("alice")).isEqualTo(1);
        assertThat(committedEvents()).isEqualTo(1);
        assertThat(store.latest("alice", 10)).extracting(StoredEvent::event).containsExactly(first);
    }

    @Test
    void anotherEventReusingAnAckKeyIsAConflictNotADuplicate() throws Exception {
        Event first = reading("kitchen", 12);
        Event otherData = Event.of(1, 1, "kitchen", 12, first.timestamp(), new byte[] {9, 9});
        Event otherTime = new Event(first.eventTypeId(), first.schemaVersion(), first.key(), first.offset(),
                first.timestamp() + 1, first.eventData());
        Event otherSchema = new Event(first.eventTypeId(), first.schemaVersion() + 1, first.key(), first.offset(),
                first.timestamp(), first.eventData());
        assertThat(await(store.store("alice", first))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", otherData))).isEqualTo(Outcome.CONFLICT);
        assertThat(await(store.store("alice", otherTime))).isEqualTo(Outcome.CONFLICT);
        assertThat(await(store.store("alice", otherSchema))).isEqualTo(Outcome.CONFLICT);
        assertThat(committedEvents()).isEqualTo(1);
        assertThat(store.count("alice")).isEqualTo(1);
        assertThat(store.latest("alice", 10)).extracting(StoredEvent::event).containsExactly(first);
    }

    @Test
    void theSameAckKeyFromAnotherClientOrOfAnotherTypeIsAnotherEvent() throws Exception {
        assertThat(await(store.store("alice", reading("kitchen", 1)))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("bob", reading("kitchen", 1)))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", Event.of(2, 1, "kitchen", 1, 5, new byte[0]))))
                .isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", reading("kitchen", 2)))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", reading("hall", 1)))).isEqualTo(Outcome.STORED);
        assertThat(store.count("alice")).isEqualTo(4);
        assertThat(store.count("bob")).isEqualTo(1);
        assertThat(store.count("carol")).isZero();
    }

    @Test
    void duplicatesAndConflictsInOneBatchAreStoredOnce() throws Exception {
        await(store.store("alice", reading("hall", 1)));
        CountDownLatch release = holdWriter(store);
        Event conflicting = Event.of(1, 1, "kitchen", 1, 5, new byte[] {1});
        List<CompletionStage<Outcome>> stages = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stages.add(store.store("alice", reading("kitchen", 1)));
        }
        stages.add(store.store("alice", conflicting));
        stages.add(store.store("alice", reading("hall", 1))); // stored before this batch
        stages.add(store.store("alice", Event.of(1, 1, "hall", 1, 5, new byte[] {1}))); // conflicts with it
        stages.add(store.store("bob", reading("kitchen", 1)));
        release.countDown();
        List<Outcome> outcomes = new ArrayList<>();
        for (CompletionStage<Outcome> s : stages) {
            outcomes.add(await(s));
        }
        assertThat(outcomes).containsExactly(Outcome.STORED, Outcome.DUPLICATE, Outcome.DUPLICATE, Outcome.CONFLICT,
                Outcome.DUPLICATE, Outcome.CONFLICT, Outcome.STORED);
        assertThat(committedEvents()).isEqualTo(3);
        assertThat(store.count("alice")).isEqualTo(2);
        assertThat(store.latest("alice", 1)).extracting(StoredEvent::event).containsExactly(reading("kitchen", 1));
    }

    @Test
    void eventsStoredTogetherAreAnsweredOneByOneInOrder() throws Exception {
        await(store.store("alice", reading("hall", 1)));
        List<Event> events = List.of(reading("kitchen", 1), reading("kitchen", 2), reading("hall", 1),
                Event.of(1, 1, "hall", 1, 5, new byte[] {1}), reading("kitchen", 1), reading("kitchen", 3));
        List<CompletionStage<Outcome>> stages = store.storeAll("alice", events);
        assertThat(stages).hasSize(events.size());
        List<Outcome> outcomes = new ArrayList<>();
        for (CompletionStage<Outcome> s : stages) {
            outcomes.add(await(s));
        }
        assertThat(outcomes).containsExactly(Outcome.STORED, Outcome.STORED, Outcome.DUPLICATE, Outcome.CONFLICT,
                Outcome.DUPLICATE, Outcome.STORED);
        assertThat(committedEvents()).isEqualTo(4);
        assertThat(store.count("alice")).isEqualTo(4);
        assertThat(store.latest("alice", 3)).extracting(StoredEvent::event)
                .containsExactly(reading("kitchen", 3), reading("kitchen", 2), reading("kitchen", 1));
        assertThat(store.storeAll("alice", List.of())).isEmpty();
    }

    @Test
    void latestIsNewestFirstWithItsReceiptTime() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC);
        reopen(clock);
        for (int i = 1; i <= 5; i++) {
            await(store.store("alice", reading("kitchen", i)));
            await(store.store("bob", reading("hall", i)));
        }
        assertThat(store.latest("alice", 3)).extracting(e -> e.event().offset()).containsExactly(5L, 4L, 3L);
        assertThat(store.latest("alice", 100)).hasSize(5).allSatisfy(e -> {
            assertThat(e.clientId()).isEqualTo("alice");
            assertThat(e.event().keyAsString()).isEqualTo("kitchen");
            assertThat(e.receivedAt()).isEqualTo(clock.instant());
        });
        assertThat(store.latest("alice", 1).get(0).event()).isEqualTo(reading("kitchen", 5));
        assertThat(store.latest("alice", 0)).isEmpty();
        assertThat(store.latest("nobody", 10)).isEmpty();
        assertThatThrownBy(() -> store.latest("alice", -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("count");
        assertThatThrownBy(() -> store.latest("alice", 10_001)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("count");
        assertThatThrownBy(() -> store.count("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clientId");
        assertThatThrownBy(() -> store.store("", reading("kitchen", 1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clientId");
    }

    @Test
    void eventsWithExtremeValuesRoundTrip() throws Exception {
        Event big = new Event(Long.MAX_VALUE, Long.MAX_VALUE, new byte[] {0, (byte) 0xff}, Long.MAX_VALUE,
                Long.MAX_VALUE, new byte[60_000]);
        Event empty = new Event(0, 0, new byte[0], 0, 0, new byte[0]);
        byte[] longKey = new byte[30_000]; // beyond what one B-tree entry holds in PostgreSQL
        Arrays.fill(longKey, (byte) 'k');
        Event longKeyed = new Event(1, 1, longKey, 3, 4, new byte[30_000]);
        byte[] otherLongKey = longKey.clone();
        otherLongKey[29_999] = 'x';
        Event otherLongKeyed = new Event(1, 1, otherLongKey, 3, 4, new byte[30_000]);
        assertThat(await(store.store("alice", big))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", empty))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", longKeyed))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", otherLongKeyed))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", longKeyed))).isEqualTo(Outcome.DUPLICATE);
        assertThat(store.latest("alice", 4)).extracting(StoredEvent::event)
                .containsExactly(otherLongKeyed, longKeyed, empty, big);
        String unicode = "caf\u00e9-\u4e2d\u6587-\ud83d\ude00";
        assertThat(await(store.store(unicode, reading("kitchen", 1)))).isEqualTo(Outcome.STORED);
        assertThat(store.count(unicode)).isEqualTo(1);
        assertThat(store.latest(unicode, 1).get(0).clientId()).isEqualTo(unicode);
    }

    @Test
    void eventsSurviveAReopen() throws Exception {
        await(store.store("alice", reading("kitchen", 1)));
        reopen(Clock.systemUTC());
        assertThat(store.count("alice")).isEqualTo(1);
        assertThat(await(store.store("alice", reading("kitchen", 1)))).isEqualTo(Outcome.DUPLICATE);
        assertThat(await(store.store("alice", reading("kitchen", 2)))).isEqualTo(Outcome.STORED);
        assertThat(store.latest("alice", 5)).extracting(e -> e.event().offset()).containsExactly(2L, 1L);
    }

    @Test
    void closeCommitsWhatIsQueuedAndLaterStoresFail() throws Exception {
        CountDownLatch release = holdWriter(store);
        List<CompletionStage<Outcome>> stages = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            stages.add(store.store("alice", reading("kitchen", i)));
        }
        ReceivedEventStore closing = store;
        Thread closer = new Thread(() -> {
            try {
                close(closing);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "closer");
        closer.start();
        release.countDown();
        closer.join(TIMEOUT.toMillis());
        assertThat(closer.isAlive()).isFalse();
        for (CompletionStage<Outcome> s : stages) {
            assertThat(await(s)).isEqualTo(Outcome.STORED);
        }
        assertThatThrownBy(() -> await(closing.store("alice", reading("kitchen", 4))))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("received-event store")
                .hasMessageContaining("closed");
        assertThat(committedEvents()).isEqualTo(3);
        store = null;
    }

    @Test
    void concurrentClientsLoseNothingAndStoreNothingTwice() throws Exception {
        int clients = 8;
        int perClient = 250;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<List<Outcome>>> tasks = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                String client = "client-" + c;
                tasks.add(pool.submit(() -> {
                    // like a network thread: many stores in flight, and every event sent twice
                    List<CompletionStage<Outcome>> inFlight = new ArrayList<>();
                    for (int i = 1; i <= perClient; i++) {
                        inFlight.add(store.store(client, reading("sensor", i)));
                        inFlight.add(store.store(client, reading("sensor", i)));
                    }
                    List<Outcome> outcomes = new ArrayList<>();
                    for (CompletionStage<Outcome> s : inFlight) {
                        outcomes.add(await(s));
                    }
                    return outcomes;
                }));
            }
            for (Future<List<Outcome>> task : tasks) {
                List<Outcome> outcomes = task.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(outcomes).filteredOn(o -> o == Outcome.STORED).hasSize(perClient);
                assertThat(outcomes).filteredOn(o -> o == Outcome.DUPLICATE).hasSize(perClient);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(committedEvents()).isEqualTo((long) clients * perClient);
        for (int c = 0; c < clients; c++) {
            assertThat(store.count("client-" + c)).isEqualTo(perClient);
            assertThat(store.latest("client-" + c, 1).get(0).event().offset()).isEqualTo(perClient);
        }
    }

    @Test
    void typesAndOffsetsAboveTheLongRangeAreStoredAndRecognisedAgain() throws Exception {
        // unsigned 64-bit values: 2^64-1 and 2^63 are negative longs with the same bits
        Event top = new Event(-1L, Long.MIN_VALUE, new byte[] {1}, -1L, 1, new byte[] {2});
        Event next = new Event(-1L, Long.MIN_VALUE, new byte[] {1}, Long.MIN_VALUE, 1, new byte[] {2});
        assertThat(await(store.store("alice", top))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", next))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", top))).isEqualTo(Outcome.DUPLICATE);
        assertThat(await(store.store("alice", new Event(-1L, Long.MIN_VALUE, new byte[] {1}, -1L, 1, new byte[] {3}))))
                .isEqualTo(Outcome.CONFLICT);
        assertThat(store.latest("alice", 2)).extracting(ReceivedEventStore.StoredEvent::event)
                .containsExactly(next, top);
    }
}
