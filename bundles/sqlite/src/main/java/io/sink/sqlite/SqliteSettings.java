package io.sink.sqlite;

import io.sink.api.config.ConfigReader;
import io.sink.api.config.InvalidConfigurationException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Validated settings of one SQLite database: its file, the journal mode and synchronous level its
 * connections are opened with, the group commit's batch size and the readers' pool size. Build
 * with {@link #builder(Path)}; every setter checks its value and names the configuration property
 * in its message.
 */
public final class SqliteSettings {

    /** SQLite journal modes that keep committed transactions across a crash. */
    public enum JournalMode {
        /** Write-ahead log: readers and the writer do not block each other. The default. */
        WAL,
        /** Rollback journal, deleted after each transaction. Readers and the writer block each other. */
        DELETE,
        /** Rollback journal, truncated after each transaction. */
        TRUNCATE,
        /** Rollback journal, its header zeroed after each transaction. */
        PERSIST
    }

    /** SQLite {@code PRAGMA synchronous} levels. */
    public enum Synchronous {
        /** No fsync: a power loss can lose or corrupt recent transactions. Not durable. */
        OFF,
        /** In WAL mode, durable across a process crash but a power loss can lose the last transactions. */
        NORMAL,
        /** fsync at every commit: durable across power loss. The default. */
        FULL,
        /** Like FULL, and also syncs the directory after deleting a rollback journal. */
        EXTRA
    }

    /** The default {@link #walLimitBytes()}: 4 MiB, about SQLite's default of 1000 pages. */
    public static final long DEFAULT_WAL_LIMIT_BYTES = 4L << 20;

    /** How long a connection waits for a lock held by another connection or process. */
    public static final int BUSY_TIMEOUT_MILLIS = 10_000;

    private final Path path;
    private final JournalMode journalMode;
    private final Synchronous synchronous;
    private final int maxWritesPerTransaction;
    private final int readConnections;
    private final long walLimitBytes;

    private SqliteSettings(Builder b) {
        this.walLimitBytes = b.walLimitBytes;
        this.path = b.path;
        this.journalMode = b.journalMode;
        this.synchronous = b.synchronous;
        this.maxWritesPerTransaction = b.maxWritesPerTransaction;
        this.readConnections = b.readConnections;
    }

    /** Settings with the defaults for the database at {@code path} (made absolute). */
    public static Builder builder(Path path) {
        return new Builder(path);
    }

    /**
     * A builder from a component's configuration: the properties {@code path} (relative paths
     * resolve against {@code dataDirectory}), {@code journalMode}, {@code synchronous},
     * {@code maxWritesPerTransaction} and {@code readConnections}, each checked.
     *
     * @throws InvalidConfigurationException naming the PID, the property, the value and why
     */
    public static Builder fromConfig(ConfigReader config, Path dataDirectory, String defaultPath) {
        String path = config.nonBlankText("path", defaultPath);
        Builder builder;
        try {
            builder = builder(dataDirectory.resolve(path));
        } catch (IllegalArgumentException e) { // includes InvalidPathException
            throw config.invalid("path", config.raw("path"), "must be a plain file path (" + e.getMessage() + ")");
        }
        return builder.journalMode(config.choice("journalMode", JournalMode.class, JournalMode.WAL))
                .synchronous(config.choice("synchronous", Synchronous.class, Synchronous.FULL))
                .maxWritesPerTransaction(config.intValue("maxWritesPerTransaction", 1000, 1, 100_000))
                .readConnections(config.intValue("readConnections", 4, 1, 64));
    }

    /** The database file, absolute. */
    public Path path() {
        return path;
    }

    public JournalMode journalMode() {
        return journalMode;
    }

    public Synchronous synchronous() {
        return synchronous;
    }

    /** Most queued writes committed together in one transaction. */
    public int maxWritesPerTransaction() {
        return maxWritesPerTransaction;
    }

    /** Size of the readers' connection pool. */
    public int readConnections() {
        return readConnections;
    }

    /**
     * The size the write-ahead log is kept to: SQLite checkpoints it once it holds this many bytes of
     * pages ({@code wal_autocheckpoint}) and truncates the file back to this size when it restarts
     * ({@code journal_size_limit}). A size limit on the database must count the WAL on top.
     */
    public long walLimitBytes() {
        return walLimitBytes;
    }

    /** The JDBC URL of the database. */
    public String jdbcUrl() {
        return "jdbc:sqlite:" + path;
    }

    /**
     * The writer's {@code PRAGMA temp_store} (see {@link #jdbcProperties}); schema migrations run with
     * {@code FILE} instead ({@link SqliteDatabase}).
     */
    static final String WRITER_TEMP_STORE = "MEMORY";

    /**
     * Properties for sqlite-jdbc's driver ({@code Driver.connect} or {@code SQLiteConfig}): the URL and
     * the pragmas every connection is opened with. The writer begins its transactions IMMEDIATE, so
     * it takes the write lock at once instead of upgrading a read lock later.
     */
    public Properties jdbcProperties(boolean forWriter) {
        Properties p = new Properties();
        p.setProperty("url", jdbcUrl());
        p.setProperty("journal_mode", journalMode.name());
        p.setProperty("synchronous", synchronous.name());
        p.setProperty("busy_timeout", Integer.toString(BUSY_TIMEOUT_MILLIS));
        p.setProperty("transaction_mode", forWriter ? "IMMEDIATE" : "DEFERRED");
        if (forWriter) {
            // the writer's statement journals (the savepoint of each batch of writes) in memory: on disk
            // SQLite spills one to a temporary file once it passes 64 KiB, so a batch touching more than
            // 16 pages created, wrote and deleted a file in /var/tmp besides its WAL frames (strace of the
            // server's writer: openat, pwrite, unlink per commit). In memory it holds at most the pages
            // one transaction changes that existed before it began (a transaction is bounded by
            // maxWritesPerTransaction), and is freed when the savepoint is released
            p.setProperty("temp_store", WRITER_TEMP_STORE);
        }
        p.setProperty("journal_size_limit", Long.toString(walLimitBytes));
        // in pages of the default size (4096): a checkpoint once the WAL holds about walLimitBytes
        p.setProperty("wal_autocheckpoint", Long.toString(Math.max(1, walLimitBytes / 4096)));
        // no store reads generated keys; left on, sqlite-jdbc matches a regex and prepares and runs
        // "SELECT last_insert_rowid()" after every INSERT (a few microseconds per event)
        p.setProperty("jdbc.get_generated_keys", "false");
        return p;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SqliteSettings other && path.equals(other.path) && journalMode == other.journalMode
                && synchronous == other.synchronous && maxWritesPerTransaction == other.maxWritesPerTransaction
                && readConnections == other.readConnections && walLimitBytes == other.walLimitBytes;
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, journalMode, synchronous, maxWritesPerTransaction, readConnections, walLimitBytes);
    }

    @Override
    public String toString() {
        return "path=" + path + ", journalMode=" + journalMode + ", synchronous=" + synchronous
                + ", maxWritesPerTransaction=" + maxWritesPerTransaction + ", readConnections=" + readConnections
                + ", walLimitBytes=" + walLimitBytes;
    }

    /** Builder; the defaults are WAL, FULL, 1000 writes per transaction, 4 reader connections. */
    public static final class Builder {
        private final Path path;
        private JournalMode journalMode = JournalMode.WAL;
        private Synchronous synchronous = Synchronous.FULL;
        private int maxWritesPerTransaction = 1000;
        private int readConnections = 4;
        private long walLimitBytes = DEFAULT_WAL_LIMIT_BYTES;

        private Builder(Path path) {
            Objects.requireNonNull(path, "path");
            String text = path.toString();
            if (text.isBlank()) {
                throw new IllegalArgumentException("path must name the database file, got an empty path");
            }
            if (text.indexOf('?') >= 0 || text.startsWith(":") || text.startsWith("file:")) {
                // sqlite-jdbc reads '?' as the start of URL parameters and ':memory:'/'file:' as special names
                throw new IllegalArgumentException(
                        "path must be a plain file path without '?' and not a ':' or 'file:' name, got '" + text + "'");
            }
            this.path = path.toAbsolutePath().normalize();
        }

        public Builder journalMode(String value) {
            return journalMode(parse(JournalMode.class, "journalMode", value));
        }

        public Builder journalMode(JournalMode value) {
            this.journalMode = Objects.requireNonNull(value, "journalMode");
            return this;
        }

        public Builder synchronous(String value) {
            return synchronous(parse(Synchronous.class, "synchronous", value));
        }

        public Builder synchronous(Synchronous value) {
            this.synchronous = Objects.requireNonNull(value, "synchronous");
            return this;
        }

        public Builder maxWritesPerTransaction(int value) {
            if (value < 1 || value > 100_000) {
                throw new IllegalArgumentException("maxWritesPerTransaction must be between 1 and 100000, got "
                        + value);
            }
            this.maxWritesPerTransaction = value;
            return this;
        }

        public Builder readConnections(int value) {
            if (value < 1 || value > 64) {
                throw new IllegalArgumentException("readConnections must be between 1 and 64, got " + value);
            }
            this.readConnections = value;
            return this;
        }

        /** See {@link SqliteSettings#walLimitBytes()}: 64 KiB to 1 GiB. */
        public Builder walLimitBytes(long value) {
            if (value < 64 * 1024 || value > (1L << 30)) {
                throw new IllegalArgumentException("walLimitBytes must be between 65536 and 1073741824, got " + value);
            }
            this.walLimitBytes = value;
            return this;
        }

        public SqliteSettings build() {
            return new SqliteSettings(this);
        }

        /**
         * The enum constant named {@code value} (case-insensitive), or an {@link IllegalArgumentException}
         * naming {@code property} and the accepted values.
         */
        public static <E extends Enum<E>> E parse(Class<E> type, String property, String value) {
            String names = Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "));
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(property + " must be one of " + names + ", got nothing");
            }
            try {
                return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(property + " must be one of " + names + ", got '" + value + "'", e);
            }
        }
    }
}
