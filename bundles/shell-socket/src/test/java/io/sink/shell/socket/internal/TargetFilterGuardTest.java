package io.sink.shell.socket.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.sqlite.StandardError;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Invalid reference targets never reach Declarative Services; one line each, the previous target kept. */
class TargetFilterGuardTest {
    private final TargetFilterGuard guard = new TargetFilterGuard();

    private static Dictionary<String, Object> config(String pid, Object... keyValues) {
        Dictionary<String, Object> d = new Hashtable<>();
        d.put("service.pid", pid);
        for (int i = 0; i < keyValues.length; i += 2) {
            d.put((String) keyValues[i], keyValues[i + 1]);
        }
        return d;
    }

    @Test
    void validTargetsAndOtherPropertiesPassUnchanged() {
        Dictionary<String, Object> d = config("io.sink.reading.log", "store.target", "(sink.store.type=sqlite)",
                "loggerName", "(broken");
        List<String> lines = StandardError.linesOf(() -> guard.modifyConfiguration(null, d));
        assertThat(d.get("store.target")).isEqualTo("(sink.store.type=sqlite)");
        assertThat(d.get("loggerName")).isEqualTo("(broken");
        assertThat(lines).isEmpty();
    }

    @Test
    void anInvalidTargetIsRefusedInOneLineAndThePreviousValidOneIsKept() {
        guard.modifyConfiguration(null, config("io.sink.poller", "eventLog.target", "(sink.store.type=sqlite)"));
        Dictionary<String, Object> bad = config("io.sink.poller", "eventLog.target", "(broken\n2026 | INFO | forged",
                "window", 16);
        List<String> lines = StandardError.linesOf(() -> {
            guard.modifyConfiguration(null, bad);
            // DS reads the configuration again (other components, later updates): no second line
            guard.modifyConfiguration(null, config("io.sink.poller", "eventLog.target", "(broken\n2026 | INFO | forged"));
        });
        assertThat(bad.get("eventLog.target")).as("the previous valid target").isEqualTo("(sink.store.type=sqlite)");
        assertThat(bad.get("window")).isEqualTo(16);
        assertThat(lines).singleElement().satisfies(line -> assertThat(line)
                .contains("ERROR")
                .contains("configuration io.sink.poller: eventLog.target = '(broken\\u000A2026 | INFO | forged' is"
                        + " refused: not a valid filter")
                .contains("the component keeps its previous target '(sink.store.type=sqlite)'")
                .doesNotContain("\n"));
    }

    @Test
    void anInvalidTargetWithoutAPreviousOneIsRemoved() {
        Dictionary<String, Object> bad = config("io.sink.reading.log", "store.target", "(broken");
        List<String> lines = StandardError.linesOf(() -> guard.modifyConfiguration(null, bad));
        assertThat(bad.get("store.target")).isNull();
        assertThat(lines).singleElement().satisfies(line -> assertThat(line)
                .contains("configuration io.sink.reading.log: store.target = '(broken' is refused")
                .contains("the component's default target applies"));
        Dictionary<String, Object> notText = config("io.sink.reading.log", "store.target", 42);
        guard.modifyConfiguration(null, notText);
        assertThat(notText.get("store.target")).isNull();
    }
}
