package io.sink.api.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RepeatedEventsTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void aThousandEventsWriteTheFirstInFullThenOneCount() {
        RepeatedEvents events = new RepeatedEvents(Duration.ofSeconds(60));
        List<String> logged = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            logged.addAll(events.occurred("failed handshakes", "handshake " + i + " failed", i * 1_000_000L));
        }
        assertThat(logged).containsExactly("handshake 0 failed (more of these within 60 s are counted, not logged)");
        assertThat(events.suppressed()).isEqualTo(999);
        assertThat(events.flush(30 * SECOND)).as("the interval is not over").isEmpty();
        assertThat(events.flush(61 * SECOND))
                .containsExactly("999 more failed handshakes in the last 61 s; the latest: handshake 999 failed");
        assertThat(events.suppressed()).isZero();
        assertThat(events.occurred("failed handshakes", "again", 62 * SECOND)).hasSize(1);
    }

    @Test
    void theNextEventAfterTheIntervalLogsTheCountAndItself() {
        RepeatedEvents events = new RepeatedEvents(Duration.ofSeconds(10));
        events.occurred("k", "one", 0);
        events.occurred("k", "two", SECOND);
        assertThat(events.occurred("k", "three", 11 * SECOND)).containsExactly(
                "1 more k in the last 11 s; the latest: two",
                "three (more of these within 10 s are counted, not logged)");
    }

    @Test
    void kindsAreCountedApart() {
        RepeatedEvents events = new RepeatedEvents(Duration.ofSeconds(10));
        assertThat(events.occurred("a", "a1", 0)).hasSize(1);
        assertThat(events.occurred("b", "b1", 0)).hasSize(1);
        assertThat(events.occurred("a", "a2", 0)).isEmpty();
        assertThat(events.flush(10 * SECOND)).containsExactly("1 more a in the last 10 s; the latest: a2");
    }
}
