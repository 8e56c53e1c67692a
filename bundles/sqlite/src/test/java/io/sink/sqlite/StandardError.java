package io.sink.sqlite;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Captures what is written to standard error (where slf4j-simple logs in the tests), to count log
 * lines. Shared with the stores' tests through this module's test-jar.
 */
public final class StandardError {
    private StandardError() {
    }

    /** The lines {@code action} writes to standard error. */
    public static List<String> linesOf(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
