package io.sink.store.memory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.client.EventLogListener;
import io.sink.api.client.GroundEventLog;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The component without a framework: listeners, configuration checks, deactivation. */
class MemoryEventLogComponentTest {

    static java.util.Map<String, Object> config(Object maxEvents) {
        return java.util.Map.of("maxEvents", maxEvents);
    }

    record Call(GroundEventLog log, long sequence) {
    }

    @Test
    void everyListenerIsToldAfterEachAppendWithTheServiceItself() {
        MemoryEventLogComponent store = new MemoryEventLogComponent();
        List<Call> first = new CopyOnWriteArrayList<>();
        List<Call> second = new CopyOnWriteArrayList<>();
        EventLogListener failing = (log, sequence) -> {
            throw new IllegalStateException("a broken listener");
        };
        store.addListener((log, sequence) -> first.add(new Call(log, sequence)));
        store.addListener(failing);
        EventLogListener secondListener = (log, sequence) -> second.add(new Call(log, sequence));
        store.addListener(secondListener);
        store.activate(config(10));

        long s1 = store.appendNext(1, 1, new byte[] {1}, 1, new byte[0]).sequence();
        store.removeListener(secondListener);
        long s2 = store.append(io.sink.api.Event.of(1, 1, "x", 1, 1, new byte[0]));

        assertThat(first).containsExactly(new Call(store, s1), new Call(store, s2));
        assertThat(second).containsExactly(new Call(store, s1));
        assertThat(store.queueSize()).as("a failing listener does not undo the append").isEqualTo(2);
        store.deactivate();
        assertThatThrownBy(store::queueSize).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aBadMaxEventsNamesThePidAndProperty() {
        assertThatThrownBy(() -> new MemoryEventLogComponent().activate(config(0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(MemoryEventLogComponent.PID).hasMessageContaining("maxEvents");
        assertThatThrownBy(() -> new MemoryEventLogComponent().activate(config("banana")))
                .hasMessage("configuration io.sink.store.memory: maxEvents = 'banana' is refused: must be a whole"
                        + " number between 1 and " + Long.MAX_VALUE);
    }

    @Test
    void anInvalidValueWhileRunningIsRefusedAndAValidOneAppliedKeepingTheEvents() {
        MemoryEventLogComponent store = new MemoryEventLogComponent();
        store.activate(config(2));
        store.appendNext(1, 1, new byte[] {1}, 1, new byte[0]);
        store.modified(config("lots"));
        store.appendNext(1, 1, new byte[] {1}, 2, new byte[0]);
        assertThatThrownBy(() -> store.appendNext(1, 1, new byte[] {1}, 3, new byte[0]))
                .isInstanceOf(io.sink.api.client.EventLogFullException.class).hasMessageContaining("maxEvents is 2");
        store.modified(config("3"));
        store.appendNext(1, 1, new byte[] {1}, 3, new byte[0]);
        assertThat(store.queueSize()).isEqualTo(3);
        store.deactivate();
    }

    @Test
    void aListenerMayUnregisterWhileBeingCalled() {
        MemoryEventLogComponent store = new MemoryEventLogComponent();
        List<Long> calls = new CopyOnWriteArrayList<>();
        EventLogListener[] self = new EventLogListener[1];
        self[0] = (log, sequence) -> {
            calls.add(sequence);
            store.removeListener(self[0]);
        };
        store.addListener(self[0]);
        store.activate(config(10));
        store.appendNext(1, 1, new byte[] {1}, 1, new byte[0]);
        store.appendNext(1, 1, new byte[] {1}, 2, new byte[0]);
        assertThat(calls).hasSize(1);
        store.deactivate();
    }
}
