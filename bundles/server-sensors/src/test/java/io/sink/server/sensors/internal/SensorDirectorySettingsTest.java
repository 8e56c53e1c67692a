package io.sink.server.sensors.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration PID io.sink.server.sensors: defaults, and refusals naming PID, property and value. */
class SensorDirectorySettingsTest {
    private static final Path DATA = Path.of("/var/lib/sink/data");

    @Test
    void defaultsPutTheDatabaseUnderTheDataDirectory() {
        SensorDirectoryComponent.Settings s = SensorDirectoryComponent.settings(Map.of());
        assertThat(SqliteSensorStorageComponent.settings(Map.of(), DATA).path())
                .isEqualTo(DATA.resolve("server/sensors.db"));
        assertThat(SqliteSensorStorageComponent.settings(Map.of("path", "x/s.db"), DATA).path())
                .isEqualTo(DATA.resolve("x/s.db"));
        assertThat(s.pollMillis()).isEqualTo(500);
        assertThat(s.publishTimeoutMillis()).isEqualTo(30_000);
        assertThat(SensorDirectoryComponent.settings(Map.of("pollMillis", "50", "path", "x/s.db")))
                .extracting(SensorDirectoryComponent.Settings::pollMillis).isEqualTo(50L);
    }

    @Test
    void badValuesAreRefusedNamingPidPropertyAndValue() {
        assertThatThrownBy(() -> SensorDirectoryComponent.settings(Map.of("pollMillis", "5")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("io.sink.server.sensors").hasMessageContaining("pollMillis")
                .hasMessageContaining("'5'");
        assertThatThrownBy(() -> SensorDirectoryComponent.settings(Map.of("publishTimeoutMillis", "soon")))
                .hasMessageContaining("io.sink.server.sensors").hasMessageContaining("publishTimeoutMillis")
                .hasMessageContaining("'soon'");
        assertThatThrownBy(() -> SqliteSensorStorageComponent.settings(Map.of("journalMode", "BOGUS"), DATA))
                .hasMessageContaining("io.sink.server.sensors").hasMessageContaining("journalMode")
                .hasMessageContaining("'BOGUS'");
    }
}
