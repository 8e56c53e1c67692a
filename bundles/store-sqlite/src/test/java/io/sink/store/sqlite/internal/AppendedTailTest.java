package io.sink.store.sqlite.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.Event;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-memory tail of appended events answers only what it knows exactly; the database the rest. */
class AppendedTailTest {

    @TempDir
    Path dir;

    private static LoggedEvent event(long sequence, long type) {
        return new LoggedEvent(sequence, new Event(type, 1, "k".getBytes(UTF_8), sequence, 0, new byte[] {1}));
    }

    private static List<Long> sequences(Optional<List<LoggedEvent>> read) {
        return read.orElseThrow().stream().map(LoggedEvent::sequence).toList();
    }

    @Test
    void answersOnlyTheContiguousRunAboveItsBase() {
        AppendedTail tail = new AppendedTail(100, 10);
        assertThat(tail.unacknowledged(Set.of(), Set.of(), 10, 5)).as("nothing appended: the database").isEmpty();
        tail.appended(event(12, 1)); // 11 committed, its appender not back yet
        assertThat(tail.unacknowledged(Set.of(), Set.of(), 10, 5)).as("11 unknown").isEmpty();
        tail.appended(event(11, 1));
        assertThat(sequences(tail.unacknowledged(Set.of(), Set.of(), 10, 5))).containsExactly(11L, 12L);
        assertThat(sequences(tail.unacknowledged(Set.of(), Set.of(), 11, 5))).containsExactly(12L);
        assertThat(tail.unacknowledged(Set.of(), Set.of(), 12, 5)).as("at its end: the database").isEmpty();
        assertThat(tail.unacknowledged(Set.of(), Set.of(), 9, 5)).as("below its base").isEmpty();
    }

    @Test
    void acknowledgedEventsLeaveAndTypesAreSelected() {
        AppendedTail tail = new AppendedTail(100, 0);
        for (long s = 1; s <= 6; s++) {
            tail.appended(event(s, s % 2));
        }
        tail.acknowledged(List.of(event(2, 0).event().ackKey(), event(3, 1).event().ackKey()));
        assertThat(sequences(tail.unacknowledged(Set.of(), Set.of(), 0, 10))).containsExactly(1L, 4L, 5L, 6L);
        assertThat(sequences(tail.unacknowledged(Set.of(1L), Set.of(), 0, 10))).containsExactly(1L, 5L);
        assertThat(sequences(tail.unacknowledged(Set.of(), Set.of(1L), 0, 10))).containsExactly(4L, 6L);
        assertThat(sequences(tail.unacknowledged(Set.of(), Set.of(), 0, 2))).containsExactly(1L, 4L);
    }

    @Test
    void anEventAcknowledgedBeforeTheAppendBelowItRegistersDoesNotStopTheTail() {
        AppendedTail tail = new AppendedTail(100, 0);
        tail.appended(event(2, 1)); // 1 committed too, its appender's thread not back yet
        // 2 read from the database (above the tail's run), published, ACKed and recorded meanwhile
        tail.acknowledged(List.of(event(2, 1).event().ackKey()));
        tail.appended(event(1, 1));
        tail.appended(event(3, 1));
        assertThat(sequences(tail.unacknowledged(Set.of(), Set.of(), 0, 10))).containsExactly(1L, 3L);
        tail.acknowledged(List.of(event(1, 1).event().ackKey()));
        assertThat(sequences(tail.unacknowledged(Set.of(), Set.of(), 0, 10)))
                .as("a poller rewound to the start (a reconnect) still finds 3").containsExactly(3L);
        assertThat(tail.size()).isEqualTo(1);
    }

    @Test
    void anAppendThatNeverRegistersHandsTheReadsBelowTheLaterOnesToTheDatabase() {
        AppendedTail tail = new AppendedTail(4, 0);
        for (long s = 2; s <= 6; s++) {
            tail.appended(event(s, 1)); // 1 committed, and its appender never registers it
        }
        assertThat(tail.unacknowledged(Set.of(), Set.of(), 0, 10)).as("more waiting than the tail holds").isEmpty();
        tail.appended(event(7, 1));
        assertThat(sequences(tail.unacknowledged(Set.of(), Set.of(), 6, 10))).containsExactly(7L);
        tail.appended(event(1, 1)); // too late: the database has it
        assertThat(tail.unacknowledged(Set.of(), Set.of(), 0, 10)).isEmpty();
        assertThat(tail.unacknowledged(Set.of(), Set.of(), 5, 10)).isEmpty();
    }

