package io.sink.store.sqlite.internal;

import io.sink.sqlite.SqliteSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/**
 * Validated settings of one event log database: the database's own ({@link SqliteSettings}: path,
 * journal mode, synchronous, group commit, readers) and the event log's (size limit, retention).
 * Build with {@link #builder(Path)}; every setter checks its value and names the configuration
 * property in its message.
 */
public final class StoreSettings {

    private final SqliteSettings sqlite;
    private final long maxDatabaseBytes;
    private final Duration retentionMaxAge;
    private final long retentionMaxCount;
    private final int retentionBatchSize;
    private final Duration retentionPeriod;
    private final boolean relaxedAcknowledgements;
    private final int appendedTailEvents;

    private StoreSettings(Builder b) {
        if (b.maxDatabaseBytes > 0) {
            // the WAL counts towards the limit: keep it to an eighth of it (64 KiB .. 4 MiB)
            b.sqlite.walLimitBytes(Math.max(64 * 1024, Math.min(SqliteSettings.DEFAULT_WAL_LIMIT_BYTES,
                    b.maxDatabaseBytes / 8)));
        }
        this.sqlite = b.sqlite.build();
        this.maxDatabaseBytes = b.maxDatabaseBytes;
        this.retentionMaxAge = b.retentionMaxAge;
        this.retentionMaxCount = b.retentionMaxCount;
        this.retentionBatchSize = b.retentionBatchSize;
        this.retentionPeriod = b.retentionPeriod;
        this.relaxedAcknowledgements = b.relaxedAcknowledgements;
        this.appendedTailEvents = b.appendedTailEvents;
    }

    /** Settings with the defaults for the database at {@code path} (made absolute). */
    public static Builder builder(Path path) {
        return new Builder(SqliteSettings.builder(path));
    }

    /** Settings on the database settings of {@code sqlite} (e.g. from a configuration), the rest defaults. */
    public static Builder builder(SqliteSettings.Builder sqlite) {
        return new Builder(sqlite);
    }

    /** The database's own settings. */
    public SqliteSettings sqlite() {
        return sqlite;
    }

    /** The database file, absolute. */
    public Path path() {
        return sqlite.path();
    }

    public SqliteSettings.JournalMode journalMode() {
        return sqlite.journalMode();
    }

    public SqliteSettings.Synchronous synchronous() {
        return sqlite.synchronous();
    }

    /** Size (pages in use times page size) from which appends are refused; 0 for no limit. */
    public long maxDatabaseBytes() {
        return maxDatabaseBytes;
    }

    /** Acknowledged events acknowledged longer ago than this are deleted; zero for no age limit. */
    public Duration retentionMaxAge() {
        return retentionMaxAge;
    }

    /** At most this many acknowledged events are kept (the most recently acknowledged); 0 for no limit. */
    public long retentionMaxCount() {
        return retentionMaxCount;
    }

    /** Rows deleted by retention per transaction. */
    public int retentionBatchSize() {
        return retentionBatchSize;
    }

    /** Time between retention runs. */
    public Duration retentionPeriod() {
        return retentionPeriod;
    }

    /**
     * Whether transactions of acknowledgements only are committed with {@code synchronous=NORMAL}
     * (when the database is {@code FULL}): no fsync of their own, made durable by the next append's
     * commit. Losing one re-sends events the server already has, which it recognises by ack key.
     * Appends stay {@code FULL}.
     */
    public boolean relaxedAcknowledgements() {
        return relaxedAcknowledgements;
    }

    /** Most recently appended events kept in memory for the poller; 0: none, every read goes to SQLite. */
    public int appendedTailEvents() {
        return appendedTailEvents;
    }

    /** Most queued writes committed together in one transaction. */
    public int maxWritesPerTransaction() {
        return sqlite.maxWritesPerTransaction();
    }

    /** Size of the readers' connection pool. */
    public int readConnections() {
        return sqlite.readConnections();
    }

    /** Whether any retention rule is set. */
    public boolean retentionEnabled() {
        return !retentionMaxAge.isZero() || retentionMaxCount > 0;
    }

    /** The JDBC URL of the database. */
    public String jdbcUrl() {
        return sqlite.jdbcUrl();
    }

