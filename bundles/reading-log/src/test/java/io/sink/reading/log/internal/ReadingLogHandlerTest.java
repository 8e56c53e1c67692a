package io.sink.reading.log.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.RetryLaterException;
import io.sink.api.server.SinkServer;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.testsupport.Await;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The handler without a network or a database: a store completed by hand, lines recorded. */
class ReadingLogHandlerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String LOG_THREAD = "reading-log-under-test";

    final RecordingLines lines = new RecordingLines();
    final LogExecutor logExecutor = new LogExecutor(LOG_THREAD, 1000, lines);
    final ManualStore store = new ManualStore();
    final ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor();
    final RecordingServer server = new RecordingServer();
    final Withholding withholding = new Withholding(closer, Duration.ofMillis(200), () -> server.proxy);
    ReadingLogHandler handler = handler(() -> store, true);

    private ReadingLogHandler handler(java.util.function.Supplier<ReceivedEventStore> s, boolean generic) {
        return new ReadingLogHandler(s, logExecutor, lines, generic, withholding);
    }

    @AfterEach
    void tearDown() {
        closer.shutdownNow();
        withholding.close();
        logExecutor.close();
    }

    /** A SinkServer that records the connections it is asked to close. */
    static final class RecordingServer {
        final List<String> disconnected = new CopyOnWriteArrayList<>();
        final SinkServer proxy = (SinkServer) java.lang.reflect.Proxy.newProxyInstance(
                SinkServer.class.getClassLoader(), new Class<?>[] {SinkServer.class}, (p, method, args) -> {
                    if (method.getName().equals("disconnect")) {
                        disconnected.add(args[0] + ": " + args[1]);
                        return true;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A store whose stages the test completes. */
    static final class ManualStore implements ReceivedEventStore {
        record Call(String clientId, Event event, CompletableFuture<Outcome> stage) {
        }

        final List<Call> calls = new CopyOnWriteArrayList<>();
        /** How many events each storeAll call handed over. */
        final List<Integer> storeAllCalls = new CopyOnWriteArrayList<>();
        volatile RuntimeException thrown;

        @Override
        public List<CompletionStage<Outcome>> storeAll(String clientId, List<Event> events) {
            storeAllCalls.add(events.size());
            return ReceivedEventStore.super.storeAll(clientId, events);
        }

        @Override
        public CompletionStage<Outcome> store(String clientId, Event event) {
            if (thrown != null) {
                throw thrown;
            }
            CompletableFuture<Outcome> stage = new CompletableFuture<>();
            calls.add(new Call(clientId, event, stage));
            return stage;
        }

        @Override
        public List<StoredEvent> latest(String clientId, int count) {
            return List.of();
        }

        @Override
        public long count(String clientId) {
            return calls.size();
        }
    }

    private static Event reading(String sensor, long offset, int temperature, int humidity) {
        return SensorReadingCodec.event(sensor, offset, 1_700_000_000L, new SensorReading(temperature, humidity));
    }

    private static Optional<Nack> answer(CompletionStage<Optional<Nack>> stage) throws Exception {
        return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static void await(String what, BooleanSupplier condition) {
        Await.until(what, TIMEOUT, condition);
    }

    @Test
    void aReadingIsAckedOnlyOnceStoredAndLoggedOnTheLogThread() throws Exception {
        CompletionStage<Optional<Nack>> stage = handler.handlePublish("example-client", reading("kitchen", 12, 70, 40));
        assertThat(store.calls).hasSize(1);
        assertThat(stage.toCompletableFuture()).isNotDone();

        Thread writer = new Thread(() -> store.calls.get(0).stage().complete(ReceivedEventStore.Outcome.STORED),
                "fake-writer");
        writer.start();
        writer.join(TIMEOUT.toMillis());
        assertThat(answer(stage)).isEmpty();
        await("the reading's line", () -> !lines.texts("INFO").isEmpty());
        assertThat(lines.lines).singleElement().satisfies(line -> {
            assertThat(line.text()).isEqualTo("reading from example-client: sensor=kitchen offset=12"
                    + " timestamp=1700000000 temperature=70 humidity=40");
            assertThat(line.thread()).as("neither the network thread nor the store's thread").isEqualTo(LOG_THREAD);
        });
        assertThat(handler.storedCount()).isEqualTo(1);
    }

    @Test
    void eventsReadTogetherGoToTheStoreTogetherAndAreAnsweredEachInOrder() throws Exception {
        Event broken = Event.of(1, 1, "kitchen", 3, 5, new byte[] {(byte) 131, 116, 0, 0, 0, 1});
        List<CompletionStage<Optional<Nack>>> stages = handler.handlePublishes("example-client",
                List.of(reading("kitchen", 1, 70, 40), broken, reading("kitchen", 2, 71, 40),
                        reading("kitchen", 4, 72, 40)));
        assertThat(stages).hasSize(4);
        assertThat(store.storeAllCalls).containsExactly(3);
        assertThat(store.calls).extracting(c -> c.event().offset()).containsExactly(1L, 2L, 4L);
        assertThat(answer(stages.get(1))).hasValueSatisfying(n -> assertThat(n.machineMessageAsString())
                .isEqualTo("undecodable"));
        assertThat(stages.get(0).toCompletableFuture()).isNotDone();
        Event conflicting = store.calls.get(2).event();
        store.calls.get(0).stage().complete(ReceivedEventStore.Outcome.STORED);
        store.calls.get(1).stage().complete(ReceivedEventStore.Outcome.DUPLICATE);
        store.calls.get(2).stage().complete(ReceivedEventStore.Outcome.CONFLICT);
        assertThat(answer(stages.get(0))).isEmpty();
        assertThat(answer(stages.get(2))).isEmpty();
        assertThat(answer(stages.get(3))).hasValueSatisfying(n -> assertThat(n.machineMessageAsString())
                .isEqualTo(ReadingLogHandler.CONFLICTING));
        assertThat(conflicting.offset()).isEqualTo(4);
        assertThat(handler.storedCount()).isEqualTo(1);
        assertThat(handler.duplicateCount()).isEqualTo(1);
        assertThat(handler.nackCount()).isEqualTo(2);
        await("the reading's line", () -> !lines.texts("INFO").isEmpty());
        assertThat(lines.texts("INFO")).containsExactly("reading from example-client: sensor=kitchen offset=1"
                + " timestamp=1700000000 temperature=70 humidity=40");
    }

    @Test
    void aBatchIsLoggedInEventOrderByOneLogTaskOnceEveryEventHasItsOutcome() throws Exception {
        List<CompletionStage<Optional<Nack>>> stages = handler.handlePublishes("example-client",
                List.of(reading("kitchen", 1, 70, 40), reading("hall", 1, 60, 30), reading("kitchen", 2, 71, 41)));
        // completed out of order, the last one on another thread, as a store's writer would
        store.calls.get(2).stage().complete(ReceivedEventStore.Outcome.STORED);
        store.calls.get(0).stage().complete(ReceivedEventStore.Outcome.STORED);
        assertThat(answer(stages.get(0))).isEmpty(); // answered at once, whatever the log does
        assertThat(answer(stages.get(2))).isEmpty();
        CountDownLatch queuedBefore = new CountDownLatch(1);
        logExecutor.execute(queuedBefore::countDown);
        assertThat(queuedBefore.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(lines.texts("INFO")).as("nothing logged while an event of the batch is pending").isEmpty();

        Thread writer = new Thread(() -> store.calls.get(1).stage().complete(ReceivedEventStore.Outcome.STORED),
                "fake-writer");
        writer.start();
        writer.join(TIMEOUT.toMillis());
        assertThat(answer(stages.get(1))).isEmpty();
        await("the batch's lines", () -> lines.texts("INFO").size() == 3);
        assertThat(lines.texts("INFO")).containsExactly(
                "reading from example-client: sensor=kitchen offset=1 timestamp=1700000000 temperature=70 humidity=40",
                "reading from example-client: sensor=hall offset=1 timestamp=1700000000 temperature=60 humidity=30",
                "reading from example-client: sensor=kitchen offset=2 timestamp=1700000000 temperature=71 humidity=41");
        assertThat(lines.lines).allSatisfy(line -> assertThat(line.thread()).isEqualTo(LOG_THREAD));
        assertThat(handler.storedCount()).isEqualTo(3);
    }

    @Test
    void aDroppedBatchCountsItsLines() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stuck = new CountDownLatch(1);
        LogExecutor small = new LogExecutor(LOG_THREAD + "-small", 1, lines);
        try {
            small.execute(() -> {
                stuck.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(stuck.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            ReadingLogHandler slowLog = new ReadingLogHandler(() -> store, small, lines, true, withholding);
            for (int batch = 0; batch < 2; batch++) { // the first fits in the queue, the second is dropped
                List<CompletionStage<Optional<Nack>>> stages = slowLog.handlePublishes("c",
                        List.of(reading("k", 3 * batch + 1, 1, 1), reading("k", 3 * batch + 2, 1, 1),
                                reading("k", 3 * batch + 3, 1, 1)));
                store.calls.forEach(call -> call.stage().complete(ReceivedEventStore.Outcome.STORED));
                for (CompletionStage<Optional<Nack>> stage : stages) {
                    assertThat(answer(stage)).isEmpty();
                }
            }
            assertThat(small.dropped()).isEqualTo(3);
            release.countDown();
            await("the drop reported", () -> lines.texts("WARN").stream().anyMatch(l -> l.contains("dropped 3 lines")));
            await("the first batch", () -> lines.texts("INFO").size() == 3);
        } finally {
            release.countDown();
            small.close();
        }
    }

    @Test
    void anUndecodableReadingIsNackedAndNotStored() throws Exception {
        Event broken = Event.of(1, 1, "kitchen", 3, 5, new byte[] {(byte) 131, 116, 0, 0, 0, 1});
        Optional<Nack> nack = answer(handler.handlePublish("example-client", broken));
        assertThat(nack).hasValueSatisfying(n -> {
            assertThat(n.machineMessageAsString()).isEqualTo("undecodable");
            assertThat(n.humanMessage()).contains("kitchen offset 3").contains("does not decode")
                    .contains("map has 1 pairs").contains("not stored");
        });
        assertThat(store.calls).isEmpty();
        await("the warning", () -> !lines.texts("WARN").isEmpty());
        assertThat(lines.lines).singleElement().satisfies(line -> {
            assertThat(line.text()).startsWith("undecodable reading from example-client: type=1 schema=1 key=kitchen");
            assertThat(line.thread()).isEqualTo(LOG_THREAD);
        });
        assertThat(handler.nackCount()).isEqualTo(1);
    }

    @Test
    void anAtomNameOrAClientIdCannotForgeALogLine() throws Exception {
        // %{temperature: 70, "x\n2026-12-02 | INFO | io.sink.readings | reading from forged": 1}
        byte[] atom = "x\n2026-12-02 | INFO | io.sink.readings | reading from forged\u001b[2J"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream term = new java.io.ByteArrayOutputStream();
        term.writeBytes(new byte[] {(byte) 131, 116, 0, 0, 0, 2, 119, 11});
        term.writeBytes("temperature".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        term.writeBytes(new byte[] {97, 70, 119, (byte) atom.length});
        term.writeBytes(atom);
        term.writeBytes(new byte[] {97, 1});
        Event forged = Event.of(1, 1, "kitchen", 3, 5, term.toByteArray());
        Optional<Nack> nack = answer(handler.handlePublish("evil\r\nclient", forged));
        assertThat(nack).hasValueSatisfying(n -> assertThat(n.humanMessage())
                .contains("unexpected or repeated key :\"x\\n2026-12-02 | INFO | io.sink.readings | reading from"
                        + " forged\\e[2J\"").doesNotContain("\n", "\u001b"));
        await("the warning", () -> !lines.texts("WARN").isEmpty());
        assertThat(lines.texts("WARN")).singleElement().satisfies(line -> assertThat(line)
                .startsWith("undecodable reading from \"evil\\r\\nclient\": type=1")
                .contains(":\"x\\n2026-12-02 | INFO | io.sink.readings | reading from forged\\e[2J\"")
                .doesNotContain("\n", "\r", "\u001b"));
        handler.connectionDown("evil\nclient", "closed:\n2026-12-02 | INFO | FORGED LINE");
        await("the disconnect line", () -> !lines.texts("INFO").isEmpty());
        assertThat(lines.texts("INFO")).containsExactly(
                "client \"evil\\nclient\" disconnected: closed:\\n2026-12-02 | INFO | FORGED LINE");
    }

    @Test
    void aStoreFailureIsNeitherAckedNorNackedAndTheConnectionIsClosedSoTheClientSendsItAgain() throws Exception {
        CompletionStage<Optional<Nack>> stage = handler.handlePublish("example-client", reading("hall", 1, 20, 50));
        store.calls.get(0).stage().completeExceptionally(
                new IllegalStateException("received-event store /secret/path/events.db: disk I/O error"));
        // a later event of the same connection is not stored either (the client's order is kept)
        CompletionStage<Optional<Nack>> later = handler.handlePublish("example-client", reading("hall", 2, 20, 50));
        assertThat(store.calls).hasSize(1);
        await("the connection to be closed", () -> !server.disconnected.isEmpty());
        assertThat(server.disconnected).singleElement().asString().startsWith("example-client: events not stored")
                .doesNotContain("/secret");
        // no answer until the connection is down: a NACK would park the client's stream
        assertThat(stage.toCompletableFuture()).isNotDone();
        assertThat(later.toCompletableFuture()).isNotDone();
        handler.connectionDown("example-client", "closed");
        for (CompletionStage<Optional<Nack>> s : List.of(stage, later)) {
            assertThatThrownBy(() -> s.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .hasCauseInstanceOf(RetryLaterException.class);
        }
        assertThat(handler.nackCount()).isZero();
        assertThat(handler.withheldCount()).isEqualTo(2);
        await("the warning", () -> !lines.texts("WARN").isEmpty());
        assertThat(lines.texts("WARN")).singleElement().asString().contains("could not store")
                .contains("disk I/O error").contains("not answered (no NACK)");
        assertThat(lines.texts("INFO")).noneMatch(l -> l.startsWith("reading from"));
        // on its next connection the client's events are stored again
        CompletionStage<Optional<Nack>> again = handler.handlePublish("example-client", reading("hall", 1, 20, 50));
        store.calls.get(1).stage().complete(ReceivedEventStore.Outcome.STORED);
        assertThat(answer(again)).isEmpty();
    }

    @Test
    void aStoreThatThrowsOrIsMissingIsWithheldToo() throws Exception {
        store.thrown = new IllegalStateException("closed");
        CompletionStage<Optional<Nack>> thrown = handler.handlePublish("c", reading("k", 1, 1, 1));
        handler = handler(() -> null, true);
        CompletionStage<Optional<Nack>> missing = handler.handlePublish("d", reading("k", 1, 1, 1));
        await("both connections closed", () -> server.disconnected.size() == 2);
        handler.connectionDown("c", "closed");
        handler.connectionDown("d", "closed");
        for (CompletionStage<Optional<Nack>> s : List.of(thrown, missing)) {
            assertThatThrownBy(() -> s.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                    .hasCauseInstanceOf(RetryLaterException.class);
        }
        assertThat(server.disconnected).anyMatch(d -> d.startsWith("d: events not stored (no event store"));
    }

    @Test
    void aDuplicateIsAckedAndLoggedAtDebugAsADuplicate() throws Exception {
        CompletionStage<Optional<Nack>> stage = handler.handlePublish("example-client", reading("kitchen", 12, 70, 40));
        store.calls.get(0).stage().complete(ReceivedEventStore.Outcome.DUPLICATE);
        assertThat(answer(stage)).isEmpty();
        await("the debug line", () -> !lines.texts("DEBUG").isEmpty());
        assertThat(lines.texts("DEBUG")).containsExactly("duplicate from example-client: sensor=kitchen offset=12"
                + " timestamp=1700000000 temperature=70 humidity=40 (stored before; ACKed again)");
        assertThat(lines.texts("INFO")).isEmpty();
        assertThat(handler.duplicateCount()).isEqualTo(1);

        lines.debug = false;
        CompletionStage<Optional<Nack>> again = handler.handlePublish("example-client", reading("kitchen", 12, 70, 40));
        store.calls.get(1).stage().complete(ReceivedEventStore.Outcome.DUPLICATE);
        assertThat(answer(again)).isEmpty();
        CountDownLatch drained = new CountDownLatch(1);
        logExecutor.execute(drained::countDown);
        assertThat(drained.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(lines.lines).hasSize(1);
    }

    @Test
    void anEventReusingAStoredAckKeyWithOtherContentIsNackedNotAcked() throws Exception {
        CompletionStage<Optional<Nack>> stage = handler.handlePublish("example-client", reading("kitchen", 12, 70, 40));
        store.calls.get(0).stage().complete(ReceivedEventStore.Outcome.CONFLICT);
        assertThat(answer(stage)).hasValueSatisfying(n -> {
            assertThat(n.machineMessageAsString()).isEqualTo("conflicting_event");
            assertThat(n.humanMessage()).contains("different content");
        });
        await("the warning", () -> !lines.texts("WARN").isEmpty());
        assertThat(lines.texts("WARN").get(0)).startsWith("conflicting event from example-client");
        assertThat(lines.texts("INFO")).isEmpty();
        assertThat(handler.duplicateCount()).isZero();
    }

    @Test
    void aFloodOfUndecodableAndConflictingEventsWritesAHandfulOfLinesPerClientWithItsIdEscaped() throws Exception {
        handler = new ReadingLogHandler(() -> store, logExecutor, lines, true, withholding, Duration.ofSeconds(5));
        Event broken = Event.of(1, 1, "kitchen", 3, 5, new byte[] {(byte) 131, 116, 0, 0, 0, 1});
        for (int i = 0; i < 2500; i++) {
            assertThat(answer(handler.handlePublish("mallory\n2026-12-02 | INFO | forged", broken))).isPresent();
            assertThat(answer(handler.handlePublish("trudy", broken))).isPresent();
        }
        for (int i = 0; i < 2500; i++) {
            CompletionStage<Optional<Nack>> stage = handler.handlePublish("trudy", reading("hall", i, 20, 50));
            store.calls.get(i).stage().complete(ReceivedEventStore.Outcome.CONFLICT);
            assertThat(answer(stage)).hasValueSatisfying(n -> assertThat(n.machineMessageAsString())
                    .isEqualTo("conflicting_event"));
        }
        assertThat(handler.nackCount()).isEqualTo(7500);
        await("the first of each in full", () -> lines.texts("WARN").size() >= 3);
        await("the interval to end", () -> {
            handler.flushRepeated();
            return lines.texts("WARN").size() >= 6;
        });
        CountDownLatch drained = new CountDownLatch(1);
        logExecutor.execute(drained::countDown);
        assertThat(drained.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        List<String> warnings = lines.texts("WARN");
        assertThat(warnings).as("7,500 refused events of two clients").hasSize(6);
        assertThat(warnings).filteredOn(l -> l.startsWith("undecodable reading from \"mallory\\n2026-12-02 | INFO"
                + " | forged\": type=1") && l.endsWith("(more of these within 5 s are counted, not logged)")).hasSize(1);
        assertThat(warnings).filteredOn(l -> l.startsWith("undecodable reading from trudy:")).hasSize(1);
        assertThat(warnings).filteredOn(l -> l.startsWith("conflicting event from trudy:")).hasSize(1);
        assertThat(warnings).filteredOn(l -> l.startsWith("2499 more undecodable readings from \"mallory\\n2026"))
                .singleElement().satisfies(l -> assertThat(l).contains("; the latest: undecodable reading from"));
        assertThat(warnings).filteredOn(l -> l.startsWith("2499 more undecodable readings from trudy in the last"))
                .hasSize(1);
        assertThat(warnings).filteredOn(l -> l.startsWith("2499 more conflicting events from trudy in the last"))
                .hasSize(1);
        assertThat(warnings).allSatisfy(l -> assertThat(l).doesNotContain("\n", "\r"));

        // a new interval: the next one is logged in full again
        answer(handler.handlePublish("trudy", broken));
        await("the next one in full", () -> lines.texts("WARN").size() == 7);
        assertThat(lines.texts("WARN").get(6)).startsWith("undecodable reading from trudy:");
    }

    @Test
    void otherEventsAreStoredAndLoggedGenerically() throws Exception {
        Event config = Event.of(7, 3, "settings", 2, 99, new byte[] {1, 2, 3, 4, 5});
        CompletionStage<Optional<Nack>> stage = handler.handlePublish("example-client", config);
        store.calls.get(0).stage().complete(ReceivedEventStore.Outcome.STORED);
        assertThat(answer(stage)).isEmpty();
        await("the line", () -> !lines.texts("INFO").isEmpty());
        assertThat(lines.texts("INFO")).containsExactly(
                "event from example-client: type=7 schema=3 key=settings offset=2 timestamp=99 size=5 bytes");
    }

    @Test
    void otherEventsCanBeLeftOutOfTheLog() throws Exception {
        handler = handler(() -> store, false);
        CompletionStage<Optional<Nack>> stage = handler.handlePublish("c", Event.of(7, 3, "s", 2, 99, new byte[0]));
        store.calls.get(0).stage().complete(ReceivedEventStore.Outcome.STORED);
        assertThat(answer(stage)).isEmpty();
        CountDownLatch drained = new CountDownLatch(1);
        logExecutor.execute(drained::countDown);
        assertThat(drained.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(lines.lines).isEmpty();
        assertThat(store.calls).hasSize(1);
    }

    @Test
    void aStuckLogNeverDelaysAnAckAndDroppedLinesAreCounted() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        LogLines blocking = new LogLines() {
            @Override
            public boolean isDebugEnabled() {
                return true;
            }

            @Override
            public void debug(String line) {
                info(line);
            }

            @Override
            public void info(String line) {
                stuck.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                lines.info(line);
            }

            @Override
            public void warn(String line) {
                lines.warn(line);
            }
        };
        LogExecutor small = new LogExecutor(LOG_THREAD + "-small", 5, blocking);
        try {
            ReadingLogHandler slowLog = new ReadingLogHandler(() -> store, small, blocking, true, withholding);
            for (int i = 1; i <= 100; i++) {
                CompletionStage<Optional<Nack>> stage = slowLog.handlePublish("c", reading("k", i, 1, 1));
                store.calls.get(i - 1).stage().complete(ReceivedEventStore.Outcome.STORED);
                assertThat(answer(stage)).isEmpty(); // ACKed while the log thread is stuck
                if (i == 1) {
                    assertThat(stuck.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                }
            }
            assertThat(small.dropped()).isEqualTo(100 - 1 - 5);
            release.countDown();
            await("the drop reported", () -> lines.texts("WARN").stream().anyMatch(l -> l.contains("dropped 94 lines")));
            await("the queued lines", () -> lines.texts("INFO").size() == 6);
        } finally {
            release.countDown();
            small.close();
        }
    }

    @Test
    void connectionsAreLoggedOffTheCallingThread() {
        handler.connectionUp("example-client", "127.0.0.1:5555");
        handler.connectionDown("example-client", "closed by peer");
        await("two lines", () -> lines.lines.size() == 2);
        assertThat(lines.lines).extracting(RecordingLines.Line::thread).containsOnly(LOG_THREAD);
        assertThat(lines.texts("INFO")).containsExactly("client example-client connected from 127.0.0.1:5555",
                "client example-client disconnected: closed by peer");
    }
}