    @Test
    void evictionRaisesTheFloorAndAResetStartsAfterTheSwappedEvents() {
        AppendedTail tail = new AppendedTail(3, 0);
        for (long s = 1; s <= 5; s++) {
            tail.appended(event(s, 1));
        }
        assertThat(tail.size()).isEqualTo(3);
        assertThat(tail.unacknowledged(Set.of(), Set.of(), 1, 10)).as("2 was evicted").isEmpty();
        assertThat(sequences(tail.unacknowledged(Set.of(), Set.of(), 2, 10))).containsExactly(3L, 4L, 5L);

        tail.reset(9); // a swap moved events 6..9 in
        assertThat(tail.unacknowledged(Set.of(), Set.of(), 5, 10)).isEmpty();
        tail.appended(event(10, 1));
        assertThat(sequences(tail.unacknowledged(Set.of(), Set.of(), 9, 10))).containsExactly(10L);
        assertThat(tail.unacknowledged(Set.of(), Set.of(), 8, 10)).isEmpty();
    }

    @Test
    void theLogPublishesAppendsFromMemoryAndReadsTheDatabaseAfterARestart() {
        List<LoggedEvent> logged;
        try (SqliteEventLog log = TestStores.open(dir)) {
            logged = List.of(log.appendNext(1, 1, "a".getBytes(UTF_8), 1, new byte[] {1}),
                    log.appendNext(1, 1, "a".getBytes(UTF_8), 2, new byte[] {2}),
                    log.appendNext(2, 1, "b".getBytes(UTF_8), 3, new byte[] {3}));
            long servedBefore = log.appendedTail()[1];
            assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 10)).containsExactlyElementsOf(logged);
            assertThat(log.appendedTail()[1]).as("answered from memory").isEqualTo(servedBefore + 1);
            log.acknowledge(List.of(logged.get(0).event().ackKey()));
            assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 10)).containsExactlyElementsOf(logged.subList(1, 3));
            assertThat(log.unacknowledged(Set.of(2L), Set.of(), 0, 10)).containsExactly(logged.get(2));
        }
        try (SqliteEventLog log = TestStores.open(dir)) {
            assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 10)).containsExactlyElementsOf(logged.subList(1, 3));
            assertThat(log.appendedTail()[1]).as("after a restart: the database").isZero();
            LoggedEvent next = log.appendNext(1, 1, "a".getBytes(UTF_8), 4, new byte[] {4});
            assertThat(next.sequence()).isEqualTo(4);
            assertThat(log.unacknowledged(Set.of(), Set.of(), 3, 10)).containsExactly(next);
            assertThat(log.appendedTail()[1]).isEqualTo(1);
        }
    }

    @Test
    void eventsAdoptedInASwapAreReadFromTheDatabaseAndTheTailGoesOnAfterThem() {
        try (SqliteEventLog from = TestStores.open(dir.resolve("a"));
                SqliteEventLog to = TestStores.open(dir.resolve("b"))) {
            List<LoggedEvent> own = List.of(to.appendNext(1, 1, "b".getBytes(UTF_8), 1, new byte[] {1}),
                    to.appendNext(1, 1, "b".getBytes(UTF_8), 2, new byte[] {2}));
            List<Event> moved = List.of(from.appendNext(1, 1, "a".getBytes(UTF_8), 1, new byte[] {3}).event(),
                    from.appendNext(1, 1, "a".getBytes(UTF_8), 2, new byte[] {4}).event());
            assertThat(to.unacknowledged(Set.of(), Set.of(), 0, 10)).containsExactlyElementsOf(own);

            to.adopt(moved, from.lastEvents());
            List<LoggedEvent> all = to.unacknowledged(Set.of(), Set.of(), 0, 10);
            assertThat(all).extracting(LoggedEvent::event).containsExactly(own.get(0).event(), own.get(1).event(),
                    moved.get(0), moved.get(1));
            assertThat(to.unacknowledged(Set.of(), Set.of(), 2, 10)).extracting(LoggedEvent::event)
                    .containsExactlyElementsOf(moved);
            LoggedEvent next = to.appendNext(1, 1, "a".getBytes(UTF_8), 1, new byte[] {5});
            assertThat(next.event().offset()).as("offsets continue after the moved events").isEqualTo(3);
            assertThat(next.sequence()).isEqualTo(5);
            long served = to.appendedTail()[1];
            assertThat(to.unacknowledged(Set.of(), Set.of(), 4, 10)).containsExactly(next);
            assertThat(to.appendedTail()[1]).as("from memory").isEqualTo(served + 1);
            assertThat(to.unacknowledged(Set.of(), Set.of(), 2, 10)).hasSize(3);
        }
    }
}
