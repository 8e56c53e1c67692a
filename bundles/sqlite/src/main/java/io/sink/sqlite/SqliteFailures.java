package io.sink.sqlite;

import java.sql.SQLException;

/**
 * Tells storage failures apart by SQLite's primary result code (sqlite-jdbc puts the result code in
 * {@link SQLException#getErrorCode()} and its name in the message), so that messages can name the
 * cause: a full disk or size limit, an I/O error, a corrupt or replaced file.
 */
public final class SqliteFailures {
    private static final int SQLITE_IOERR = 10;
    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_FULL = 13;
    private static final int SQLITE_READONLY = 8;
    private static final int SQLITE_NOTADB = 26;

    private SqliteFailures() {
    }

    /** Whether {@code failure} or one of its causes is SQLite's {@code SQLITE_FULL}: the disk or the page limit. */
    public static boolean isFull(Throwable failure) {
        return has(failure, SQLITE_FULL, "SQLITE_FULL");
    }

    /** Whether SQLite found the file corrupt or not a database ({@code SQLITE_CORRUPT}, {@code SQLITE_NOTADB}). */
    public static boolean isCorrupt(Throwable failure) {
        return has(failure, SQLITE_CORRUPT, "SQLITE_CORRUPT") || has(failure, SQLITE_NOTADB, "SQLITE_NOTADB");
    }

    /** Whether the failure is a storage condition that may pass (full, I/O error) rather than a bug. */
    public static boolean isStorage(Throwable failure) {
        return isFull(failure) || has(failure, SQLITE_IOERR, "SQLITE_IOERR")
                || has(failure, SQLITE_READONLY, "SQLITE_READONLY") || has(failure, SQLITE_CORRUPT, "SQLITE_CORRUPT")
                || has(failure, SQLITE_NOTADB, "SQLITE_NOTADB") || failure instanceof DatabaseFileChangedException;
    }

    /**
     * What went wrong in words, for messages: {@code the disk is full (SQLITE_FULL)} and so on, or the
     * failure's own message.
     */
    public static String describe(Throwable failure) {
        if (isFull(failure)) {
            return "the disk holding the database is full, or the database reached its page limit (SQLITE_FULL)";
        }
        if (has(failure, SQLITE_IOERR, "SQLITE_IOERR")) {
            return "the disk failed to read or write (SQLITE_IOERR): " + failure.getMessage();
        }
        if (has(failure, SQLITE_READONLY, "SQLITE_READONLY")) {
            return "the database cannot be written (SQLITE_READONLY): " + failure.getMessage();
        }
        if (has(failure, SQLITE_CORRUPT, "SQLITE_CORRUPT") || has(failure, SQLITE_NOTADB, "SQLITE_NOTADB")) {
            return "the database file is corrupt or not a database: " + failure.getMessage();
        }
        return String.valueOf(failure.getMessage());
    }

    private static boolean has(Throwable failure, int code, String name) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && (sql.getErrorCode() & 0xff) == code) {
                return true;
            }
            String message = t.getMessage();
            if (message != null && message.contains("[" + name)) {
                return true;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (suppressed != t && has(suppressed, code, name)) {
                    return true;
                }
            }
        }
        return false;
    }
}
