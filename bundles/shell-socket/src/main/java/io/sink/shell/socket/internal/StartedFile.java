package io.sink.shell.socket.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The file that tells {@code bin/sink ROLE start} that the framework has started: it holds the pid of
 * the JVM that wrote it (one line), so that a file left behind by an earlier process of the same
 * instance is never taken for this one's. Written whole (aside, then renamed into place), so that a
 * reader sees the whole line or no file.
 */
final class StartedFile {
    private final Path file;
    private final long pid;

    StartedFile(Path file, long pid) {
        this.file = file;
        this.pid = pid;
    }

    Path path() {
        return file;
    }

    /** Writes this JVM's pid into the file, replacing what was there. */
    void write() throws IOException {
        Path aside = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(aside, pid + "\n", US_ASCII);
        try {
            Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(aside, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Removes the file if it is this JVM's (a newer process of the instance may have written its own). */
    void remove() throws IOException {
        String content;
        try {
            content = Files.readString(file, US_ASCII);
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        }
        if (content.strip().equals(Long.toString(pid))) {
            Files.deleteIfExists(file);
        }
    }
}
