package io.sink.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DataDirectoryTest {

    @Test
    void withoutThePropertyItIsDataUnderTheWorkingDirectory() {
        assertThat(DataDirectory.of(null)).isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(DataDirectory.of("  ")).isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(DataDirectory.of(" /var/lib/sink ")).isEqualTo(Path.of("/var/lib/sink"));
    }
}
