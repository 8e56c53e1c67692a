package io.sink.tls.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TlsLogTest {

    @Test
    void fallbackFormatFillsPlaceholdersInOrder() {
        assertThat(TlsLog.format("file {} is readable by {} ({})", "/k.pem", "others", "rw-r--r--"))
                .isEqualTo("file /k.pem is readable by others (rw-r--r--)");
        assertThat(TlsLog.format("no placeholder", "extra")).isEqualTo("no placeholder");
        assertThat(TlsLog.format("{} and {}", "one")).isEqualTo("one and {}");
    }
}
