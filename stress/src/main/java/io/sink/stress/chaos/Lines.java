package io.sink.stress.chaos;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Standard output, one line per {@code write} system call: a line, once printed, is in the pipe
 * whole, and a SIGKILL can only come between lines (never leave half of one for the reader). Safe
 * for several threads.
 */
final class Lines {
    private final FileOutputStream out = new FileOutputStream(FileDescriptor.out);

    synchronized void println(String line) {
        try {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to standard output", e);
        }
    }
}
