package io.sink.server.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ApplicationVersionTest {

    private static ApplicationVersion v(String text) {
        return ApplicationVersion.parse(text).orElseThrow(() -> new AssertionError("does not parse: " + text));
    }

    @ParameterizedTest(name = "{0} < {1}")
    @CsvSource({
        "0.9.9, 1.0.0",
        "1.9, 1.10",
        "1.2.3, 1.2.4",
        "1.2.9, 1.3",
        "1, 1.0.1",
        "1.0.0-rc.1, 1.0.0",
        "1.0.0-alpha, 1.0.0-alpha.1",
        "1.0.0-alpha.1, 1.0.0-alpha.beta",
        "1.0.0-alpha.beta, 1.0.0-beta",
        "1.0.0-beta, 1.0.0-beta.2",
        "1.0.0-beta.2, 1.0.0-beta.11",
        "1.0.0-beta.11, 1.0.0-rc.1",
        "1.0.0-rc.1, 1.0.0-rc.2",
        "1.0.0-rc.9, 1.0.0-rc.10",
        "1.0.0-1, 1.0.0-a",
        "1.0.0-RC, 1.0.0-rc",
        "0.99999999999999999999998, 0.99999999999999999999999",
        "2, 10",
    })
    void ordered(String lower, String higher) {
        assertThat(v(lower)).isLessThan(v(higher));
        assertThat(v(higher)).isGreaterThan(v(lower));
        assertThat(v(lower)).isNotEqualTo(v(higher));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "1.0.0, 1.0.0",
        "1, 1.0.0",
        "1.0, 1.0.0.0",
        "01.002.0003, 1.2.3",
        "1.0.0+build.5, 1.0.0",
        "1.0.0-rc.1+x, 1.0.0-rc.1",
        "1.0.0-rc.01, 1.0.0-rc.1",
        "0, 0.0",
    })
    void equal(String a, String b) {
        assertThat(v(a)).isEqualByComparingTo(v(b));
        assertThat(v(a)).isEqualTo(v(b));
        assertThat(v(a)).hasSameHashCodeAs(v(b));
    }

    @ParameterizedTest(name = "\"{0}\" is not a version")
    @ValueSource(strings = {"", " ", "v1.0.0", "1.x", "1.2a", "1..2", ".1", "1.", "1.0.0-", "1.0.0+", "1.0.0-rc..1",
        "1.0.0 ", " 1.0.0", "1,0", "latest", "1.0.0-rc_1", "1.0.0\n", "١.٢"})
    void malformed(String text) {
        assertThat(ApplicationVersion.parse(text)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {ApplicationVersion.MAX_LENGTH, ApplicationVersion.MAX_LENGTH + 1})
    void lengthLimit(int length) {
        String text = "1" + ".0".repeat((length - 1) / 2) + (length % 2 == 0 ? "0" : "");
        assertThat(text).hasSize(length);
        assertThat(ApplicationVersion.parse(text).isPresent()).isEqualTo(length <= ApplicationVersion.MAX_LENGTH);
    }
}
