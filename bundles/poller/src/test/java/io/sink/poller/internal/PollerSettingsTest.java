package io.sink.poller.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PollerSettingsTest {

    private static PollerSettings settings(int window, String... streams) {
        return new PollerSettings(window, Duration.ofSeconds(5), 0.1, PollerSettings.parseStreams(streams), "default");
    }

    @Test
    void streamsAreParsed() {
        PollerSettings s = settings(10, "readings=1", " config = 2, 3 ", "");
        assertThat(s.streams()).containsExactly(new PollerSettings.StreamSpec("readings", Set.of(1L)),
                new PollerSettings.StreamSpec("config", Set.of(2L, 3L)));
        assertThat(s.claimedTypes()).containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(s.streamNames()).containsExactly("readings", "config", "default");
        assertThat(settings(1).streamNames()).containsExactly("default");
    }

    @Test
    void badSettingsNameTheProperty() {
        assertThatThrownBy(() -> settings(0)).hasMessage("window must be between 1 and 4095, got 0");
        assertThatThrownBy(() -> settings(4096)).hasMessageContaining("window must be between 1 and 4095, got 4096");
        assertThatThrownBy(() -> new PollerSettings(1, Duration.ofMillis(9), 0.1, List.of(), "default"))
                .hasMessageContaining("periodMillis must be at least 10, got 9");
        assertThatThrownBy(() -> new PollerSettings(1, Duration.ofSeconds(1), 1.0, List.of(), "default"))
                .hasMessageContaining("jitter must be at least 0 and below 1, got 1.0");
        assertThatThrownBy(() -> new PollerSettings(1, Duration.ofSeconds(1), Double.NaN, List.of(), "default"))
                .hasMessageContaining("jitter");
        assertThatThrownBy(() -> new PollerSettings(1, Duration.ofSeconds(1), 0.1, List.of(), "bad name"))
                .hasMessageContaining("defaultStream: a stream name must be");
        assertThatThrownBy(() -> settings(1, "readings")).hasMessageContaining("streams: entry 'readings' must be "
                + "name=type");
        assertThatThrownBy(() -> settings(1, "readings=x")).hasMessageContaining("'x' is not an event type id");
        assertThatThrownBy(() -> settings(1, "readings=-1")).hasMessageContaining("negative");
        assertThatThrownBy(() -> settings(1, "readings=")).hasMessageContaining("'' is not an event type id");
        assertThatThrownBy(() -> settings(1, "a=1", "b=2,1")).hasMessageContaining("event type 1 is claimed by both "
                + "a and b");
        assertThatThrownBy(() -> settings(1, "a=1", "a=2")).hasMessageContaining("the stream name a is used twice");
        assertThatThrownBy(() -> settings(1, "default=1")).hasMessageContaining("(it is the defaultStream)");
        assertThatThrownBy(() -> settings(1, "=1")).hasMessageContaining("streams: a stream name must be");
    }
}
