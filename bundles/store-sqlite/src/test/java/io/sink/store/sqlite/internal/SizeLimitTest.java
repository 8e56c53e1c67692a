package io.sink.store.sqlite.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.Event;
import io.sink.api.client.EventLogFullException;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full event log refuses new events with a clear message and still takes acknowledgements. */
class SizeLimitTest {
    private static final long LIMIT = 256 * 1024;

    @TempDir
    Path dir;
    SqliteEventLog log;

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    @Test
    void appendsAreRefusedAtTheLimitAndAcknowledgementsStillAccepted() {
        log = TestStores.open(dir, b -> b.maxDatabaseBytes(LIMIT).retentionMaxAge(Duration.ZERO)
                .retentionMaxCount(1).retentionPeriod(Duration.ofHours(1)));
        List<LoggedEvent> logged = new ArrayList<>();
        byte[] data = new byte[1000];
        EventLogFullException full = null;
        for (int i = 0; i < 10_000 && full == null; i++) {
            try {
                logged.add(log.appendNext(1, 1, "sensor".getBytes(UTF_8), i, data));
            } catch (EventLogFullException e) {
                full = e;
            }
        }
        assertThat(full).as("refused before 10,000 events of 1 kB").isNotNull();
        assertThat(full.getMessage())
                .contains("maxDatabaseBytes=" + LIMIT)
                .contains(dir.resolve("events.db").toString())
                .contains("full");
        assertThat(logged.size()).isBetween(100, 300);
        long queued = log.queueSize();
        assertThat(queued).isEqualTo(logged.size());

        assertThatThrownBy(() -> log.append(Event.of(2, 1, "other", 1, 1, new byte[0])))
                .isInstanceOf(EventLogFullException.class).hasMessageContaining("maxDatabaseBytes=" + LIMIT);
        assertThat(log.queueSize()).isEqualTo(queued);

        // acknowledgements go through, and retention then makes room
        log.acknowledge(logged.stream().map(e -> e.event().ackKey()).toList());
        assertThat(log.queueSize()).isZero();
        assertThat(log.runRetention()).isEqualTo(logged.size() - 1);
        LoggedEvent next = log.appendNext(1, 1, "sensor".getBytes(UTF_8), 1, data);
        assertThat(next.event().offset()).isEqualTo(logged.size() + 1);
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 10)).containsExactly(next);
    }

    @Test
    void zeroMeansNoLimit() {
        log = TestStores.open(dir, b -> b.maxDatabaseBytes(0));
        for (int i = 0; i < 300; i++) {
            log.appendNext(1, 1, "sensor".getBytes(UTF_8), i, new byte[1000]);
        }
        assertThat(log.queueSize()).isEqualTo(300);
    }
}
