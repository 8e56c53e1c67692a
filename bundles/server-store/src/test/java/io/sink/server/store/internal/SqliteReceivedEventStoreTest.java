package io.sink.server.store.internal;

import static io.sink.server.store.internal.TestStores.TIMEOUT;
import static io.sink.server.store.internal.TestStores.reading;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.Event;
import io.sink.api.server.ReceivedEventStore.Outcome;
import io.sink.api.server.ReceivedEventStore.StoredEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SqliteReceivedEventStoreTest {

    @TempDir
    Path dir;
    SqliteReceivedEventStore store;

    @BeforeEach
    void open() {
        store = TestStores.open(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static Outcome await(CompletionStage<Outcome> stage) throws Exception {
        return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private long rowsOnDisk() throws SQLException {
        try (Connection c = TestStores.connect(dir.resolve("events.db"))) {
            return TestStores.queryLong(c, "SELECT count(*) FROM received_events");
        }
    }

    @Test
    void anEventIsOnDiskBeforeItsStageCompletes() throws Exception {
        CompletableFuture<Long> seenAtCompletion = store.store("alice", reading("kitchen", 1)).toCompletableFuture()
                .thenApply(outcome -> {
                    try {
                        return rowsOnDisk(); // another connection: sees only committed rows
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
        assertThat(seenAtCompletion.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(store.count("alice")).isEqualTo(1);
    }

    @Test
    @Timeout(60) // a store() that waited for the held writer would never return
    void storeReturnsAtOnceWhileTheWriterIsBusy() throws Exception {
        CountDownLatch release = TestStores.blockWriter(store);
        List<CompletionStage<Outcome>> stages = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            stages.add(store.store("alice", reading("kitchen", i)));
        }
        assertThat(stages).noneMatch(s -> s.toCompletableFuture().isDone());
        release.countDown();
        for (CompletionStage<Outcome> s : stages) {
            assertThat(await(s)).isEqualTo(Outcome.STORED);
        }
    }

    @Test
    void aResentEventIsStoredOnceAndReportedAsDuplicate() throws Exception {
        Event first = reading("kitchen", 12);
        Event resent = reading("kitchen", 12); // the same event again, as after a lost ACK
        assertThat(await(store.store("alice", first))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", resent))).isEqualTo(Outcome.DUPLICATE);
        assertThat(await(store.store("alice", first))).isEqualTo(Outcome.DUPLICATE);
        assertThat(store.count("alice")).isEqualTo(1);
        assertThat(rowsOnDisk()).isEqualTo(1);
        assertThat(store.latest("alice", 10)).extracting(StoredEvent::event).containsExactly(first);
        assertThat(store.duplicateCount()).isEqualTo(2);
    }

    @Test
    void anotherEventReusingAnAckKeyIsAConflictNotADuplicate() throws Exception {
        Event first = reading("kitchen", 12);
        Event other = Event.of(1, 1, "kitchen", 12, 1_800_000_000L, new byte[] {9, 9}); // same ack key
        Event otherTime = new Event(first.eventTypeId(), first.schemaVersion(), first.key(), first.offset(),
                first.timestamp() + 1, first.eventData());
        assertThat(await(store.store("alice", first))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", other))).isEqualTo(Outcome.CONFLICT);
        assertThat(await(store.store("alice", otherTime))).isEqualTo(Outcome.CONFLICT);
        assertThat(rowsOnDisk()).isEqualTo(1);
        assertThat(store.latest("alice", 10)).extracting(StoredEvent::event).containsExactly(first);
        assertThat(store.duplicateCount()).isZero();
        assertThat(store.storedCount()).isEqualTo(1);
    }

    @Test
    void theSameAckKeyFromAnotherClientOrOfAnotherTypeIsAnotherEvent() throws Exception {
        assertThat(await(store.store("alice", reading("kitchen", 1)))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("bob", reading("kitchen", 1)))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", Event.of(2, 1, "kitchen", 1, 5, new byte[0]))))
                .isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", reading("kitchen", 2)))).isEqualTo(Outcome.STORED);
        assertThat(store.count("alice")).isEqualTo(3);
        assertThat(store.count("bob")).isEqualTo(1);
        assertThat(store.count("carol")).isZero();
    }

    @Test
    void duplicatesInOneBatchAreStoredOnce() throws Exception {
        CountDownLatch release = TestStores.blockWriter(store);
        List<CompletionStage<Outcome>> stages = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            stages.add(store.store("alice", reading("kitchen", 1)));
        }
        release.countDown();
        List<Outcome> outcomes = new ArrayList<>();
        for (CompletionStage<Outcome> s : stages) {
            outcomes.add(await(s));
        }
        assertThat(outcomes).containsExactly(Outcome.STORED, Outcome.DUPLICATE, Outcome.DUPLICATE,
                Outcome.DUPLICATE, Outcome.DUPLICATE);
        assertThat(rowsOnDisk()).isEqualTo(1);
    }

    @Test
    void latestIsNewestFirstWithItsReceiptTime() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC);
        store.close();
        store = TestStores.open(TestStores.settings(dir), clock);
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
        assertThatThrownBy(() -> store.count("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clientId");
    }

    @Test
    void eventsWithExtremeValuesRoundTrip() throws Exception {
        Event big = new Event(Long.MAX_VALUE, Long.MAX_VALUE, new byte[] {0, (byte) 0xff}, Long.MAX_VALUE,
                Long.MAX_VALUE, new byte[60_000]);
        Event empty = new Event(0, 0, new byte[0], 0, 0, new byte[0]);
        assertThat(await(store.store("alice", big))).isEqualTo(Outcome.STORED);
        assertThat(await(store.store("alice", empty))).isEqualTo(Outcome.STORED);
        assertThat(store.latest("alice", 2)).extracting(StoredEvent::event).containsExactly(empty, big);
    }

    @Test
    void eventsSurviveAReopen() throws Exception {
        await(store.store("alice", reading("kitchen", 1)));
        store.close();
        store = TestStores.open(dir);
        assertThat(store.count("alice")).isEqualTo(1);
        assertThat(await(store.store("alice", reading("kitchen", 1)))).isEqualTo(Outcome.DUPLICATE);
    }

    @Test
    void closeCommitsWhatIsQueuedAndLaterStoresFail() throws Exception {
        CountDownLatch release = TestStores.blockWriter(store);
        List<CompletionStage<Outcome>> stages = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            stages.add(store.store("alice", reading("kitchen", i)));
        }
        Thread closer = new Thread(store::close, "closer");
        closer.start();
        release.countDown();
        closer.join(TIMEOUT.toMillis());
        assertThat(closer.isAlive()).isFalse();
        for (CompletionStage<Outcome> s : stages) {
            assertThat(await(s)).isEqualTo(Outcome.STORED);
        }
        assertThatThrownBy(() -> await(store.store("alice", reading("kitchen", 4))))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("received-event store " + dir.resolve("events.db"))
                .hasMessageContaining("closed");
        assertThat(rowsOnDisk()).isEqualTo(3);
    }

    @Test
    void theDatabaseUsesWalAndFullSyncByDefault() throws Exception {
        try (Connection c = TestStores.connect(dir.resolve("events.db"))) {
            assertThat(TestStores.queryStrings(c, "PRAGMA journal_mode")).containsExactly("wal");
            assertThat(TestStores.queryLong(c, "PRAGMA user_version")).isEqualTo(2);
        }
        assertThat(store.settings().synchronous().name()).isEqualTo("FULL");
    }
}
