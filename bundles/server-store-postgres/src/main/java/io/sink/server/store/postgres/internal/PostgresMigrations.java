package io.sink.server.store.postgres.internal;

import io.sink.sqlite.Migration;
import io.sink.sqlite.Migrations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;

/**
 * The schema of one part of the server's PostgreSQL database (e.g. {@code received_events}) as an
 * ordered list of migrations. The version each part has reached is a row of the table
 * {@code schema_version (component, version, migrated_at)}, written by the same transaction as the
 * migration: a database is never left half migrated. Migrations are only ever appended.
 *
 * <p>Several server nodes may start at once on one database: the migration takes a transaction-level
 * advisory lock first, so one node migrates and the others then find the schema up to date.
 */
public final class PostgresMigrations {
    /** The advisory lock key that serialises migrations (any constant; "sink" in ASCII). */
    static final long MIGRATION_LOCK = 0x73696e6bL;

    private final String component;
    private final String kind;
    /** The list and its numbering, as the SQLite stores keep theirs; only where the version is kept differs. */
    private final Migrations migrations;

    /**
     * @param component the row in {@code schema_version}, e.g. {@code received_events}
     * @param kind      what the database part is, for messages, e.g. {@code received-event store}
     * @param migrations migration {@code i} brings the part to version {@code i + 1}
     */
    public PostgresMigrations(String component, String kind, List<Migration> migrations) {
        this.component = Objects.requireNonNull(component, "component");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.migrations = new Migrations(kind, migrations);
    }

    /** The version this code reads and writes: the number of migrations. */
    public int currentVersion() {
        return migrations.currentVersion();
    }

    /** The part's version in the database, 0 when it has none (or no {@code schema_version} table). */
    public int version(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass('schema_version') IS NOT NULL");
                ResultSet rs = ps.executeQuery()) {
            if (!rs.next() || !rs.getBoolean(1)) {
                return 0;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM schema_version WHERE component = ?")) {
            ps.setString(1, component);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    /**
     * Applies the migrations after the part's version up to {@code target}, inside the caller's
     * transaction. Returns the version found before.
     *
     * @param databaseName names the database in messages
     * @throws SQLException when the database has a newer schema than this code knows, or a statement fails
     */
    public int migrate(Connection c, int target, String databaseName) throws SQLException {
        if (target < 0 || target > currentVersion()) {
            throw new IllegalArgumentException("schema version must be between 0 and " + currentVersion() + ", got "
                    + target);
        }
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
            s.execute("""
                    CREATE TABLE IF NOT EXISTS schema_version (
                        component   text        PRIMARY KEY,
                        version     integer     NOT NULL,
                        migrated_at timestamptz NOT NULL DEFAULT now()
                    )""");
        }
        int found = version(c);
        if (found > currentVersion()) {
            throw new SQLException("the " + kind + " in " + databaseName + " has schema version " + found
                    + ", written by a newer version of this bundle; this one knows versions up to " + currentVersion());
        }
        try (Statement s = c.createStatement()) {
            for (Migration m : migrations.list().subList(found, Math.max(found, target))) {
                for (String sql : m.statements()) {
                    s.execute(sql);
                }
            }
        }
        if (target > found) {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO schema_version (component, version) VALUES (?, ?)
                    ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version, migrated_at = now()""")) {
                ps.setString(1, component);
                ps.setInt(2, target);
                ps.executeUpdate();
            }
        }
        return found;
    }

    /** Brings the part up to {@link #currentVersion()}; see {@link #migrate(Connection, int, String)}. */
    public int migrate(Connection c, String databaseName) throws SQLException {
        return migrate(c, currentVersion(), databaseName);
    }
}
