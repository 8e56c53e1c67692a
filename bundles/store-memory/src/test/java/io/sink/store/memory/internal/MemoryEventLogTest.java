package io.sink.store.memory.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.client.GroundEventLog;
import io.sink.store.contract.GroundEventLogContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The store contract on the memory log, and what only the memory log does. */
class MemoryEventLogTest extends GroundEventLogContract {

    @Override
    protected GroundEventLog createLog() {
        return new MemoryEventLog(1_000_000, new Random(1), sequence -> { });
    }

    @Override
    protected GroundEventLog createSmallLog() {
        return new MemoryEventLog(5, new Random(1), sequence -> { });
    }

    @Test
    void theLimitCountsUnacknowledgedEventsOnly() {
        MemoryEventLog small = new MemoryEventLog(2, new Random(1), sequence -> { });
        var first = small.appendNext(1, 1, new byte[] {1}, 1, new byte[0]);
        small.appendNext(1, 1, new byte[] {1}, 2, new byte[0]);
        assertThatThrownBy(() -> small.appendNext(1, 1, new byte[] {1}, 3, new byte[0]))
                .isInstanceOf(io.sink.api.client.EventLogFullException.class)
                .hasMessageContaining("maxEvents is 2");
        small.acknowledge(List.of(first.event().ackKey()));
        assertThat(small.appendNext(1, 1, new byte[] {1}, 3, new byte[0]).event().offset()).isEqualTo(3);
    }

    @Test
    void theCallbackSeesEveryAppendInOrder() {
        List<Long> seen = new ArrayList<>();
        MemoryEventLog log = new MemoryEventLog(10, new Random(1), seen::add);
        long a = log.append(io.sink.api.Event.of(1, 1, "a", 1, 1, new byte[0]));
        long b = log.appendNext(1, 1, new byte[] {2}, 1, new byte[0]).sequence();
        assertThatThrownBy(() -> log.append(io.sink.api.Event.of(1, 1, "a", 1, 1, new byte[0])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(seen).containsExactly(a, b);
    }

    @Test
    void aClosedLogRefusesEveryCall() {
        MemoryEventLog log = new MemoryEventLog(10, new Random(1), sequence -> { });
        log.appendNext(1, 1, new byte[] {1}, 1, new byte[0]);
        log.close();
        assertThatThrownBy(log::queueSize).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> log.unacknowledged(Set.of(), Set.of(), 0, 1))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(log::instanceIds).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void maxEventsMustBePositive() {
        assertThatThrownBy(() -> new MemoryEventLog(0, new Random(1), s -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxEvents");
    }
}
