package io.sink.api.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigReaderTest {
    enum Mode { WAL, DELETE }

    final ConfigReader config = new ConfigReader("io.sink.test", Map.of(
            "mode", "bogus", "modeLower", "delete", "size", "banana", "sizeText", " 1_000 ", "sizeTyped", 42L,
            "flag", "yes", "flagText", "TRUE", "list", List.of("a"), "evil", "x\n2026-12-02 | INFO | FORGED\u001b[2J"));

    @Test
    void absentPropertiesGiveTheDefaults() {
        assertThat(config.longValue("absent", 7, 0, 10)).isEqualTo(7);
        assertThat(config.text("absent", "d")).isEqualTo("d");
        assertThat(config.choice("absent", Mode.class, Mode.WAL)).isEqualTo(Mode.WAL);
        assertThat(config.booleanValue("absent", true)).isTrue();
    }

    @Test
    void typedAndTextValuesAreRead() {
        assertThat(config.longValue("sizeText", 0, 0, 10_000)).isEqualTo(1000);
        assertThat(config.longValue("sizeTyped", 0, 0, 100)).isEqualTo(42);
        assertThat(config.choice("modeLower", Mode.class, Mode.WAL)).isEqualTo(Mode.DELETE);
        assertThat(config.booleanValue("flagText", false)).isTrue();
    }

    @Test
    void refusalsNameThePidThePropertyTheValueAndWhy() {
        assertThatThrownBy(() -> config.choice("mode", Mode.class, Mode.WAL))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("configuration io.sink.test: mode = 'bogus' is refused: must be one of WAL, DELETE");
        assertThatThrownBy(() -> config.longValue("size", 0, 0, 10))
                .hasMessage("configuration io.sink.test: size = 'banana' is refused: must be a whole number between"
                        + " 0 and 10");
        assertThatThrownBy(() -> config.longValue("sizeTyped", 0, 0, 10))
                .hasMessage("configuration io.sink.test: sizeTyped = '42' is refused: must be between 0 and 10");
        assertThatThrownBy(() -> config.booleanValue("flag", false)).hasMessageEndingWith("must be true or false");
        assertThatThrownBy(() -> config.text("list", "")).hasMessageContaining("list = '[a]'");
        InvalidConfigurationException e = (InvalidConfigurationException) org.assertj.core.api.Assertions
                .catchThrowable(() -> config.intValue("size", 0, 0, 1));
        assertThat(e.pid()).isEqualTo("io.sink.test");
        assertThat(e.property()).isEqualTo("size");
    }

    @Test
    void aValueCannotForgeALogLineOrReachTheTerminal() {
        assertThatThrownBy(() -> config.longValue("evil", 0, 0, 1))
                .hasMessageContaining("'x\\u000A2026-12-02 | INFO | FORGED\\u001B[2J'")
                .satisfies(t -> assertThat(t.getMessage()).doesNotContain("\n").doesNotContain("\u001b"));
        assertThat(InvalidConfigurationException.quote("a".repeat(500))).hasSizeLessThan(260).contains("500 characters");
        // which characters are escaped is the shared escaper's (Printable): private-use, C1, non-ASCII spaces too
        assertThat(InvalidConfigurationException.quote("a\uE000\u0085\u00A0'\\b")).isEqualTo("'a\\uE000\\u0085\\u00A0\\'\\\\b'");
    }
}
