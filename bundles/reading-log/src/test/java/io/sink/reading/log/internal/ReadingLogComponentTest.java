package io.sink.reading.log.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.testsupport.Await;
import io.sink.testsupport.DsConfig;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The component's configuration checks, and that it works before a store is bound. */
class ReadingLogComponentTest {

    static ReadingLogComponent.Config config(Map<String, Object> overrides) {
        return DsConfig.of(ReadingLogComponent.Config.class, overrides);
    }

    @Test
    void badValuesAreRefusedNamingThePidAndTheProperty() {
        assertThatThrownBy(() -> new ReadingLogComponent(null, config(Map.of("loggerName", " "))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("configuration io.sink.reading.log: loggerName");
        assertThatThrownBy(() -> new ReadingLogComponent(null, config(Map.of("logQueueCapacity", 0))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("configuration io.sink.reading.log: logQueueCapacity must be between 1 and");
    }

    @Test
    void withoutAStoreEventsAreWithheldNotNackedAndDeactivationStopsTheThreads() throws Exception {
        ReadingLogComponent component = new ReadingLogComponent(null,
                config(Map.of("storeFailureCloseDelayMillis", 0L)));
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
