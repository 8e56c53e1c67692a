package io.sink.poller.internal.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.client.GroundEventLog;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.store.memory.internal.MemoryEventLog;
import io.sink.testsupport.Await;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The outbox's swap: what moves, what continues, and the component's selection by its own targets. */
class ClientOutboxTest {
    private final MemoryEventLog first = new MemoryEventLog(10_000, new Random(1), s -> { });
    private final MemoryEventLog second = new MemoryEventLog(10_000, new Random(2), s -> { });
    private final ClientOutbox outbox = ClientOutbox.over(first, first, "first");

    private LoggedEvent log(String sensor) {
        return outbox.appendNext(1, 1, sensor.getBytes(), 1, sensor.getBytes());
    }

    private List<AckKey> unacked(GroundEventLog l) {
        return l.unacknowledged(Set.of(), Set.of(), 0, 10_000).stream().map(e -> e.event().ackKey()).toList();
    }

    @Test
    void aSwapMidStreamMovesTheUnacknowledgedEventsAndContinuesTheOffsetsAndBackAgain() {
        AtomicLong told = new AtomicLong();
        outbox.listen(told::set);
        List<AckKey> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.add(log("swap").event().ackKey());
            all.add(log("other").event().ackKey());
        }
        outbox.acknowledge(all.subList(0, 4)); // delivered: swap 1,2 and other 1,2
        long generation = outbox.generation();

        var swap = outbox.use(second, "second").orElseThrow();
        assertThat(swap.moved()).isEqualTo(6);
        assertThat(outbox.generation()).isGreaterThan(generation);
        assertThat(told.get()).isEqualTo(outbox.generation());
        assertThat(unacked(second)).as("moved in log order with their own ack keys")
                .containsExactlyElementsOf(all.subList(4, 10));
        assertThat(first.queueSize()).as("marked as moved in the old store").isZero();

        LoggedEvent next = log("swap");
        assertThat(next.event().offset()).as("offsets continue where the old store left them").isEqualTo(6);
        all.add(next.event().ackKey());
        outbox.acknowledge(List.of(all.get(4))); // an ACK of an event published before the swap
        assertThat(outbox.queueSize()).isEqualTo(6);

        outbox.use(first, "first").orElseThrow(); // and back
        assertThat(unacked(first)).containsExactlyElementsOf(all.subList(5, 11));
        assertThat(log("swap").event().offset()).isEqualTo(7);
        assertThat(log("other").event().offset()).isEqualTo(6);
        assertThat(outbox.lastEvents(1)).extracting(Event::offset).containsExactly(6L, 7L);

        Set<AckKey> distinct = new HashSet<>(unacked(first));
        assertThat(distinct).as("no ack key twice").hasSize(unacked(first).size());
    }

    @Test
    void aStoreThatRefusesTheEventsLeavesTheOldOneInPlace() {
        log("a");
        MemoryEventLog closed = new MemoryEventLog(10, new Random(3), s -> { });
        closed.close();
        assertThatThrownBy(() -> outbox.use(closed, "closed")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refused the 1 unacknowledged events of first");
        assertThat(outbox.storeName()).isEqualTo("first");
        assertThat(outbox.queueSize()).isEqualTo(1);
    }

    @Test
    void withoutAStoreEveryCallSaysWhichConfigurationChoosesIt() {
        outbox.use(null, null);
        assertThatThrownBy(() -> log("a")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("io.sink.client.outbox").hasMessageContaining("eventLog.target");
    }

    @Test
    void theComponentSelectsByItsTargetSwapsOnAChangeAndKeepsItOnABadFilter() {
        OutboxComponent component = new OutboxComponent();
        component.bindEventLog(first, Map.of(GroundEventLog.STORE_TYPE, "sqlite", "service.id", 1L));
        component.bindEventLog(second, Map.of(GroundEventLog.STORE_TYPE, "memory", "service.id", 2L));
        component.bindInstanceIdStore(first, Map.of(GroundEventLog.STORE_TYPE, "sqlite", "service.id", 1L));
        component.activate(Map.of("eventLog.target", "(sink.store.type=sqlite)"));
        assertThat(component.storeName()).isEqualTo("sqlite");
        AckKey a = component.appendNext(1, 1, "k".getBytes(), 1, new byte[0]).event().ackKey();

        component.modified(Map.of("eventLog.target", "(sink.store.type=memory)"));
        assertThat(component.storeName()).isEqualTo("memory");
        assertThat(unacked(second)).containsExactly(a);
        assertThat(component.appendNext(1, 1, "k".getBytes(), 1, new byte[0]).event().offset()).isEqualTo(2);

        component.modified(Map.of("eventLog.target", "(sink.store.type=memory"));
        assertThat(component.storeName()).as("a bad filter keeps the previous one").isEqualTo("memory");

        component.unbindEventLog(second); // the memory store goes: its events go to the one left that matches?
        component.modified(Map.of("eventLog.target", "(sink.store.type=sqlite)"));
        assertThat(component.storeName()).isEqualTo("sqlite");
        component.deactivate();
    }

    @Test
    void appendsDuringSwapsBackAndForthAreNeitherLostNorReKeyed() throws Exception {
        int perWriter = 2000;
        int appendsPerSwap = 100; // each writer waits for a swap after this many: swaps and appends interleave
        java.util.concurrent.atomic.AtomicInteger swapsDone = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (String key : List.of("x", "y")) {
                done.add(writers.submit(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        log(key);
                        if (i % appendsPerSwap == appendsPerSwap - 1) {
                            int seen = swapsDone.get(); // the swapping thread runs while this writer is not done
                            Await.until("a swap after swap " + seen, () -> swapsDone.get() > seen);
                        }
                    }
                    return null;
                }));
            }
            int swaps = 0;
            while (!done.stream().allMatch(java.util.concurrent.Future::isDone)) {
                outbox.use(swaps++ % 2 == 0 ? second : first, swaps % 2 == 0 ? "first" : "second");
                swapsDone.incrementAndGet();
            }
            for (var f : done) {
                f.get(); // an append failed: it would throw here
            }
            assertThat(swaps).as("swaps while appending").isGreaterThanOrEqualTo(perWriter / appendsPerSwap);
        } finally {
            writers.shutdownNow();
        }
        GroundEventLog current = outbox.storeName().equals("first") ? first : second;
        GroundEventLog other = current == first ? second : first;
        assertThat(other.queueSize()).as("nothing left behind in the store swapped out").isZero();
        for (String key : List.of("x", "y")) {
            List<Long> offsets = current.unacknowledged(Set.of(), Set.of(), 0, 100_000).stream()
                    .map(LoggedEvent::event).filter(e -> e.keyAsString().equals(key)).map(Event::offset).toList();
            assertThat(offsets).as("offsets of %s: each once, gapless, in order", key).isEqualTo(
                    java.util.stream.LongStream.rangeClosed(1, perWriter).boxed().toList());
        }
    }
}
