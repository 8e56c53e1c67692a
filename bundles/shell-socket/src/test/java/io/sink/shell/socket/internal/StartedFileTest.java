package io.sink.shell.socket.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file bin/sink ROLE start waits for: the writer's pid, written whole, removed only by its writer. */
class StartedFileTest {
    @TempDir
    Path temp;

    @Test
    void holdsThePidOnOneLineAndReplacesAStaleOne() throws Exception {
        Path file = temp.resolve("sink.started");
        Files.writeString(file, "99999\n");
        new StartedFile(file, 1234).write();
        assertThat(file).content().isEqualTo("1234\n");
        try (var files = Files.list(temp)) {
            assertThat(files).containsExactly(file); // nothing left aside
        }
    }

    @Test
    void isRemovedOnlyWhenItHoldsThisPid() throws Exception {
        Path file = temp.resolve("sink.started");
        StartedFile mine = new StartedFile(file, 1234);
        mine.write();
        new StartedFile(file, 5678).remove();
        assertThat(file).content().isEqualTo("1234\n");
        mine.remove();
        assertThat(file).doesNotExist();
        mine.remove(); // no file: nothing to do
        assertThat(file).doesNotExist();
    }
}
