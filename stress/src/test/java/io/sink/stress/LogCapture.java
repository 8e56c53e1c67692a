package io.sink.stress;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Captures what slf4j-simple writes (it writes to the current {@code System.err} at every call
 * unless told to cache the stream): every line is kept in memory for assertions and appended to a
 * file for post-mortems, and not printed, so the build output stays readable. {@link #close()}
 * puts the original stream back.
 */
final class LogCapture implements AutoCloseable {
    private final PrintStream original;
    private final Writer file;
    private final List<String> lines = new ArrayList<>();

    private LogCapture(Path file) throws IOException {
        this.original = System.err;
        this.file = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        System.setErr(new PrintStream(new LineSplitter(), true, StandardCharsets.UTF_8));
    }

    static LogCapture start(Path file) throws IOException {
        return new LogCapture(file);
    }

    /** How many lines were captured so far: a mark for {@link #find}. */
    synchronized int mark() {
        return lines.size();
    }

    /** The first line captured at or after {@code mark} that matches. */
    synchronized Optional<String> find(int mark, Predicate<String> match) {
        for (int i = mark; i < lines.size(); i++) {
            if (match.test(lines.get(i))) {
                return Optional.of(lines.get(i));
            }
        }
        return Optional.empty();
    }

    /** Every line captured at or after {@code mark} that matches. */
    synchronized List<String> findAll(int mark, Predicate<String> match) {
        List<String> found = new ArrayList<>();
        for (int i = mark; i < lines.size(); i++) {
            if (match.test(lines.get(i))) {
                found.add(lines.get(i));
            }
        }
        return found;
    }

    private synchronized void line(String line) {
        lines.add(line);
        try {
            file.write(line);
            file.write('\n');
        } catch (IOException e) {
            original.println("cannot write the captured log: " + e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        System.err.flush();
        System.setErr(original);
        file.close();
    }

    /** Cuts the byte stream into lines (UTF-8). PrintStream serialises its callers. */
    private final class LineSplitter extends OutputStream {
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            if (b == '\n') {
                line(current.toString(StandardCharsets.UTF_8).stripTrailing());
                current.reset();
            } else {
                current.write(b);
            }
        }
    }
}
