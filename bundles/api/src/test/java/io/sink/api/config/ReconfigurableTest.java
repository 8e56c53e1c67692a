package io.sink.api.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReconfigurableTest {
    final List<String> errors = new ArrayList<>();
    final List<String> events = new ArrayList<>();

    private Reconfigurable<Long, String> open(Map<String, ?> initial) {
        return new Reconfigurable<>("io.sink.test", "the thing", initial,
                p -> new ConfigReader("io.sink.test", p).longValue("size", 1, 1, 100),
                size -> {
                    if (size == 13) {
                        throw new IllegalStateException("13 cannot be opened");
                    }
                    events.add("open " + size);
                    return "thing of " + size;
                },
                thing -> events.add("close " + thing), errors::add, info -> { });
    }

    @Test
    void anInvalidValueIsRefusedInOneLineAndWhatRunsKeepsRunning() {
        Reconfigurable<Long, String> thing = open(Map.of("size", "5"));
        thing.modified(Map.of("size", "banana"));
        assertThat(errors).containsExactly("configuration io.sink.test: size = 'banana' is refused: must be a whole"
                + " number between 1 and 100; the thing keeps running with its previous configuration");
        assertThat(events).containsExactly("open 5");
        assertThat(thing.current()).isEqualTo("thing of 5");
    }

    @Test
    void anUnchangedConfigurationChangesNothingAndAChangeReopens() {
        Reconfigurable<Long, String> thing = open(Map.of("size", "5"));
        thing.modified(Map.of("size", 5L));
        thing.modified(Map.of("size", "7"));
        assertThat(events).containsExactly("open 5", "close thing of 5", "open 7");
        assertThat(thing.current()).isEqualTo("thing of 7");
        assertThat(thing.settings()).isEqualTo(7);
        thing.close();
        assertThat(events).endsWith("close thing of 7");
        assertThat(errors).isEmpty();
    }

    @Test
    void aChangeThatCannotBeOpenedReopensThePreviousSettings() {
        Reconfigurable<Long, String> thing = open(Map.of("size", "5"));
        thing.modified(Map.of("size", "13"));
        assertThat(errors).singleElement().asString().contains("13 cannot be opened")
                .contains("reopened with its previous configuration");
        assertThat(events).containsExactly("open 5", "close thing of 5", "open 5");
        assertThat(thing.current()).isEqualTo("thing of 5");
        assertThat(thing.settings()).isEqualTo(5);
    }
}
