package io.sink.shell.socket.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The component's configuration: validated from the raw properties, changed while it runs. */
class ShellSocketComponentTest {
    @TempDir
    Path temp;

    @Test
    void theDefaultsAndAValidConfiguration() {
        ShellSocketServer.Settings defaults = ShellSocketComponent.settings("/srv/sink", Map.of());
        assertThat(defaults.socket()).isEqualTo(Path.of("/srv/sink/data/sink.sock"));
        assertThat(defaults.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.commandTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(defaults.maxCommands()).isEqualTo(4);
        ShellSocketServer.Settings set = ShellSocketComponent.settings("/srv/sink", Map.of("path", "/run/s.sock",
                "commandTimeoutSeconds", "120", "requestTimeoutSeconds", 5, "maxConcurrentCommands", "2"));
        assertThat(set.socket()).isEqualTo(Path.of("/run/s.sock"));
        assertThat(set.commandTimeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(set.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(set.maxCommands()).isEqualTo(2);
    }

    @Test
    void anInvalidValueIsRefusedNamingThePidThePropertyTheValueAndWhy() {
        assertThatThrownBy(() -> ShellSocketComponent.settings(null, Map.of("commandTimeoutSeconds", "abc")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("configuration io.sink.shell.socket: commandTimeoutSeconds = 'abc' is refused: must be a"
                        + " whole number between 1 and 3600");
        assertThatThrownBy(() -> ShellSocketComponent.settings(null, Map.of("maxConcurrentCommands", 65)))
                .hasMessage("configuration io.sink.shell.socket: maxConcurrentCommands = '65' is refused: must be"
                        + " between 1 and 64");
        assertThatThrownBy(() -> ShellSocketComponent.settings(null, Map.of("path", " ")))
                .hasMessageStartingWith("configuration io.sink.shell.socket: path = ' ' is refused: must not be empty");
        assertThatThrownBy(() -> ShellSocketComponent.settings(null, Map.of("path", "a\u0000b")))
                .hasMessageStartingWith("configuration io.sink.shell.socket: path = 'a\\u0000b' is refused: it is not a"
                        + " valid path");
    }

    @Test
    void aChangeIsAppliedWhileItRunsAndAnInvalidOneKeepsThePreviousSocket() throws Exception {
        Path first = temp.resolve("first.sock");
        Path second = temp.resolve("second.sock");
        ShellSocketComponent component = new ShellSocketComponent();
        Map<String, Object> properties = new HashMap<>(Map.of("path", first.toString()));
        component.activate(null, properties);
        try {
            assertThat(listening(first)).isTrue();

            properties.put("maxConcurrentCommands", "many");
            component.modified(properties); // refused in one line; nothing changes
            assertThat(listening(first)).as("still listening on its previous configuration").isTrue();

            properties.put("maxConcurrentCommands", "2");
            properties.put("path", second.toString());
            component.modified(properties);
            assertThat(listening(second)).as("listening on the new path").isTrue();
            assertThat(Files.exists(first)).as("the previous socket file is removed").isFalse();
        } finally {
            component.deactivate();
        }
        assertThat(listening(second)).isFalse();
    }

    private static boolean listening(Path socket) {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            return false;
        }
    }
}
