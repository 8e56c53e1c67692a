package io.sink.sqlite;

/**
 * The database file was deleted or replaced (another file under its name) while the database was
 * open: writes are refused, since they would go into a file nobody will read again.
 */
public final class DatabaseFileChangedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public DatabaseFileChangedException(String message) {
        super(message);
    }
}
