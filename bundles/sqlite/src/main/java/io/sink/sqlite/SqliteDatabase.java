package io.sink.sqlite;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open SQLite database of a store: its {@link GroupCommitWriter} (the one thread that writes),
 * reads on the callers' threads, the journal mode checked and the schema migrated at open.
 *
 * <p>Messages name the database by its kind and path, e.g. {@code event log /data/client/events.db
 * is closed}.
 */
public final class SqliteDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteDatabase.class);

    private final SqlExecutor sql;
    private final SqliteSettings settings;
    private final String kind;
    private final String description;
    private final GroupCommitWriter writer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean truncationQueued = new AtomicBoolean();
    /** The identity (device and inode) of the file opened; null until open has checked it. */
    private volatile Object fileKey;
    /**
     * The writer's connection may be at {@code synchronous=NORMAL} (left so by {@link #writeWithoutFsync}):
     * the next group commit sets it back first. Writer thread only.
     */
    private boolean writerRelaxed;

    private SqliteDatabase(SqlExecutor sql, SqliteSettings settings, String kind) {
        this.sql = sql;
        this.settings = settings;
        this.kind = kind;
        this.description = kind + " " + settings.path();
        this.writer = new GroupCommitWriter(sql, description, settings.maxWritesPerTransaction(),
                this::beforeBatch);
    }

    /**
     * Opens a database: creates its directory, starts the writer thread, sets the journal mode
     * (and checks that SQLite took it) and migrates the schema to its current version.
     *
     * @param kind   what the database is, for messages and thread names, e.g. {@code event log}
     * @param schema the migrations of this kind of database
     * @throws IllegalStateException naming the path when the database cannot be opened or migrated;
     *         nothing is left running then
     */
    public static SqliteDatabase open(SqlExecutor sql, SqliteSettings settings, String kind, Migrations schema) {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(schema, "schema");
        prepareDirectory(settings.path(), kind);
        SqliteDatabase db = new SqliteDatabase(sql, settings, kind);
        try {
            db.initialize(schema);
            return db;
        } catch (RuntimeException | Error e) {
            db.close();
            throw e;
        }
    }

    /**
     * Creates the parent directories of {@code file} and checks that SQLite can write there.
     *
     * @param kind what the database is, for messages, e.g. {@code event log}
     * @throws IllegalStateException naming the directory or file and the configuration property
     *         {@code path}
     */
    public static void prepareDirectory(Path file, String kind) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new IllegalStateException("cannot create the directory " + dir + " for the " + kind + " database "
                    + file.getFileName() + " (configuration property path): " + e, e);
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalStateException("the directory " + dir + " of the " + kind + " database is not writable;"
                    + " SQLite writes its journal files beside " + file.getFileName() + " (configuration property path)");
        }
        if (Files.exists(file) && (!Files.isRegularFile(file) || !Files.isWritable(file))) {
            throw new IllegalStateException("the " + kind + " database " + file
                    + " is not a writable file (configuration property path)");
        }
        ownerOnly(file, kind);
    }

    private static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    /**
     * Creates the database file readable and writable by its owner only (0600), before SQLite opens
     * it: SQLite gives its {@code -wal}, {@code -shm} and {@code -journal} files the database file's
     * permissions. Existing files with wider permissions are narrowed.
     */
    private static void ownerOnly(Path file, String kind) {
        if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        try {
            if (Files.notExists(file)) {
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                } catch (FileAlreadyExistsException e) {
                    // created meanwhile by another opener: narrowed below
                }
            }
            for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
                Path f = file.resolveSibling(file.getFileName() + suffix);
                if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
                        && !Files.getPosixFilePermissions(f).equals(OWNER_ONLY)) {
                    Files.setPosixFilePermissions(f, OWNER_ONLY);
                    LOG.info("the {} file {} was readable by others; its permissions are now 0600", kind, f);
                }
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            throw new IllegalStateException("cannot create the " + kind + " database " + file
                    + " with owner-only permissions (configuration property path): " + e, e);
        }
    }

    /**
     * The message for a database file that SQLite cannot use: names the file and what to do.
     *
     * @param detail what SQLite said
     */
    public static String corruptMessage(String kind, Path file, String detail) {
        return "the " + kind + " database " + file + " is corrupt or is not a SQLite database (" + detail
                + "); it is left untouched. Stop the role, move the file (with its -wal and -shm files, if any)"
                + " aside and keep it for analysis, then start again with an empty database, or restore a backup"
                + " in its place";
    }

    private void initialize(Migrations schema) {
        String wanted = settings.journalMode().name();
        String mode = onWriterThread(() -> sql.writeWithoutTransaction(c -> {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("PRAGMA journal_mode = " + wanted)) {
                return rs.next() ? rs.getString(1) : "";
            }
        }), "setting the journal mode");
        quickCheck();
        fileKey = currentFileKey().orElseThrow(() -> new IllegalStateException("the " + description
                + " is open but its file cannot be found: was it deleted while opening?"));
        if (!wanted.equalsIgnoreCase(mode)) {
            throw new IllegalStateException("journalMode=" + wanted + " could not be set on the " + description
                    + ": SQLite keeps it in " + mode.toUpperCase(Locale.ROOT) + " mode"
                    + (settings.journalMode() == SqliteSettings.JournalMode.WAL
                            ? " (the file system may not support WAL; configure journalMode=DELETE)"
                            : " (another process may have the database open)"));
        }
        String name = settings.path().toString();
        // a migration may sort a whole table (an index created on an existing database): with the writer's
        // temp_store=MEMORY SQLite's sorter keeps the whole sort in memory instead of spilling to temporary
        // files (2 million rows: 137 MB more resident memory, none with FILE). SQLite refuses the pragma
        // inside a transaction, so it is set on the writer's connection around the migration's: this
        // holds where that connection is kept (the framework's pool of one writer connection);
        // DataSourceSqlExecutor opens a connection per call, which then migrates with its own setting.
        // Only when a migration is due: an up-to-date database opens without touching the pragma
        boolean due = onWriterThread(() -> sql.writeWithoutTransaction(c -> {
            if (Migrations.version(c) >= schema.currentVersion()) {
                return false;
            }
            pragma(c, "temp_store", "FILE");
            return true;
        }), "preparing the migration");
        int before = writer.write(c -> schema.migrate(c, name));
        if (due) {
            onWriterThread(() -> sql.writeWithoutTransaction(c -> pragma(c, "temp_store",
                    SqliteSettings.WRITER_TEMP_STORE)), "finishing the migration");
        }
        if (before != schema.currentVersion()) {
            LOG.info("{}: schema migrated from version {} to {}", description, before, schema.currentVersion());
        }
        if (settings.synchronous() == SqliteSettings.Synchronous.OFF) {
            LOG.warn("{}: synchronous=OFF, writes are not durable: a crash or power loss can lose them", description);
        }
    }

    /** {@code PRAGMA quick_check}: refuses a corrupt database at open, naming the file and what to do. */
    private void quickCheck() {
        List<String> problems = onWriterThread(() -> sql.writeWithoutTransaction(c -> {
            List<String> rows = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check(5)")) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
            return rows;
        }), "checking the integrity");
        if (!problems.equals(List.of("ok"))) {
            throw new IllegalStateException(corruptMessage(kind, settings.path(),
                    "PRAGMA quick_check: " + String.join("; ", problems)));
        }
    }

    private Optional<Object> currentFileKey() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(settings.path(), BasicFileAttributes.class);
            Object key = attributes.fileKey();
            // without file keys (not on Linux), at least a missing file is noticed
            return Optional.of(key != null ? key : "present");
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Refuses writes into a database file that was deleted or replaced while open: SQLite would go on
     * writing into the file it opened, which nobody reads again. Runs on the writer thread before each
     * transaction of queued writes (one {@code stat}).
     *
     * @throws DatabaseFileChangedException naming the file and what to do
     */
    public void requireSameFile() {
        Object opened = fileKey;
        if (opened == null) {
            return; // still opening
        }
        Optional<Object> now = currentFileKey();
        if (now.isEmpty() || !now.get().equals(opened)) {
            throw new DatabaseFileChangedException("the " + description + " was " + (now.isEmpty() ? "deleted"
                    : "replaced by another file") + " while open; writes are refused so that nothing goes into a"
                    + " file nobody reads again. Restart the role to open " + settings.path()
                    + (now.isEmpty() ? " anew (an empty database)" : " as it is now")
                    + ", or put the original file back");
        }
    }

    /** Before each group commit (writer thread): the same file, and the configured synchronous level. */
    private void beforeBatch() {
        requireSameFile();
        if (writerRelaxed) {
            try {
                sql.writeWithoutTransaction(c -> pragma(c, "synchronous", settings.synchronous().name()));
            } catch (SQLException e) {
                // still relaxed as far as we know: the batch is refused, the next one tries again
                throw new IllegalStateException(description + ": cannot set synchronous="
                        + settings.synchronous() + " back before a commit: " + e.getMessage(), e);
            }
            writerRelaxed = false;
        }
    }

    /**
     * Runs {@code work} in one transaction of its own whose commit is not fsynced by itself
     * ({@code synchronous=NORMAL}, in WAL mode: the next commit with {@code FULL} or the next
     * checkpoint makes it durable, with every frame before it). For writes that may be lost in a crash
     * without harm (e.g. records that only spare repeating work). Must run on the writer thread (e.g.
     * through {@link GroupCommitWriter#execute}); the connection stays at {@code NORMAL} until the next
     * group commit, which sets the configured level back before it begins, so consecutive relaxed
     * writes cost one transaction each. A plain write unless the journal mode is WAL (with a rollback
     * journal {@code NORMAL} risks more than the last transactions) and {@code synchronous} is
     * {@code FULL} or {@code EXTRA}.
     *
     * @throws SQLException what the work or the commit threw (the executor then replaces the writer's
     *         connection: it opens at the configured level)
     */
    public <T> T writeWithoutFsync(SqlWork<T> work) throws SQLException {
        requireSameFile();
        if (relaxable()) {
            if (!writerRelaxed) {
                writerRelaxed = true; // first: should the pragma half succeed, the next batch resets it
                sql.writeWithoutTransaction(c -> pragma(c, "synchronous", "NORMAL"));
            }
        }
        return sql.write(work);
    }

    private boolean relaxable() {
        return settings.journalMode() == SqliteSettings.JournalMode.WAL
                && (settings.synchronous() == SqliteSettings.Synchronous.FULL
                        || settings.synchronous() == SqliteSettings.Synchronous.EXTRA);
    }

    /** Sets a pragma of ours (names and values are constants or validated settings, never user text). */
    private static Void pragma(Connection c, String name, String value) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA " + name + "=" + value);
        }
        return null;
    }

    private interface SqlCall<T> {
        T call() throws SQLException;
    }

    private <T> T onWriterThread(SqlCall<T> work, String what) {
        CompletableFuture<T> done = new CompletableFuture<>();
        writer.execute(() -> {
            try {
                done.complete(work.call());
            } catch (SQLException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what + " of the " + description, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (SqliteFailures.isCorrupt(cause)) {
                throw new IllegalStateException(corruptMessage(kind, settings.path(), cause.getMessage()), cause);
            }
            throw new IllegalStateException(what + " of the " + description + " failed: " + cause.getMessage(), cause);
        }
    }

    /**
     * Bytes in use: pages holding data times the page size. Free pages (left by deleted rows, and
     * reused before the file grows) do not count, nor does the WAL file (see {@link #walBytes()}).
     * Reads the database header only.
     */
    public static long pagesInUseBytes(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (p.page_count - f.freelist_count) * s.page_size"
                        + " FROM pragma_page_count() p, pragma_freelist_count() f, pragma_page_size() s")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The size of the write-ahead log file ({@code <path>-wal}) now; 0 when there is none. */
    public long walBytes() {
        try {
            return Files.size(settings.path().resolveSibling(settings.path().getFileName() + "-wal"));
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Queues a checkpoint that copies the WAL into the database and truncates it to zero, unless
     * one is queued already; it does not wait for readers (it is tried again at the next request).
     * For a size limit that the WAL pushed over.
     */
    public void requestWalTruncation() {
        if (!truncationQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            writer.execute(() -> {
                truncationQueued.set(false);
                try {
                    sql.writeWithoutTransaction(c -> {
                        try (Statement s = c.createStatement()) {
                            s.execute("PRAGMA busy_timeout = 0");
                            try {
                                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                            } finally {
                                s.execute("PRAGMA busy_timeout = " + SqliteSettings.BUSY_TIMEOUT_MILLIS);
                            }
                        }
                        return null;
                    });
                } catch (SQLException | RuntimeException e) {
                    LOG.debug("{}: WAL checkpoint failed", description, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            truncationQueued.set(false); // closing
        }
    }

    /** The one thread that writes to this database. */
    public GroupCommitWriter writer() {
        return writer;
    }

    /** The connections: writes only on the writer thread, reads on any thread. */
    public SqlExecutor sql() {
        return sql;
    }

    public SqliteSettings settings() {
        return settings;
    }

    /** The kind and path of the database, as messages name it, e.g. {@code event log /data/events.db}. */
    public String description() {
        return description;
    }

    /**
     * Runs {@code work} on a reader connection on the caller's thread.
     *
     * @param what what is read, for the message of a failure, e.g. {@code reading the queue size}
     * @throws IllegalStateException when the database is closed or the read fails, naming the database
     */
    public <T> T read(String what, SqlWork<T> work) {
        requireOpen();
        try {
            return sql.read(work);
        } catch (SQLException e) {
            throw new IllegalStateException(description + ": " + what + " failed: " + e.getMessage(), e);
        }
    }

    /** @throws IllegalStateException naming the database when it is closed */
    public void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException(description + " is closed");
        }
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Commits the writes already queued and stops the writer thread. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            writer.close();
        }
    }
}
