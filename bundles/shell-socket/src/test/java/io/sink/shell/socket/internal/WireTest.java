package io.sink.shell.socket.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.net.SocketException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WireTest {

    private static byte[] answer(String output, int status, String message) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(output.getBytes(UTF_8));
        all.writeBytes(Wire.statusLine(status, message));
        return all.toByteArray();
    }

    @Test
    void theLastLineIsTheStatusWhateverTheOutputHolds() {
        Wire.Answer parsed = Wire.parse(answer("status: 0\nstatus: 7 fake\nreal output\n", 1, "boom"));
        assertThat(new String(parsed.output(), UTF_8)).isEqualTo("status: 0\nstatus: 7 fake\nreal output\n");
        assertThat(parsed.status()).isEqualTo(1);
        assertThat(parsed.message()).isEqualTo("boom");
    }

    @Test
    void emptyOutputAndNoMessage() {
        Wire.Answer parsed = Wire.parse(answer("", 0, ""));
        assertThat(parsed.output()).isEmpty();
        assertThat(parsed.status()).isZero();
        assertThat(parsed.message()).isEmpty();
    }

    @Test
    void messagesAreFlattenedToOneLineAndBounded() {
        String line = new String(Wire.statusLine(1, "first\n  second\r\nthird"), UTF_8);
        assertThat(line).isEqualTo("status: 1 first | second | third\n");
        String longLine = new String(Wire.statusLine(1, "x".repeat(5000)), UTF_8);
        assertThat(longLine).hasSize("status: 1 ".length() + Wire.MAX_MESSAGE_CHARS + "...\n".length());
    }

    @Test
    void answersWithoutAStatusLineAreRefused() {
        assertThatThrownBy(() -> Wire.parse(new byte[0])).hasMessageContaining("empty");
        assertThatThrownBy(() -> Wire.parse("output\nstatus: 0".getBytes(UTF_8))).hasMessageContaining("cut off");
        assertThatThrownBy(() -> Wire.parse("output\n".getBytes(UTF_8)))
                .hasMessageContaining("does not end with a status line: \"output\"");
        assertThatThrownBy(() -> Wire.parse("status: x\n".getBytes(UTF_8))).hasMessageContaining("status line");
    }

    @Test
    void longSocketPathsAreUsedRelativeToTheWorkingDirectory() throws SocketException {
        Path cwd = Path.of("").toAbsolutePath();
        Path deep = cwd.resolve("d".repeat(45)).resolve("e".repeat(45)).resolve("sink.sock");
        assertThat(Wire.address(deep).getPath()).isEqualTo(cwd.relativize(deep));
        Path shortOne = Path.of("/tmp/x/sink.sock");
        assertThat(Wire.address(shortOne).getPath()).isEqualTo(shortOne);
        Path elsewhere = Path.of("/" + "f".repeat(60), "g".repeat(60), "sink.sock");
        assertThatThrownBy(() -> Wire.address(elsewhere)).isInstanceOf(SocketException.class)
                .hasMessageContaining("too long");
    }
}
