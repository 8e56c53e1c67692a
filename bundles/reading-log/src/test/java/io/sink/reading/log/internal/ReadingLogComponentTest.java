package io.sink.reading.log.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.testsupport.Await;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The component's configuration checks, and that it works before a store is bound. */
class ReadingLogComponentTest {

    @Test
    void badValuesAreRefusedNamingThePidThePropertyTheValueAndWhy() {
        assertThatThrownBy(() -> new ReadingLogComponent(null, Map.of("loggerName", " ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("configuration io.sink.reading.log: loggerName = ' ' is refused: must not be empty");
        assertThatThrownBy(() -> new ReadingLogComponent(null, Map.of("logQueueCapacity", 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("configuration io.sink.reading.log: logQueueCapacity = '0' is refused: must be between 1"
                        + " and 1000000");
        assertThatThrownBy(() -> ReadingLogComponent.settings(Map.of("storeFailureCloseDelayMillis", "soon")))
                .hasMessage("configuration io.sink.reading.log: storeFailureCloseDelayMillis = 'soon' is refused:"
                        + " must be a whole number between 0 and 3600000");
        assertThatThrownBy(() -> ReadingLogComponent.settings(Map.of("logGenericEvents", "perhaps")))
                .hasMessageStartingWith("configuration io.sink.reading.log: logGenericEvents = 'perhaps' is refused");
    }

    @Test
    void aBadChangeKeepsThePreviousConfigurationAndAGoodOneIsApplied() throws Exception {
        ReadingLogComponent component = new ReadingLogComponent(null, Map.of("storeFailureCloseDelayMillis", 0L));
        try {
            ReadingLogComponent.Settings first = component.settings();
            assertThat(first.closeDelay()).isZero();
            component.modified(Map.of("logQueueCapacity", "lots")); // refused in one line
            assertThat(component.settings()).as("the previous configuration, not the defaults").isSameAs(first);
            assertNoStoreAnswer(component);
            component.modified(Map.of("storeFailureCloseDelayMillis", 0L, "loggerName", "other.readings"));
            assertThat(component.settings().loggerName()).isEqualTo("other.readings");
            assertNoStoreAnswer(component);
        } finally {
            component.deactivate();
        }
        Await.until("the log threads end", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("sink-reading-log")));
    }

    private static void assertNoStoreAnswer(ReadingLogComponent component) {
        assertThatThrownBy(() -> component.handlePublish("c", io.sink.api.Event.of(9, 1, "k", 1, 1, new byte[0]))
                .toCompletableFuture().get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(io.sink.api.server.RetryLaterException.class);
    }

    @Test
    void withoutAStoreEventsAreWithheldNotNackedAndDeactivationStopsTheThreads() throws Exception {
        ReadingLogComponent component = new ReadingLogComponent(null, Map.of("storeFailureCloseDelayMillis", 0L));
        try {
            // no SinkServer to close the connection: the stage fails at once, with no answer to send
            assertThatThrownBy(() -> component.handlePublish("c", io.sink.api.Event.of(9, 1, "k", 1, 1, new byte[0]))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(io.sink.api.server.RetryLaterException.class);
        } finally {
            component.deactivate();
        }
        Await.until("the log thread ends", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("sink-reading-log")));
    }
}
