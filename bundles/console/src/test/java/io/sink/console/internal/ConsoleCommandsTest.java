package io.sink.console.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConsoleCommandsTest {
    final ConsoleCommands commands = new ConsoleCommands();

    @Test
    void hashPrintsAStoredFormThatMatchesThePassword() {
        String stored = commands.hash("  s3cret  ");
        assertThat(stored).startsWith("pbkdf2-sha256$600000$").doesNotContain("s3cret");
        PasswordHash hash = PasswordHash.parse(stored);
        assertThat(hash.matches("s3cret".toCharArray())).isTrue();
        assertThat(ConsoleSettings.parse(java.util.Map.of("passwordHash", stored)).passwordHash()).contains(hash);
    }

    @Test
    void wrongArgumentsAreRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> commands.hash("secret", "more")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("give exactly one password (2 arguments given); usage: console:hash <password>");
        assertThatThrownBy(() -> commands.hash(" ")).hasMessageContaining("password is missing");
    }
}
