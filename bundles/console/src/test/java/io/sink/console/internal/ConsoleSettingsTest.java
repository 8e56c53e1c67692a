package io.sink.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.config.InvalidConfigurationException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleSettingsTest {

    @Test
    void defaultsWithoutConfiguration() {
        assertThat(ConsoleSettings.parse(Map.of())).isEqualTo(ConsoleSettings.DEFAULTS);
        assertThat(ConsoleSettings.parse(null).passwordHash()).isEmpty();
    }

    @Test
    void readsValuesAsFileInstallGivesThem() {
        String hash = PasswordHash.create("pw".toCharArray(), PasswordHash.MIN_ITERATIONS, new SecureRandom()).toString();
        ConsoleSettings s = ConsoleSettings.parse(Map.of("passwordHash", hash, "sessionMinutes", "5", "maxSessions", "3"));
        assertThat(s.passwordHash()).map(Object::toString).contains(hash);
        assertThat(s.session()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.maxSessions()).isEqualTo(3);
    }

    @Test
    void refusalNamesPidPropertyValueAndWhy() {
        assertThatThrownBy(() -> ConsoleSettings.parse(Map.of("sessionMinutes", "banana")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("configuration io.sink.console: sessionMinutes = 'banana' is refused: must be a whole number"
                        + " between 1 and 1440");
        assertThatThrownBy(() -> ConsoleSettings.parse(Map.of("maxSessions", "0")))
                .hasMessageContaining("maxSessions = '0' is refused");
    }

    @Test
    void aMalformedHashIsNotEchoed() {
        assertThatThrownBy(() -> ConsoleSettings.parse(Map.of("passwordHash", "my-plain-password")))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("io.sink.console: passwordHash = '(17 characters, not shown)' is refused: is not of"
                        + " the form")
                .hasMessageNotContaining("my-plain-password");
    }
}
