package io.sink.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A certificate or key file that cannot be used: missing, unreadable, not PEM, holding the wrong
 * kind of object, encrypted, or not matching its partner. The message starts with the file's path
 * and says what is wrong; it never contains key material.
 */
public class TlsFileException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public TlsFileException(Path file, String problem) {
        super(file + ": " + Objects.requireNonNull(problem, "problem"));
        this.file = file;
    }

    public TlsFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + Objects.requireNonNull(problem, "problem"), cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
