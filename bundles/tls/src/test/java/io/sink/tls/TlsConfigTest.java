package io.sink.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TlsConfigTest {

    @Test
    void fromConfigurationStrings() {
        TlsConfig config = TlsConfig.of(" certs/server.pem ", "certs/server-key.pem", "certs/ca.pem", "certificate",
                "private.key", "trusted.certificates");

        assertThat(config).isEqualTo(new TlsConfig(Path.of("certs/server.pem"), Path.of("certs/server-key.pem"),
                Path.of("certs/ca.pem")));
        assertThat(config.resolveAgainst(Path.of("/etc/sink")).privateKey()).isEqualTo(Path.of("/etc/sink/certs/server-key.pem"));
    }

    @Test
    void aBlankValueNamesItsProperty() {
        assertThatThrownBy(() -> TlsConfig.of("a.pem", " ", "ca.pem", "certificate", "private.key", "trusted.certificates"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("private.key must name a PEM file; it is empty");
    }
}
