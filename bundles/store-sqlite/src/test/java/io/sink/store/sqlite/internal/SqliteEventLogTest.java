package io.sink.store.sqlite.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.sqlite.TestDb;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event log's behaviour, including the original example's tests (sensor readings). */
class SqliteEventLogTest {
    private static final long READING = 1;
    private static final long SCHEMA = 1;

    @TempDir
    Path dir;
    SqliteEventLog log;

    @BeforeEach
    void open() {
        log = TestStores.open(dir);
    }

    @AfterEach
    void close() {
        log.close();
    }

    /** The example's reading payload: the Erlang term {@code %{humidity: H, temperature: T}} (protocol 12). */
    static byte[] reading(int temperature, int humidity) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(HexFormat.of().parseHex("837400000002"));
        atom(out, "humidity");
        out.writeBytes(new byte[] {0x61, (byte) humidity});
        atom(out, "temperature");
        out.writeBytes(new byte[] {0x61, (byte) temperature});
        return out.toByteArray();
    }

    private static void atom(ByteArrayOutputStream out, String name) {
        out.write(0x64);
        out.write(0);
        out.write(name.length());
        out.writeBytes(name.getBytes(UTF_8));
    }

    private LoggedEvent logReading(String sensor, long timestamp, int temperature, int humidity) {
        return log.appendNext(READING, SCHEMA, sensor.getBytes(UTF_8), timestamp, reading(temperature, humidity));
    }

    @Test
    void theReadingPayloadMatchesTheProtocolExample() {
        assertThat(HexFormat.of().formatHex(reading(70, 40)))
                .isEqualTo("837400000002" + "640008" + HexFormat.of().formatHex("humidity".getBytes(UTF_8)) + "6128"
                        + "64000b" + HexFormat.of().formatHex("temperature".getBytes(UTF_8)) + "6146");
    }

    @Test
    void threeReadingsOnTwoSensorsGiveTwoLastReadingsAndThreeEvents() {
        logReading("sensor-a", 1000, 70, 40);
        logReading("sensor-b", 1001, 71, 41);
        logReading("sensor-a", 1002, 72, 42);

        List<Event> last = log.lastEvents(READING);
        assertThat(last).hasSize(2);
        assertThat(last.get(0)).isEqualTo(Event.of(READING, SCHEMA, "sensor-a", 2, 1002, reading(72, 42)));
        assertThat(last.get(1)).isEqualTo(Event.of(READING, SCHEMA, "sensor-b", 1, 1001, reading(71, 41)));

        List<LoggedEvent> events = log.unacknowledged(Set.of(), Set.of(), 0, 100);
        assertThat(events).extracting(e -> e.event().keyAsString() + "#" + e.event().offset())
                .containsExactly("sensor-a#1", "sensor-b#1", "sensor-a#2");
        assertThat(events).extracting(LoggedEvent::sequence).isSorted().doesNotHaveDuplicates();
        assertThat(log.queueSize()).isEqualTo(3);
        assertThat(log.lastEvent(READING, "sensor-b".getBytes(UTF_8))).contains(last.get(1));
        assertThat(log.lastEvent(READING, "sensor-c".getBytes(UTF_8))).isEmpty();
    }

    @Test
    void theQueueIsEmptyWithoutEvents() {
        assertThat(log.queueSize()).isZero();
        assertThat(log.nextEvent()).isEmpty();
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 10)).isEmpty();
        assertThat(log.lastEvents(READING)).isEmpty();
    }

    @Test
    void theNextEventIsTheFirstLogged() {
        LoggedEvent first = logReading("sensor-a", 1000, 70, 40);
        logReading("sensor-b", 1001, 71, 41);
        assertThat(log.nextEvent()).contains(first.event());
    }

    @Test
    void acknowledgedEventsAreNotReturned() {
        LoggedEvent a1 = logReading("sensor-a", 1000, 70, 40);
        LoggedEvent b1 = logReading("sensor-b", 1001, 71, 41);
        LoggedEvent a2 = logReading("sensor-a", 1002, 72, 42);

        log.acknowledge(List.of(a1.event().ackKey(), AckKey.of(READING, "unknown", 7)));

        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 10)).containsExactly(b1, a2);
        assertThat(log.nextEvent()).contains(b1.event());
        assertThat(log.queueSize()).isEqualTo(2);

        log.acknowledge(List.of(a1.event().ackKey(), b1.event().ackKey(), a2.event().ackKey()));
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 10)).isEmpty();
        assertThat(log.queueSize()).isZero();
        assertThat(log.nextEvent()).isEmpty();
        // acknowledging keeps the last reading of each sensor
        assertThat(log.lastEvents(READING)).containsExactly(a2.event(), b1.event());
    }

    @Test
    void offsetsCountPerTypeAndKeyFromOne() {
        assertThat(log.appendNext(1, 1, "k".getBytes(UTF_8), 1, new byte[0]).event().offset()).isEqualTo(1);
        assertThat(log.appendNext(1, 1, "k".getBytes(UTF_8), 2, new byte[0]).event().offset()).isEqualTo(2);
        assertThat(log.appendNext(2, 1, "k".getBytes(UTF_8), 3, new byte[0]).event().offset()).isEqualTo(1);
        assertThat(log.appendNext(1, 1, "j".getBytes(UTF_8), 4, new byte[0]).event().offset()).isEqualTo(1);
        assertThat(log.appendNext(1, 1, "k".getBytes(UTF_8), 5, new byte[0]).event().offset()).isEqualTo(3);
    }

    @Test
    void appendLogsAGivenEventAndAppendNextContinuesAfterIt() {
        Event e = Event.of(5, 2, "dev", 41, 123, new byte[] {1, 2, 3});
        long sequence = log.append(e);
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 10)).containsExactly(new LoggedEvent(sequence, e));
        assertThat(log.lastEvent(5, "dev".getBytes(UTF_8))).contains(e);

        assertThat(log.appendNext(5, 2, "dev".getBytes(UTF_8), 124, new byte[0]).event().offset()).isEqualTo(42);

        // an older event appended late is logged but does not replace the last event
        Event older = Event.of(5, 2, "dev", 7, 100, new byte[0]);
        log.append(older);
        assertThat(log.lastEvent(5, "dev".getBytes(UTF_8)).orElseThrow().offset()).isEqualTo(42);
        assertThat(log.queueSize()).isEqualTo(3);
    }

    @Test
    void anAckKeyIsLoggedOnce() {
        Event e = Event.of(5, 2, "dev", 1, 123, new byte[] {1});
        long sequence = log.append(e);
        assertThatThrownBy(() -> log.append(Event.of(5, 2, "dev", 1, 999, new byte[] {2})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(5, \"dev\", 1)")
                .hasMessageContaining("already in the event log")
                .hasMessageContaining("sequence " + sequence);
        assertThat(log.queueSize()).isEqualTo(1);
    }

    @Test
    void unacknowledgedFiltersByTypeAndPositionInLogOrder() {
        LoggedEvent t1a = log.appendNext(1, 1, "a".getBytes(UTF_8), 1, new byte[0]);
        LoggedEvent t2a = log.appendNext(2, 1, "a".getBytes(UTF_8), 2, new byte[0]);
        LoggedEvent t3a = log.appendNext(3, 1, "a".getBytes(UTF_8), 3, new byte[0]);
        LoggedEvent t1b = log.appendNext(1, 1, "b".getBytes(UTF_8), 4, new byte[0]);
        LoggedEvent t2b = log.appendNext(2, 1, "b".getBytes(UTF_8), 5, new byte[0]);

        assertThat(log.unacknowledged(Set.of(1L), Set.of(), 0, 10)).containsExactly(t1a, t1b);
        assertThat(log.unacknowledged(Set.of(1L, 3L), Set.of(), 0, 10)).containsExactly(t1a, t3a, t1b);
        assertThat(log.unacknowledged(Set.of(), Set.of(1L), 0, 10)).containsExactly(t2a, t3a, t2b);
        assertThat(log.unacknowledged(Set.of(1L, 2L), Set.of(2L), 0, 10)).containsExactly(t1a, t1b);
        assertThat(log.unacknowledged(Set.of(), Set.of(), t2a.sequence(), 10)).containsExactly(t3a, t1b, t2b);
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 2)).containsExactly(t1a, t2a);
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 0)).isEmpty();
        assertThatThrownBy(() -> log.unacknowledged(Set.of(), Set.of(), 0, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
    }

    @Test
    void lastEventsAreOrderedByKeyBytes() {
        log.appendNext(1, 1, new byte[] {(byte) 0xff}, 1, new byte[0]);
        log.appendNext(1, 1, new byte[] {0x01, 0x02}, 1, new byte[0]);
        log.appendNext(1, 1, new byte[] {0x01}, 1, new byte[0]);
        log.appendNext(1, 1, new byte[0], 1, new byte[0]);
        assertThat(log.lastEvents(1)).extracting(e -> HexFormat.of().formatHex(e.key()))
                .containsExactly("", "01", "0102", "ff");
    }

    @Test
    void emptyKeysAndDataAndLargeNumbersRoundTrip() {
        Event e = new Event(Long.MAX_VALUE, Long.MAX_VALUE, new byte[0], Long.MAX_VALUE, Long.MAX_VALUE, new byte[0]);
        log.append(e);
        assertThat(log.nextEvent()).contains(e);
        assertThat(log.lastEvent(Long.MAX_VALUE, new byte[0])).contains(e);
    }

    @Test
    void offsetsAboveTheLongRangeAreOrderedUnsigned() {
        // 2^63 - 1, 2^63 and 2^64 - 1: the last two are negative in SQLite's signed INTEGER
        byte[] k = "k".getBytes(UTF_8);
        Event below = new Event(-1L, 1, k, Long.MAX_VALUE, 1, new byte[0]);
        Event above = new Event(-1L, 1, k, Long.MIN_VALUE, 2, new byte[0]);
        log.append(below);
        log.append(above);
        assertThat(log.lastEvent(-1L, k)).as("2^63 is after 2^63-1").contains(above);
        log.append(new Event(-1L, 1, k, 5, 3, new byte[0]));
        assertThat(log.lastEvent(-1L, k)).as("5 is before 2^63").contains(above);
        log.append(new Event(-1L, 1, k, -1L, 4, new byte[0]));
        assertThat(log.lastEvent(-1L, k).orElseThrow().offset()).isEqualTo(-1L);
        assertThatThrownBy(() -> log.appendNext(-1L, 1, k, 5, new byte[0])).isInstanceOf(IllegalStateException.class)
                .hasMessage("the offsets of type 18446744073709551615 key \"k\" are used up: the last is 2^64-1");
        assertThat(log.queueSize()).isEqualTo(4);
        assertThat(log.nextEvent()).contains(below);
        log.acknowledge(List.of(above.ackKey(), below.ackKey()));
        assertThat(log.queueSize()).isEqualTo(2);
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyWrite() {
        long transactions = log.writer().transactions();
        assertThatThrownBy(() -> log.appendNext(1, 1, new byte[0], -1, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timestamp");
        assertThatThrownBy(() -> log.appendNext(1, 1, new byte[0], 1, new byte[70_000]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too large");
        assertThat(log.writer().transactions()).isEqualTo(transactions);
    }

    @Test
    void theClientInstanceIdIsCreatedOnceAndEverythingSurvivesAReopen() {
        ClientInstanceIds first = log.instanceIds();
        assertThat(first.server()).isEmpty();
        assertThat(log.instanceIds()).isEqualTo(first);
        log.storeServerInstanceId(new InstanceId(4_000_000_000L));
        LoggedEvent a1 = logReading("sensor-a", 1000, 70, 40);
        LoggedEvent a2 = logReading("sensor-a", 1001, 71, 40);
        log.acknowledge(List.of(a1.event().ackKey()));
        log.close();

        log = TestStores.open(dir);
        assertThat(log.instanceIds())
                .isEqualTo(new ClientInstanceIds(first.client(), Optional.of(new InstanceId(4_000_000_000L))));
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 10)).containsExactly(a2);
        assertThat(log.queueSize()).isEqualTo(1);
        assertThat(logReading("sensor-a", 1002, 72, 40).event().offset()).isEqualTo(3);

        log.storeServerInstanceId(new InstanceId(7));
        assertThat(log.instanceIds().server()).contains(new InstanceId(7));
    }

    @Test
    void twoLogsGetDifferentRandomClientIds(@TempDir Path other) {
        long a = log.instanceIds().client().value();
        try (SqliteEventLog second = SqliteEventLog.open(
                TestStores.executor(TestStores.settings(other).build()), TestStores.settings(other).build(),
                java.time.Clock.systemUTC(), new java.security.SecureRandom())) {
            assertThat(second.instanceIds().client().value()).isNotEqualTo(a);
        }
    }

    @Test
    void aClosedLogRefusesCalls() {
        log.close();
        assertThatThrownBy(() -> logReading("s", 1, 1, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed").hasMessageContaining(dir.toString());
        assertThatThrownBy(() -> log.queueSize()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void theDatabaseUsesWalAndFullSync() throws Exception {
        try (Connection c = TestDb.connect(dir.resolve("events.db"))) {
            assertThat(TestDb.queryStrings(c, "PRAGMA journal_mode")).containsExactly("wal");
            assertThat(TestDb.queryLong(c, "PRAGMA user_version")).isEqualTo(Schema.CURRENT_VERSION);
        }
        // synchronous is per connection: check the store's own connections
        assertThat(TestStores.readerPragma(log.settings(), "synchronous")).isEqualTo("2");
    }

    @Test
    void otherJournalModesCanBeConfigured(@TempDir Path other) throws Exception {
        try (SqliteEventLog deleteMode = TestStores.open(other,
                b -> b.journalMode("delete").synchronous("normal"))) {
            deleteMode.appendNext(1, 1, new byte[] {1}, 1, new byte[0]);
            assertThat(TestStores.readerPragma(deleteMode.settings(), "journal_mode")).isEqualTo("delete");
            assertThat(TestStores.readerPragma(deleteMode.settings(), "synchronous")).isEqualTo("1");
        }
    }

    @Test
    void aDirectoryThatCannotBeCreatedIsReportedWithItsPath() throws Exception {
        Path file = dir.resolve("not-a-dir");
        java.nio.file.Files.writeString(file, "x");
        Path db = file.resolve("sub/events.db");
        assertThatThrownBy(() -> SqliteEventLog.open(TestStores.executor(StoreSettings.builder(db).build()),
                StoreSettings.builder(db).build(), java.time.Clock.systemUTC(), new java.util.Random()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot create the directory " + file.resolve("sub"))
                .hasMessageContaining("path");
    }

    @Test
    void aFileThatIsNotADatabaseIsReportedWithItsPath(@TempDir Path other) throws Exception {
        Path db = other.resolve("events.db");
        java.nio.file.Files.writeString(db, "this is not an SQLite database, just text that is long enough.....");
        StoreSettings settings = StoreSettings.builder(db).build();
        assertThatThrownBy(() -> SqliteEventLog.open(TestStores.executor(settings), settings,
                java.time.Clock.systemUTC(), new java.util.Random()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(db.toString());
    }
}