    /** See {@link SqliteSettings#jdbcProperties(boolean)}. */
    public Properties jdbcProperties(boolean forWriter) {
        return sqlite.jdbcProperties(forWriter);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoreSettings other && sqlite.equals(other.sqlite)
                && maxDatabaseBytes == other.maxDatabaseBytes && retentionMaxAge.equals(other.retentionMaxAge)
                && retentionMaxCount == other.retentionMaxCount && retentionBatchSize == other.retentionBatchSize
                && retentionPeriod.equals(other.retentionPeriod)
                && relaxedAcknowledgements == other.relaxedAcknowledgements
                && appendedTailEvents == other.appendedTailEvents;
    }

    @Override
    public int hashCode() {
        return Objects.hash(sqlite, maxDatabaseBytes, retentionMaxAge, retentionMaxCount, retentionBatchSize,
                retentionPeriod, relaxedAcknowledgements, appendedTailEvents);
    }

    @Override
    public String toString() {
        return sqlite + ", maxDatabaseBytes=" + maxDatabaseBytes + ", retentionMaxAge=" + retentionMaxAge
                + ", retentionMaxCount=" + retentionMaxCount + ", retentionBatchSize=" + retentionBatchSize
                + ", retentionPeriod=" + retentionPeriod + ", relaxedAcknowledgements=" + relaxedAcknowledgements
                + ", appendedTailEvents=" + appendedTailEvents;
    }

    /** Builder; defaults are the component's defaults. */
    public static final class Builder {
        private final SqliteSettings.Builder sqlite;
        private long maxDatabaseBytes = 1L << 30;
        private Duration retentionMaxAge = Duration.ofDays(7);
        private long retentionMaxCount = 100_000;
        private int retentionBatchSize = 500;
        private Duration retentionPeriod = Duration.ofMinutes(1);
        private boolean relaxedAcknowledgements = true;
        private int appendedTailEvents = 8192;

        private Builder(SqliteSettings.Builder sqlite) {
            this.sqlite = java.util.Objects.requireNonNull(sqlite, "sqlite");
        }

        public Builder journalMode(String value) {
            sqlite.journalMode(value);
            return this;
        }

        public Builder journalMode(SqliteSettings.JournalMode value) {
            sqlite.journalMode(value);
            return this;
        }

        public Builder synchronous(String value) {
            sqlite.synchronous(value);
            return this;
        }

        public Builder synchronous(SqliteSettings.Synchronous value) {
            sqlite.synchronous(value);
            return this;
        }

        public Builder maxDatabaseBytes(long value) {
            if (value < 0) {
                throw new IllegalArgumentException("maxDatabaseBytes must be 0 (no limit) or a number of bytes, got "
                        + value);
            }
            this.maxDatabaseBytes = value;
            return this;
        }

        public Builder retentionMaxAge(Duration value) {
            Objects.requireNonNull(value, "retentionMaxAge");
            if (value.isNegative()) {
                throw new IllegalArgumentException("retentionMaxAgeSeconds must be 0 (no age limit) or positive, got "
                        + value.toSeconds());
            }
            this.retentionMaxAge = value;
            return this;
        }

        public Builder retentionMaxCount(long value) {
            if (value < 0) {
                throw new IllegalArgumentException("retentionMaxCount must be 0 (no count limit) or positive, got "
                        + value);
            }
            this.retentionMaxCount = value;
            return this;
        }

        public Builder retentionBatchSize(int value) {
            if (value < 1 || value > 100_000) {
                throw new IllegalArgumentException("retentionBatchSize must be between 1 and 100000, got " + value);
            }
            this.retentionBatchSize = value;
            return this;
        }

        public Builder retentionPeriod(Duration value) {
            Objects.requireNonNull(value, "retentionPeriod");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("retentionPeriodSeconds must be positive, got " + value.toSeconds());
            }
            this.retentionPeriod = value;
            return this;
        }

        public Builder relaxedAcknowledgements(boolean value) {
            this.relaxedAcknowledgements = value;
            return this;
        }

        public Builder appendedTailEvents(int value) {
            if (value < 0 || value > 1_000_000) {
                throw new IllegalArgumentException("appendedTailEvents must be between 0 and 1000000, got " + value);
            }
            this.appendedTailEvents = value;
            return this;
        }

        public Builder maxWritesPerTransaction(int value) {
            sqlite.maxWritesPerTransaction(value);
            return this;
        }

        public Builder readConnections(int value) {
            sqlite.readConnections(value);
            return this;
        }

        public StoreSettings build() {
            return new StoreSettings(this);
        }
    }
}
