package io.sink.server.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VersionPolicyTest {

    @ParameterizedTest(name = "minimum \"{0}\", client \"{1}\": {2}")
    @CsvSource(quoteCharacter = '\'', value = {
        "1.0.0, 1.0.0, true",
        "1.0.0, 1.0, true",
        "1.0.0, 1.0.1, true",
        "1.0.0, 1.10.0, true",
        "1.0.0, 2, true",
        "1.0.0, 1.0.0+build.7, true",
        "1.0.0, 0.9.9, false",
        "1.0.0, 0.99, false",
        "1.0.0, 1.0.0-rc.1, false",
        "1.0.0, 1.0.1-rc.1, true",
        "1.0.0, '', false",
        "1.0.0, 'v1.0.0', false",
        "1.0.0, garbage, false",
        "1.0.0-rc.2, 1.0.0-rc.1, false",
        "1.0.0-rc.2, 1.0.0-rc.10, true",
        "1.0.0-rc.2, 1.0.0, true",
        "1.2, 1.10, true",
        "1.10, 1.9, false",
        "'', 0.0.1, true",
        "'', garbage, true",
        "'', '', true",
        "'   ', 0.1, true",
    })
    void table(String minimum, String clientVersion, boolean accepted) {
        assertThat(VersionPolicy.minimum(minimum).accepts("alice", clientVersion)).isEqualTo(accepted);
    }

    @Test
    void nullMinimumAcceptsAll() {
        assertThat(VersionPolicy.minimum(null).accepts("alice", "anything")).isTrue();
        assertThat(VersionPolicy.minimum(null)).hasToString("any application version");
        assertThat(VersionPolicy.minimum("1.0")).hasToString("minimum application version 1.0");
    }

    @Test
    void nullClientVersionIsRefusedUnderAMinimum() {
        assertThat(VersionPolicy.minimum("1.0").accepts("alice", null)).isFalse();
    }

    @Test
    void aForgedVersionIsEscapedInTheLog() {
        String forged = "1.0\u001b]0;pwned\u0007\u001bc\n2026-12-02 | INFO | FORGED LINE\u2028\u202E";
        try (ErrLog log = new ErrLog()) {
            assertThat(VersionPolicy.minimum("2.0").accepts("alice", forged)).isFalse();
            assertThat(VersionPolicy.minimum("2.0").accepts("alice", "1." + "9".repeat(400))).isFalse();
            assertThat(log.text()).contains("its application version \"1.0\\e]0;pwned\\u{7}\\ec\\n2026-12-02 | INFO"
                    + " | FORGED LINE\\u{2028}\\u{202E}\" is not a version").contains("…(+146 bytes)")
                    .doesNotContain("\u001b", "\u0007", "\u2028", "\u202E");
            assertThat(log.text().lines()).hasSize(2);
        }
    }
}
